"""Ops the server refused: what was refused, why (in the person's language), and what to do about it.

A refused op stays in the outbox (state ``rejected``) until a person acts: signing again or editing makes new
work of its own; *discarding* marks the refusal as seen (state ``dismissed``, written to the audit log) and
never deletes it, so the case history keeps showing it. An op the server could not process at all (an
internal error for that op alone) is set aside the same way and may be sent again. How a refusal is worded
lives in :mod:`app.services.refusalview`.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.errors import NotFoundError, UserFacingError
from app.events import Changes
from app.i18n import tr
from app.services.changes import record_change
from app.services.refusalview import DISMISSED, REFUSED, SET_ASIDE_ERRNO, Refusal, reason_text, todo_of, view
from app.services.workspace import Actor, Workspace
from app.storage.models import Case, OutboxOp

__all__ = ["DISMISSED", "REFUSED", "SET_ASIDE_ERRNO", "Refusal", "dismiss", "of_case", "reason_text", "resend",
           "waiting"]


def _query(session: Session, states: tuple[str, ...], case_id: str | None = None) -> list[Refusal]:
    stmt = select(OutboxOp, Case).outerjoin(Case, Case.id == OutboxOp.case_id).where(OutboxOp.state.in_(states))
    if case_id is not None:
        stmt = stmt.where(OutboxOp.case_id == case_id)
    return [view(op, case) for op, case in session.execute(stmt.order_by(OutboxOp.seq))]


def waiting(ws: Workspace) -> list[Refusal]:
    """Refusals no one has handled yet, oldest first (the *Ditolak server* list)."""
    with ws.db.read() as s:
        return _query(s, (REFUSED,))


def of_case(session: Session, case_id: str) -> list[Refusal]:
    """Every refusal of one case, handled or not (its history shows them all)."""
    return _query(session, (REFUSED, DISMISSED), case_id)


def _take(session: Session, op_id: str) -> OutboxOp:
    op = session.scalars(select(OutboxOp).where(OutboxOp.op_id == op_id, OutboxOp.state == REFUSED)).first()
    if op is None:
        raise NotFoundError("refusal.not_found", id=op_id[:8])
    return op


def dismiss(ws: Workspace, actor: Actor, op_id: str) -> Refusal:
    """Mark a refusal as handled. It stays in the case's history and in the audit log."""
    now = clock.now_iso()
    with ws.db.write() as s:
        op = _take(s, op_id)
        op.state = DISMISSED
        record_change(s, actor, op.case_id or "-", now, "refusal.dismiss",
                      {"op_id": op.op_id, "kind": op.kind, "errno": op.errno})
        shown = view(op, s.get(Case, op.case_id) if op.case_id else None)
    ws.events.publish("changes", Changes(cases=frozenset({op.case_id} if op.case_id else set()), outbox=True))
    return shown


def resend(ws: Workspace, actor: Actor, op_id: str) -> Refusal:
    """Put an op the server failed on (set aside) back in the outbox, as it was."""
    now = clock.now_iso()
    with ws.db.write() as s:
        op = _take(s, op_id)
        if todo_of(op) != "resend":
            raise UserFacingError("refusal.no_resend", todo=tr(f"refusal.todo.{todo_of(op)}"))
        op.state, op.errno, op.error, op.refused_at = "pending", None, None, None
        record_change(s, actor, op.case_id or "-", now, "refusal.resend", {"op_id": op.op_id, "kind": op.kind})
        shown = view(op, s.get(Case, op.case_id) if op.case_id else None)
    ws.events.publish("changes", Changes(cases=frozenset({op.case_id} if op.case_id else set()), outbox=True))
    return shown
