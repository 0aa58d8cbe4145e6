"""Shared reading for the rekaps: the cases of one service as plain rows, their fields decoded defensively."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.lifecycle import CaseStatus
from app.storage.models import Case

# A field value longer than this is not a number this report can use (hostile or damaged input).
_MAX_NUMBER_TEXT = 40


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: str
    reg_no: str | None
    office: str
    name: str
    status: str
    updated_at: str
    fields: dict[str, Any]


def case_rows(session: Session, service: str, offices: Iterable[str] | None = None) -> Iterator[CaseRow]:
    """Every case of ``service`` that has left the draft stage (optionally only from ``offices``)."""
    query = select(Case.id, Case.reg_no, Case.office, Case.name, Case.status, Case.updated_at, Case.fields).where(
        Case.service == service, Case.status != CaseStatus.DRAFT.value)
    if offices is not None:
        query = query.where(Case.office.in_(sorted(set(offices))))
    for row in session.execute(query):
        yield CaseRow(row.id, row.reg_no, row.office, row.name, row.status, row.updated_at or "",
                      _decode(row.fields))


def _decode(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except (ValueError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def as_int(value: object, default: int = 0) -> int:
    """A stored number ("1250000", 12, "12.0") as an int; anything else is ``default``."""
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
    return "" if value is None else str(value)[:limit]


def status_label(status: str) -> str:
    try:
        return CaseStatus(status).label
    except ValueError:
        return status
