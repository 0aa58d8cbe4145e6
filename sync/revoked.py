"""When IT revoked a person on this laptop: their waiting work is refused, visibly, and signed cases go back.

A revoked user's (or device's) token no longer opens the server (403, errno 102), so the server never sees the
ops still waiting in the outbox. The laptop answers them itself, as the server would have: each op is marked
refused with a sentence the person can read; an approval is refused as the server refuses an approval from a
revoked certificate (errno 122): its letter number is a gap, never reused, and the case goes back to the
signing queue — with the server's own record when a colleague on this laptop can still read it, else by
undoing the local approval — so another signer or a Plh can sign it. A recommendation (a signing step without
a number) is refused the same way (errno 122) and its case also takes the server's record back.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from app.domain.lifecycle import Action, CaseStatus
from app.i18n import either, register, tr
from app.signing.certificates import REVOCATION_REASONS
from app.storage.models import Case, CaseEvent
from sync.client import SyncClient
from sync.errors import SyncError
from sync.protocol import Errno, Op, OpResult, Paths

log = logging.getLogger("loket.sync")

register({
    "sync.user_revoked.approval": {
        "id": "Persetujuan tidak diterima: akses {user} dicabut admin TI pada {date} ({reason}). Surat nomor "
              "{number} tidak berlaku; berkas kembali ke antrean tanda tangan untuk penandatangan lain atau Plh.",
        "en": "Approval not accepted: IT revoked {user}'s access on {date} ({reason}). Letter number {number} is "
              "not valid; the case is back in the signing queue for another signer or a Plh."},
    "sync.user_revoked.recommendation": {
        "id": "Rekomendasi tidak diterima: akses {user} dicabut admin TI pada {date} ({reason}). Berkas kembali ke "
              "antrean tanda tangan untuk penandatangan lain atau Plh.",
        "en": "Recommendation not accepted: IT revoked {user}'s access on {date} ({reason}). The case is back in "
              "the signing queue for another signer or a Plh."},
    "sync.user_revoked.op": {
        "id": "Perubahan tidak diterima: akses {user} dicabut admin TI pada {date} ({reason}). Minta rekan "
              "yang masih aktif mengulanginya.",
        "en": "Change not accepted: IT revoked {user}'s access on {date} ({reason}). Ask an active colleague to "
              "redo it."},
    "sync.revoked.unknown": {"id": "tanpa keterangan", "en": "no reason given"},
})


def _reason(details: dict[str, Any]) -> tuple[str, str]:
    """(date, reason label) from a DEVICE_REVOKED answer's details, in the current language."""
    date = str(details.get("revoked_at") or "")[:16].replace("T", " ") or "-"
    reason = REVOCATION_REASONS.get(str(details.get("reason_code") or ""))
    if reason is None:
        return date, tr("sync.revoked.unknown")
    return date, either(reason.label_id, reason.label_en)


def refusals(username: str, ops: list[Op], err: SyncError) -> list[OpResult]:
    """The answers the server would have given ``ops`` of a revoked ``username``."""
    date, reason = _reason(getattr(err, "details", None) or {})
    out: list[OpResult] = []
    for op in ops:
        if op["kind"] == "approval":
            number = str(op["payload"].get("event", {}).get("letter_number") or "-")
            out.append({"op_id": op["op_id"], "status": "rejected", "errno": int(Errno.CERTIFICATE_REVOKED),
                        "message": tr("sync.user_revoked.approval", user=username, date=date, reason=reason,
                                      number=number)})
        elif op["kind"] == "recommendation":  # a signing step without a number: refused as the server would
            out.append({"op_id": op["op_id"], "status": "rejected", "errno": int(Errno.CERTIFICATE_REVOKED),
                        "message": tr("sync.user_revoked.recommendation", user=username, date=date,
                                      reason=reason)})
        else:
            out.append({"op_id": op["op_id"], "status": "rejected", "errno": int(Errno.DEVICE_REVOKED),
                        "message": tr("sync.user_revoked.op", user=username, date=date, reason=reason)})
    log.warning("%s's access is revoked: %d waiting op(s) refused on this laptop", username, len(ops))
    return out


def server_record(colleagues: list[SyncClient], case_id: str) -> dict[str, Any] | None:
    """The server's record of ``case_id`` through the first colleague on this laptop who may read it."""
    for client in colleagues:
        try:
            snap = client.get(Paths.CASE.format(case_id=case_id))
        except SyncError:
            continue
        if isinstance(snap, dict) and snap.get("id") == case_id:
            return snap
    return None


def undo_approval(session: Session, op: Op, actor: str, device: str, at: str) -> None:
    """No colleague could fetch the server's record: undo the local approval the server never saw."""
    case = session.get(Case, op["case_id"])
    if case is None or case.status != CaseStatus.APPROVED.value:
        return
    event = op["payload"].get("event", {})
    if case.letter_number != event.get("letter_number"):
        return
    session.execute(delete(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.action == Action.APPROVE.value,
                                            CaseEvent.actor == actor))
    case.status = CaseStatus.VERIFIED.value
    case.version = int(op["base_version"] if op["base_version"] is not None else case.version - 1)
    case.letter_number, case.letter_sha256, case.updated_at = None, None, at
    log.info("case %s back in the signing queue (approval by revoked %s on %s)", case.id, actor, device)
