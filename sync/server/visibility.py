"""Who may read what: the one rule every response that carries a case, or a document's bytes, goes through.

A device reads a case when its user's office registered it, or — for a penandatangan — when the case is
signed at that office or at an office delegated to that user. IT's admin reads no citizen's data. The changes
feed, ``GET /cases/<id>``, the snapshot attached to a refused op and the stale-approval answer all ask
:func:`readable` / :func:`snapshot_for`; an op naming a case the device may not read is answered exactly as
an op naming a case that does not exist (:data:`NOT_FOUND`), so a refusal never tells whether it exists.

A document's bytes are read through a case: an attachment of a readable case whose adding device holds the
bytes (it uploaded them, or could already read them when it attached them), the letter of a readable case,
or a blob this device uploaded itself. Naming someone else's hash in ``attachment.add`` therefore gives
nothing: the attachment is recorded (the answer must not tell whether that hash exists) but leads to no bytes.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Connection, and_, exists, or_, select

from app import clock
from app.domain.roles import Role
from sync.server import storage as t

NOT_FOUND = "case not found"


def readable(ctx: Any) -> ColumnElement[bool]:
    """SQL condition on ``cases``: the cases ``ctx`` (a DeviceCtx) may read."""
    if ctx.role is Role.ADMIN:
        return t.cases.c.id.is_(None)
    if ctx.role is Role.PENANDATANGAN:
        # a delegate also sees the cases of the offices it may sign for (until the delegation ends)
        delegated = (select(t.delegations.c.office)
                     .where(t.delegations.c.delegate == ctx.username, t.delegations.c.revoked_at.is_(None),
                            t.delegations.c.valid_until >= clock.now_iso()))
        return or_(t.cases.c.office == ctx.office, t.cases.c.signer_office == ctx.office,
                   t.cases.c.signer_office.in_(delegated))
    own: ColumnElement[bool] = t.cases.c.office == ctx.office
    return own


def case_row(conn: Connection, ctx: Any, case_id: Any) -> Any:
    """The case's row when ``ctx`` may read it, else None (unknown and unreadable look the same)."""
    if not isinstance(case_id, str) or not case_id or len(case_id) > 36:
        return None
    return conn.execute(select(t.cases).where(t.cases.c.id == case_id, readable(ctx))).first()


def ended_delegation(conn: Connection, ctx: Any, case_id: Any, delegation_id: Any) -> bool:
    """Whether ``case_id`` is signed at an office that ``delegation_id`` — granted to this user — once let
    it read: the one case where "not found" would mislead someone who was allowed to see it."""
    if not isinstance(delegation_id, str) or not isinstance(case_id, str):
        return False
    once = select(t.delegations.c.office).where(t.delegations.c.id == delegation_id,
                                                t.delegations.c.delegate == ctx.username)
    return conn.execute(select(t.cases.c.id).where(t.cases.c.id == case_id,
                                                   t.cases.c.signer_office.in_(once))).first() is not None


def snapshot_for(conn: Connection, ctx: Any, case_id: Any) -> dict[str, Any] | None:
    """The full record of a case as the feed sends it, only when ``ctx`` may read it."""
    from sync.server.snapshots import snapshots

    row = case_row(conn, ctx, case_id)
    return snapshots(conn, [row])[0] if row is not None else None


def holds_blob(device_id: Any) -> ColumnElement[bool]:
    """SQL condition on ``attachments``: the adding device holds the bytes (rows from before devices were
    recorded count as held)."""
    return or_(t.attachments.c.device.is_(None), exists().where(
        t.blob_owners.c.sha256 == t.attachments.c.sha256, t.blob_owners.c.device_id == device_id))


def holds(conn: Connection, ctx: Any, sha256: str) -> bool:
    """Whether this device is recorded as holding the bytes of ``sha256`` (it uploaded them, or could read them)."""
    return conn.execute(select(t.blob_owners.c.sha256).where(t.blob_owners.c.sha256 == sha256,
                                                             t.blob_owners.c.device_id == ctx.device_id)
                        ).first() is not None


def may_read_blob(conn: Connection, ctx: Any, sha256: str) -> bool:
    """Whether ``ctx`` may read the blob ``sha256``: its own upload, or through a case it may read."""
    return holds(conn, ctx, sha256) or readable_through_case(conn, ctx, sha256)


def readable_through_case(conn: Connection, ctx: Any, sha256: str) -> bool:
    """Whether ``ctx`` may read the blob ``sha256`` through a case: an attachment or a letter of it."""
    of_cases = select(t.cases.c.id).where(readable(ctx))
    through_attachment = select(t.attachments.c.id).where(
        t.attachments.c.sha256 == sha256, t.attachments.c.case_id.in_(of_cases),
        holds_blob(t.attachments.c.device)).limit(1)
    if conn.execute(through_attachment).first():
        return True
    letter = select(t.cases.c.id).where(and_(t.cases.c.letter_sha256 == sha256, readable(ctx))).limit(1)
    return conn.execute(letter).first() is not None
