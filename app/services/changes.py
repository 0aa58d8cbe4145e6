"""Recording a change to a case: its history event, its outbox op(s) and its audit entry, written together in
the caller's transaction. Every service that changes a case (and the sync engine for its own audit entry) goes
through :func:`record_change`; a bulk registration through :func:`record_created`.

A new case's ``case.create`` op refers to the case instead of copying it: its payload is empty and the sync
engine builds the body from the case row at push time (``app.storage.replica.op_bodies``). Until the op is
pushed, the row *is* what was registered, because every later change first freezes the op
(:func:`freeze_create`): the body is written out from the row as it was, in the same transaction, before the
row changes. Edits keep carrying their base version and changed fields; signed approvals and
recommendations carry their signed bytes, as they were when the person signed.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy.orm import Session

from app.jsoncodec import to_json
from app.storage import audit, replica, repo
from app.storage.models import CaseEvent

PRIORITY = {"case.transition": 1, "approval": 1, "recommendation": 1, "case.create": 3, "case.edit": 4,
            "conflict.resolve": 4, "attachment.add": 6, "blob": 9}
BY_REFERENCE = replica.BY_REFERENCE


class Who(Protocol):
    """Who acts, on which device (an :class:`app.services.workspace.Actor`, or the sync run's users)."""

    @property
    def username(self) -> str: ...

    @property
    def device(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Op:
    """An outbox op: its kind, the version it was made against and its body (or the body as JSON text)."""

    kind: str
    base_version: int | None
    payload: Mapping[str, Any] | str


@dataclass(frozen=True, slots=True)
class Event:
    """A line of the case's history."""

    action: str
    from_status: str | None
    to_status: str | None
    reason: str | None = None
    details: str | None = None


def outbox_row(who: Who, op: Op, case_id: str | None, at: str, op_id: str | None = None) -> tuple[Any, ...]:
    """An outbox row in ``repo.OUTBOX_COLUMNS`` order."""
    text = op.payload if isinstance(op.payload, str) else to_json(op.payload)
    return (op_id or str(uuid.uuid4()), op.kind, case_id, op.base_version, text, at, "pending",
            PRIORITY[op.kind], 0, who.username)


def record_change(s: Session, who: Who, case_id: str, at: str, action: str, detail: Mapping[str, Any], *,
                  event: Event | None = None, ops: Sequence[Op] = (), entity: str = "case") -> None:
    """Write a change's history event, its outbox ops (in order) and its audit entry, in ``s``'s transaction.

    The caller has already changed the case itself (after :func:`freeze_create`) in the same session."""
    if event is not None:
        s.add(CaseEvent(case_id=case_id, action=event.action, from_status=event.from_status,
                        to_status=event.to_status, actor=who.username, device=who.device, reason=event.reason,
                        details=event.details, at=at))
    if ops:
        repo.insert_outbox(s, [outbox_row(who, op, case_id, at) for op in ops])
    audit.append(s, [audit.AuditRecord(at, who.username, who.device, action, entity, case_id, to_json(detail))])


def record_created(s: Session, who: Who, rows: Sequence[tuple[Any, ...]], at: str,
                   op_ids: Sequence[str] | None = None) -> None:
    """Store new draft cases (rows in ``repo.CASE_COLUMNS`` order), each with a ``case.create`` op that refers
    to it and its audit entry: three rows per case, the op without a copy of the case."""
    repo.insert_cases(s, rows)
    ids = op_ids or [str(uuid.uuid4()) for _ in rows]
    priority, user = PRIORITY["case.create"], who.username
    repo.insert_outbox(s, [(op_id, "case.create", row[0], 0, BY_REFERENCE, at, "pending", priority, 0, user)
                           for row, op_id in zip(rows, ids, strict=True)])
    # Every registration of one service has the same detail: encode it once per service.
    details: dict[str, str] = {}
    records = []
    for row in rows:
        service = str(row[1])
        detail = details.get(service) or details.setdefault(
            service, to_json({"service": service, "status": "draft"}))
        records.append(audit.AuditRecord(at, who.username, who.device, "case.create", "case", str(row[0]),
                                         detail))
    audit.append(s, records)


def freeze_create(s: Session, case_id: str) -> None:
    """Before a case changes: a ``case.create`` op of it not yet acknowledged keeps what was registered (its
    body written out from the row as it is now). Call before the first change in the write transaction."""
    replica.freeze_created(s, case_id)
