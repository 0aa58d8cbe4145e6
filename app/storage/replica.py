"""The laptop's side of sync, in SQL: outbox reads and acknowledgements, applying the server's records.

A server record never overwrites a case that still has ops waiting to be pushed: those ops carry the
person's newer work, and the case comes back through the feed as soon as the server has them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from app.storage.models import Attachment, Case, CaseEvent, Conflict, OutboxOp

_SNAPSHOT_FIELDS = ("service", "office", "nik", "name", "status", "created_at", "updated_at", "created_by",
                    "device", "due_date", "letter_number", "letter_sha256", "reason")


def pending_ops(session: Session, actor: str, limit: int = 500) -> list[OutboxOp]:
    """The next ops to push: cases with status or signing work first, each case's ops in the order they
    were made (an attachment must reach the server before the submit that needs it). Blob bytes go
    separately, after every op."""
    case_rank = func.min(OutboxOp.priority).over(partition_by=func.coalesce(OutboxOp.case_id, OutboxOp.op_id))
    ranked = (select(OutboxOp.seq, case_rank.label("rank"))
              .where(OutboxOp.state == "pending", OutboxOp.actor == actor, OutboxOp.kind != "blob")
              .subquery())
    stmt = (select(OutboxOp).join(ranked, ranked.c.seq == OutboxOp.seq)
            .order_by(ranked.c.rank, OutboxOp.case_id, OutboxOp.seq).limit(limit))
    return list(session.scalars(stmt))


def pending_blobs(session: Session, actor: str, limit: int = 50) -> list[OutboxOp]:
    stmt = (select(OutboxOp).where(OutboxOp.state == "pending", OutboxOp.actor == actor, OutboxOp.kind == "blob")
            .order_by(OutboxOp.seq).limit(limit))
    return list(session.scalars(stmt))


def actors_with_pending(session: Session) -> list[str]:
    return [r[0] for r in session.execute(select(OutboxOp.actor).where(OutboxOp.state == "pending").distinct())]


def mark_op(session: Session, op_id: str, state: str, errno: int | None = None, error: str | None = None) -> None:
    session.execute(update(OutboxOp).where(OutboxOp.op_id == op_id)
                    .values(state=state, errno=errno, error=error, attempts=OutboxOp.attempts + 1))


def has_pending(session: Session, case_id: str) -> bool:
    return session.execute(select(OutboxOp.seq).where(OutboxOp.case_id == case_id, OutboxOp.state == "pending",
                                                      OutboxOp.kind != "blob").limit(1)).first() is not None


def apply_snapshot(session: Session, snap: dict[str, Any]) -> bool:
    """Make the local case equal to the server's record. Returns False when skipped (local ops pending)."""
    case_id = snap["id"]
    if snap.get("deleted"):
        session.execute(delete(Case).where(Case.id == case_id))
        return True
    case = session.get(Case, case_id)
    if case is not None and has_pending(session, case_id):
        case.server_version = snap["version"]
        return False
    if case is None:
        case = Case(id=case_id)
        session.add(case)
    for key in _SNAPSHOT_FIELDS:
        setattr(case, key, snap.get(key))
    case.fields = json.dumps(snap["fields"], ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    case.version = case.server_version = snap["version"]
    session.flush()
    session.execute(delete(CaseEvent).where(CaseEvent.case_id == case_id))
    events = [e for e in snap.get("events", [])]
    if events:
        session.execute(CaseEvent.__table__.insert(), [
            {"case_id": case_id, "action": e["action"], "from_status": e.get("from"), "to_status": e.get("to"),
             "actor": e["actor"], "device": e["device"], "reason": e.get("reason"), "details": None, "at": e["at"]}
            for e in events])
    have = {(a.doc_code, a.sha256) for a in session.scalars(select(Attachment).where(Attachment.case_id == case_id))}
    for d in snap.get("documents", []):
        if (d["doc_code"], d["sha256"]) not in have:
            session.add(Attachment(case_id=case_id, doc_code=d["doc_code"], sha256=d["sha256"],
                                   filename=d["filename"], size=d["size"], mime=d["mime"],
                                   added_at=d["added_at"], added_by=d["added_by"]))
    session.execute(delete(Conflict).where(Conflict.case_id == case_id, Conflict.state == "open"))
    for c in snap.get("conflicts", []):
        if session.get(Conflict, c["id"]) is None:
            session.add(Conflict(id=c["id"], case_id=case_id, field=c["field"],
                                 server_value=json.dumps(c["server_value"], ensure_ascii=False),
                                 client_value=json.dumps(c["client_value"], ensure_ascii=False),
                                 client_device=c.get("client_device"), created_at=c["created_at"], state="open"))
    return True


def open_conflicts(session: Session) -> list[Conflict]:
    return list(session.scalars(select(Conflict).where(Conflict.state == "open").order_by(Conflict.created_at)))


def missing_blobs(session: Session, have: Any, limit: int = 200) -> list[str]:
    """Hashes of attachments and letters this laptop should hold but does not (``have(sha) -> bool``)."""
    out: list[str] = []
    for (sha,) in session.execute(select(Attachment.sha256).distinct()):
        if not have(sha):
            out.append(sha)
    for (sha,) in session.execute(select(Case.letter_sha256).where(Case.letter_sha256.is_not(None)).distinct()):
        if sha and not have(sha):
            out.append(sha)
    return out[:limit]


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxOp.state, func.count()).group_by(OutboxOp.state))
    found = {state: int(n) for state, n in rows}
    found["conflicts"] = int(session.execute(select(func.count()).select_from(Conflict)
                                             .where(Conflict.state == "open")).scalar_one())
    return found


def prune_done(session: Session, keep: int = 10_000) -> None:
    """Forget acknowledged ops beyond the newest ``keep`` (their effect is on the server and in the audit log)."""
    session.execute(text("DELETE FROM outbox WHERE state = 'done' AND seq < "
                         "(SELECT COALESCE(MIN(seq), 0) FROM (SELECT seq FROM outbox WHERE state = 'done' "
                         "ORDER BY seq DESC LIMIT :keep))"), {"keep": keep})
