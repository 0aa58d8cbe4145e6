"""Shared reading for the rekaps: the cases of one service as plain rows, their fields decoded defensively."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from app.domain.lifecycle import CaseStatus
from app.storage.models import Case

# A field value longer than this is not a number this report can use (hostile or damaged input).
_MAX_NUMBER_TEXT = 40
_KEY = re.compile(r"[a-z_][a-z0-9_]{0,40}")


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: str
    reg_no: str | None
    office: str
    name: str
    status: str
    updated_at: str
    fields: dict[str, Any]


def field(key: str) -> ColumnElement[Any]:
    """One catalogue field of a case, read by SQLite from the JSON (``key`` is a catalogue key, not input)."""
    if not _KEY.fullmatch(key):
        raise ValueError(key)
    return func.json_extract(Case.fields, f"$.{key}")


def case_rows(session: Session, service: str, keys: Sequence[str], offices: Iterable[str] | None = None,
              where: Sequence[ColumnElement[bool]] = ()) -> Iterator[CaseRow]:
    """Every case of ``service`` that has left the draft stage (optionally only from ``offices``), with the
    fields ``keys`` (SQLite reads them out of the JSON: no Python decoding of whole objects)."""
    columns = [field(k).label(f"f_{i}") for i, k in enumerate(keys)]
    query = select(Case.id, Case.reg_no, Case.office, Case.name, Case.status, Case.updated_at, *columns).where(
        Case.service == service, Case.status != CaseStatus.DRAFT.value, *where)
    if offices is not None:
        query = query.where(Case.office.in_(sorted(set(offices))))
    for row in session.execute(query):
        values = row[6:]
        yield CaseRow(row[0], row[1], row[2], row[3], row[4], row[5] or "",
                      {k: v for k, v in zip(keys, values, strict=True) if v is not None})


def as_int(value: object, default: int = 0) -> int:
    """A stored number ("1250000", 12, "12.0") as an int; anything else is ``default``."""
    if isinstance(value, bool):
        return default
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= _MAX_NUMBER_TEXT:
        return int(value)
    text = str(value).strip() if value is not None else ""
    if not text or len(text) > _MAX_NUMBER_TEXT:
        return default
    try:
        number = Decimal(text)
    except InvalidOperation:
        return default
    return int(number) if number.is_finite() else default


def as_text(value: object, limit: int = 300) -> str:
    return "" if value is None else str(value)[:limit]


def status_labels() -> dict[str, str]:
    """Each status's label in the current language (looked up once per rekap, not per row)."""
    return {st.value: st.label for st in CaseStatus}
