"""Shared reading for the rekaps: the cases of one service as plain rows, their fields decoded defensively."""

from __future__ import annotations

import gc
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from app.domain.lifecycle import CaseStatus

# What a rekap, its exports and a berita acara show for a case without a registration number yet (made before
# numbers, or pulled without one): a reader would take a case id's prefix for a number.
UNNUMBERED = "(belum bernomor)"

if TYPE_CHECKING:  # SQLAlchemy loads with the store: the berita acara's reading (CLI) does without it
    from sqlalchemy.orm import Session

# A field value longer than this is not a number this report can use (hostile or damaged input).
_MAX_NUMBER_TEXT = 40


@dataclass(slots=True)  # not frozen: a frozen dataclass's __init__ costs ~8x per row, and rekaps make 10,000s
class CaseRow:
    id: str
    reg_no: str | None
    office: str
    name: str
    status: str
    updated_at: str
    fields: dict[str, Any]


@contextmanager
def collector_paused() -> Iterator[None]:
    """While a rekap is built: its 10,000s of small objects (rows, decoded fields, records), none of them in a
    reference cycle, set off the cyclic collector's passes over everything alive again and again — a quarter
    of the opening's time in the profile. The collector runs again as soon as the rekap is built."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def decode(text: str | None) -> dict[str, Any]:
    """A case's stored fields as a dict; damaged JSON or anything but an object is no fields at all."""
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def case_rows(session: Session, service: str, offices: Iterable[str] | None = None) -> Iterator[CaseRow]:
    """Every case of ``service`` that has left the draft stage (optionally only from ``offices``), its fields
    decoded once. One ``json.loads`` per row costs less than half of SQLite's ``json_extract`` per wanted key
    (each call parses the whole object again), and Core rows straight from the connection skip the ORM's row
    processing, which doubled the read of 10,000 proposals."""
    from sqlalchemy import select

    from app.storage.models import Case

    query = select(Case.id, Case.reg_no, Case.office, Case.name, Case.status, Case.updated_at, Case.fields).where(
        Case.service == service, Case.status != CaseStatus.DRAFT.value)
    if offices is not None:
        query = query.where(Case.office.in_(sorted(set(offices))))
    for row in session.connection().execute(query).fetchall():
        yield CaseRow(row[0], row[1], row[2], row[3], row[4], row[5] or "", decode(row[6]))


def as_int(value: object, default: int = 0) -> int:
    """A stored number ("1250000", 12, "12.0") as an int; anything else is ``default``."""
    if value.__class__ is str and value.isdigit() and value.isascii() and len(value) <= _MAX_NUMBER_TEXT:
        return int(value)  # the common case first: one check per field
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > _MAX_NUMBER_TEXT:
        return default
    try:
        number = Decimal(text)
    except InvalidOperation:
        return default
    return int(number) if number.is_finite() else default


def as_text(value: object, limit: int = 300) -> str:
    if value.__class__ is str:
        return value[:limit]
    return "" if value is None else str(value)[:limit]


def status_labels() -> dict[str, str]:
    """Each status's label in the current language (looked up once per rekap, not per row)."""
    return {st.value: st.label for st in CaseStatus}
