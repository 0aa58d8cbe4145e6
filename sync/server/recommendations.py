"""The ``recommendation`` op: a signing step before the chain's last, checked and recorded.

It arrives as a signed event bound to the case version and content, naming the chain step and the office it
is taken for. It is accepted only when it is the step the case waits for (``app.domain.chain``, derived from
the steps already recorded and the case version), by that office's penandatangan or a delegate for it; the
case then moves to the next version and so to the next step's queue (the final signer's office sees the case
through ``cases.signer_office``). The public page and the final letter name these steps (name, position,
date — nothing about the citizen).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, insert, select, update

from app.domain import chain
from app.domain.catalog import Catalog
from app.domain.lifecycle import Action, CaseStatus
from app.domain.offices import OfficeDirectory
from app.domain.roles import Role
from app.signing.approvals import InvalidApproval, SignedRecommendation, content_hash
from app.signing.delegations import KINDS
from sync.protocol import Errno, Op, OpResult
from sync.server import duties, visibility
from sync.server import storage as t
from sync.server.approvals import ApprovalHandler, row_content
from sync.server.ca import Authority
from sync.server.ops import DeviceCtx, OpRefused
from sync.server.steps import load_steps

MAX_AT = 40


class RecommendationHandler(ApprovalHandler):
    """The ``recommendation`` op: a signing step before the chain's last."""

    def __init__(self, authority: Authority, catalog: Catalog, offices: OfficeDirectory) -> None:
        super().__init__(authority, catalog, offices)

    def __call__(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        if ctx.role is not Role.PENANDATANGAN:
            raise OpRefused(Errno.FORBIDDEN, "only a penandatangan may sign a step")
        payload = dict(op["payload"])
        at = payload.pop("at", None)
        try:
            signed = SignedRecommendation.from_dict(payload)
        except InvalidApproval as err:
            raise OpRefused(Errno.APPROVAL_INVALID, err.message) from None
        event = signed.event
        self._authentic(conn, ctx, op, signed)
        self._advance_chain(conn, ctx.device_id, event.device_counter, event.prev_event_hash, event.hash)
        row = visibility.case_row(conn, ctx, event.case_id)
        if row is None or row.deleted:  # unknown and unreadable alike
            raise OpRefused(Errno.NOT_FOUND, visibility.NOT_FOUND)
        duties.check(conn, self.catalog, ctx.username, row, Action.APPROVE)  # every signing step, as the laptop
        # The event was genuine and has advanced the device's chain: a step that no longer fits is answered
        # (with the case as it stands), not undone.
        if (row.status != CaseStatus.VERIFIED.value or row.version != event.case_version
                or content_hash(row_content(row)) != event.content_hash):
            return self._answer(conn, ctx, op, row.id, Errno.APPROVAL_STALE,
                                "the case changed after it was signed; it is back in the signing queue")
        step = chain.next_step(self.catalog.get(row.service), row.office, row.status, row.version,
                               load_steps(conn, [row.id])[row.id], self.offices)
        if step is None or step.last or step.number != event.step or step.office != event.office:
            return self._answer(conn, ctx, op, row.id, Errno.APPROVAL_STEP, self.step_refusal(step))
        if step.office != ctx.office:
            self._check_delegation(conn, ctx, step.office, event.delegation_id)
        user = conn.execute(select(t.users).where(t.users.c.username == ctx.username)).first()
        assert user is not None
        when = at if isinstance(at, str) and 0 < len(at) <= MAX_AT else now
        conn.execute(insert(t.approval_steps).values(
            case_id=row.id, step=event.step, office=event.office, case_version=event.case_version,
            event=json.dumps(event.payload()), signature=signed.signature, event_hash=event.hash,
            device_id=ctx.device_id, device_counter=event.device_counter, cert_serial=event.signer_cert_serial,
            signer=ctx.username, full_name=user.full_name, position=self._position(conn, user, event.delegation_id),
            nip=user.nip, delegation_id=event.delegation_id, at=when, accepted_at=now))
        conn.execute(update(t.cases).where(t.cases.c.id == row.id).values(version=row.version + 1, updated_at=now))
        conn.execute(t.case_events.insert().values(
            case_id=row.id, action=Action.RECOMMEND.value, from_status=row.status, to_status=row.status,
            actor=ctx.username, device=ctx.device_id, reason=None, at=when, received_at=now))
        return {"op_id": op["op_id"], "status": "applied", "version": row.version + 1}

    def _answer(self, conn: Connection, ctx: DeviceCtx, op: Op, case_id: str, errno: Errno,
                message: str) -> OpResult:
        return {"op_id": op["op_id"], "status": "rejected", "errno": int(errno), "message": message,
                "case": visibility.snapshot_for(conn, ctx, case_id) or {}}

    def _position(self, conn: Connection, user: Any, delegation_id: str | None) -> str:
        """The position the step is signed in: the user's own, or 'Plh. <the head's position>' for a delegate."""
        own = str(user.position or user.office)
        if not delegation_id:
            return own
        found = conn.execute(select(t.delegations.c.kind, t.users.c.position)
                             .join(t.users, t.users.c.username == t.delegations.c.grantor)
                             .where(t.delegations.c.id == delegation_id)).first()
        kind = KINDS.get(found.kind) if found is not None else None
        return f"{kind.value} {found.position}" if kind is not None and found is not None and found.position else own
