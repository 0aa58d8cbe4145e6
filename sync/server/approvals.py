"""Checking a laptop's approval on the server, then upgrading its letter (tier 1 → tier 2).

Refused: a forged or altered event, a certificate that is not this user's or is revoked, a replayed event
or a second event under a used device counter (a broken link is re-anchored and recorded), a signer who may
not sign this case, a letter number outside the device's leases or used before, a PDF that is not the
one the event names or whose signature does not validate against the city CA. A stale approval (the
case changed meanwhile) still advances the device's chain — the event itself was genuine — and the case
stays in the signing queue with the reason. An accepted letter gets a city timestamp and validation data.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
from typing import Any

from sqlalchemy import Connection, insert, or_, select, update

from app import clock, timefmt
from app.domain import chain
from app.domain.catalog import Catalog
from app.domain.chain import NextStep
from app.domain.lifecycle import Action, CaseStatus
from app.domain.offices import OfficeDirectory, directory
from app.domain.roles import Role
from app.errors import LoketError
from app.signing.approvals import (
    InvalidApproval,
    SignedApproval,
    SignedRecommendation,
    approval_content,
    content_hash,
    rendered_prefix_matches,
    verify_event,
)
from app.signing.certificates import load_certificate
from sync.protocol import Errno, Op, OpResult
from sync.server import duties, notify, visibility, void_numbers
from sync.server import storage as t
from sync.server.ca import Authority
from sync.server.ops import DeviceCtx, OpRefused
from sync.server.steps import load_steps

MAX_PDF = 5 * 1024 * 1024
log = logging.getLogger("loket.server")


def row_content(row: Any) -> dict[str, Any]:
    """What the signer approved, computed from the server's case row (the same function the laptop uses)."""
    return approval_content(row.id, row.service, row.office, row.nik, row.name, row.fields)


def _year(number: str) -> int | None:
    for part in reversed(number.split("/")):
        if part.isdigit() and len(part) == 4:
            return int(part)
    return None


def _revoked_message(cert: Any) -> str:
    when = timefmt.moment_long(cert.revoked_at, "en")  # "2 December 2026, 09:47 WIB": people read it
    return (f"the signing certificate was revoked on {when} ({cert.revoke_reason_code or 'lainnya'}): approvals "
            "received after that are refused; the case is back in the signing queue for another signer or a Plh")


class ApprovalHandler:
    def __init__(self, authority: Authority, catalog: Catalog, offices: OfficeDirectory | None = None) -> None:
        self.authority = authority
        self.catalog = catalog
        self.offices = offices or directory()

    def __call__(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        if ctx.role is not Role.PENANDATANGAN:
            raise OpRefused(Errno.FORBIDDEN, "only a penandatangan may approve")
        payload = dict(op["payload"])
        pdf_b64 = payload.pop("pdf", None)
        at = payload.pop("at", None)  # when the signer signed, by the device's clock (history keeps both)
        try:
            signed = SignedApproval.from_dict(payload)
        except InvalidApproval as err:
            raise OpRefused(Errno.APPROVAL_INVALID, err.message) from None
        event = signed.event
        self._authentic(conn, ctx, op, signed)
        self._advance_chain(conn, ctx.device_id, event.device_counter, event.prev_event_hash, event.hash)
        row = visibility.case_row(conn, ctx, event.case_id)
        if row is None and visibility.ended_delegation(conn, ctx, event.case_id, event.delegation_id):
            raise OpRefused(Errno.FORBIDDEN, "the delegation has ended")
        if row is None or row.deleted:  # unknown and unreadable alike
            raise OpRefused(Errno.NOT_FOUND, visibility.NOT_FOUND)
        if row.signer_office != ctx.office:
            self._check_delegation(conn, ctx, row.signer_office, event.delegation_id)
        duties.check(conn, self.catalog, ctx.username, row, Action.APPROVE)
        stale = (row.status != CaseStatus.VERIFIED.value or row.version != event.case_version
                 or content_hash(row_content(row)) != event.content_hash)
        if stale:
            return {"op_id": op["op_id"], "status": "rejected", "errno": int(Errno.APPROVAL_STALE),
                    "message": "the case changed after it was signed; it is back in the signing queue",
                    "case": visibility.snapshot_for(conn, ctx, row.id) or {}}
        # The letter is the chain's last step: every earlier signing step must be on this version.
        step = chain.next_step(self.catalog.get(row.service), row.office, row.status, row.version,
                               load_steps(conn, [row.id])[row.id], self.offices)
        if step is None or not step.last:
            return {"op_id": op["op_id"], "status": "rejected", "errno": int(Errno.APPROVAL_STEP),
                    "message": self.step_refusal(step), "case": visibility.snapshot_for(conn, ctx, row.id) or {}}
        self._check_number(conn, ctx, row, event.letter_number)
        pdf = self._pdf(pdf_b64, event.pdf_sha256)
        # pyHanko and reportlab are a second of import: loaded by the first letter, not by every server start
        from app.signing.pades import upgrade_pdf, verify_pdf

        check = verify_pdf(pdf, [self.authority.root])
        if not (check.valid and check.trusted) or check.signer_serial not in (None, event.signer_cert_serial):
            raise OpRefused(Errno.APPROVAL_INVALID, "the letter's signature does not validate: "
                            + "; ".join(check.problems[:3]))
        try:
            upgraded = upgrade_pdf(pdf, self.authority.timestamper(conn), [self.authority.root],
                                   crls=[self.authority.crl(conn)])
        except LoketError as err:
            raise OpRefused(Errno.APPROVAL_INVALID, f"upgrade failed: {err.message}") from None
        signed_sha = hashlib.sha256(pdf).hexdigest()
        letter_sha = hashlib.sha256(upgraded).hexdigest()
        for sha, data in ((signed_sha, pdf), (letter_sha, upgraded)):
            if conn.execute(select(t.blobs.c.sha256).where(t.blobs.c.sha256 == sha)).first() is None:
                conn.execute(insert(t.blobs).values(sha256=sha, size=len(data), complete=True, data=data,
                                                    created_at=now))
        conn.execute(insert(t.approvals).values(
            case_id=row.id, letter_number=event.letter_number, event=json.dumps(event.payload()),
            signature=signed.signature, event_hash=event.hash, device_id=ctx.device_id,
            device_counter=event.device_counter, cert_serial=event.signer_cert_serial, signer=ctx.username,
            signed_sha256=signed_sha, letter_sha256=letter_sha, accepted_at=now))
        conn.execute(update(t.cases).where(t.cases.c.id == row.id).values(
            status=CaseStatus.APPROVED.value, version=row.version + 1, letter_number=event.letter_number,
            letter_sha256=letter_sha, updated_at=now))
        conn.execute(t.case_events.insert().values(
            case_id=row.id, action=Action.APPROVE.value, from_status=row.status, to_status="approved",
            actor=ctx.username, device=ctx.device_id, reason=None, at=str(at or now),
            received_at=now))
        notify.enqueue(conn, row, Action.APPROVE.value, now)  # the citizen is told later, outside this transaction
        return {"op_id": op["op_id"], "status": "applied", "version": row.version + 1}

    def _authentic(self, conn: Connection, ctx: DeviceCtx, op: Op,
                   signed: SignedApproval | SignedRecommendation) -> None:
        """The event names this op's case and this device, and is signed by this user's unrevoked certificate."""
        event = signed.event
        if event.case_id != op.get("case_id") or event.device_id != ctx.device_id:
            raise OpRefused(Errno.APPROVAL_INVALID, "event does not match the op or the device")
        # FOR UPDATE: a revocation committing meanwhile waits, so no letter is timestamped after its revocation
        cert_row = conn.execute(select(t.certificates).where(t.certificates.c.serial == event.signer_cert_serial)
                                .with_for_update()).first()
        if cert_row is None or cert_row.username != ctx.username:
            raise OpRefused(Errno.APPROVAL_INVALID, "the certificate is not this signer's")
        try:
            verify_event(signed, load_certificate(cert_row.pem.encode()))
        except InvalidApproval as err:
            raise OpRefused(Errno.APPROVAL_INVALID, err.message) from None
        if cert_row.revoked_at is not None:
            raise OpRefused(Errno.CERTIFICATE_REVOKED, _revoked_message(cert_row),
                            chain=self._head(conn, ctx.device_id))

    def step_refusal(self, step: NextStep | None) -> str:
        if step is None:
            return "the case is not waiting for a signature"
        office = self.offices.get(step.office)
        return (f"the case waits for step {step.number} of {step.total} "
                f"({office.display_name if office else step.office}); it is back in that queue")

    def _head(self, conn: Connection, device: str) -> dict[str, Any]:
        """The device's chain head as the server holds it: a refused approval does not advance it."""
        chain = conn.execute(select(t.device_chains).where(t.device_chains.c.device_id == device)).first()
        return {"counter": chain.counter, "last_hash": chain.last_hash} if chain else {"counter": 0, "last_hash": None}

    def _check_delegation(self, conn: Connection, ctx: DeviceCtx, office: str, delegation_id: str | None) -> None:
        """A delegate signs for ``office`` only under a delegation in force when the approval arrives."""
        if not delegation_id:
            raise OpRefused(Errno.FORBIDDEN, "this signer may not sign this case")
        found = conn.execute(select(t.delegations).where(t.delegations.c.id == delegation_id)).first()
        now = clock.now_iso()
        if found is None or found.delegate != ctx.username or found.office != office:
            raise OpRefused(Errno.FORBIDDEN, "no delegation lets this signer sign for this office")
        if found.revoked_at is not None or not (found.valid_from <= now <= found.valid_until):
            raise OpRefused(Errno.FORBIDDEN, "the delegation has ended")

    def _advance_chain(self, conn: Connection, device: str, counter: int, prev: str | None, new: str) -> None:
        """Take a genuine event (its signature already checked against the signer's unrevoked certificate)
        into the device's chain.

        The chain still refuses what it exists to catch: an event received before (a replay), a second,
        different event under a counter already taken (equivocation), and an event whose counter is not above
        the one of the event it names as predecessor. A link that does not match the server's head — a lost
        op, a laptop restored from a backup, an event arriving after its successor — no longer voids an
        honestly signed letter: the event is accepted if everything else holds (case current, number in the
        lease and unused; those checks follow and undo this step when they refuse), the head moves to the
        highest counter, and the break is recorded in ``chain_breaks`` and the log."""
        chain = conn.execute(select(t.device_chains).where(t.device_chains.c.device_id == device)).first()
        head_counter, head_hash = (int(chain.counter), str(chain.last_hash)) if chain else (0, None)
        head = {"counter": head_counter, "last_hash": head_hash}
        taken = conn.execute(select(t.chain_events.c.counter, t.chain_events.c.event_hash).where(
            t.chain_events.c.device_id == device,
            or_(t.chain_events.c.counter == counter, t.chain_events.c.event_hash == new))).first()
        replayed = conn.execute(select(t.approvals.c.id).where(t.approvals.c.event_hash == new)).first()
        if replayed is not None or (taken is not None and taken.event_hash == new):
            raise OpRefused(Errno.APPROVAL_INVALID, "this approval event was received before (replay)", chain=head)
        if taken is not None or (counter == head_counter and chain is not None):
            log.warning("approval chain: device %s signed two different events under counter %d (refused)",
                        device, counter)
            raise OpRefused(Errno.APPROVAL_INVALID, "another approval event of this device already has this "
                            "counter", chain=head)
        before = None if prev is None else conn.execute(select(t.chain_events.c.counter).where(
            t.chain_events.c.device_id == device, t.chain_events.c.event_hash == prev)).first()
        if before is not None and counter <= before.counter:
            raise OpRefused(Errno.APPROVAL_INVALID, "the device counter went backwards from the event it follows",
                            chain=head)
        now = clock.now_iso()
        if prev != head_hash or counter <= head_counter:
            kind = "late" if counter < head_counter else ("first" if chain is None else "relinked")
            log.warning("approval chain: device %s event %d names %s, server head %d; re-anchored (%s)",
                        device, counter, (prev or "-")[:12], head_counter, kind)
            conn.execute(insert(t.chain_breaks).values(
                device_id=device, kind=kind, counter=counter, event_hash=new, prev_hash=prev,
                head_counter=head_counter, head_hash=head_hash, at=now))
        conn.execute(insert(t.chain_events).values(device_id=device, counter=counter, event_hash=new,
                                                   received_at=now))
        if chain is None:
            conn.execute(insert(t.device_chains).values(device_id=device, counter=counter, last_hash=new))
        elif counter > chain.counter:
            conn.execute(update(t.device_chains).where(t.device_chains.c.device_id == device)
                         .values(counter=counter, last_hash=new))

    def _check_number(self, conn: Connection, ctx: DeviceCtx, row: Any, number: str) -> None:
        service = self.catalog.get(row.service)
        year = _year(number)
        serial = None
        for part in number.split("/"):
            if part.isdigit() and part != str(year):
                serial = int(part)
                break
        if year is None or serial is None or not number.startswith(service.classification + "/"):
            raise OpRefused(Errno.NUMBER_OUTSIDE_LEASE, "letter number not in the office's format")
        lease = conn.execute(select(t.leases.c.id).where(
            t.leases.c.device_id == ctx.device_id, t.leases.c.office == row.signer_office,
            t.leases.c.classification == service.classification, t.leases.c.year == year,
            t.leases.c.first <= serial, t.leases.c.last >= serial)).first()
        if lease is None:
            raise OpRefused(Errno.NUMBER_OUTSIDE_LEASE, "letter number outside this device's leased blocks")
        if conn.execute(select(t.approvals.c.id).where(t.approvals.c.letter_number == number)).first():
            raise OpRefused(Errno.NUMBER_OUTSIDE_LEASE, "letter number already used")

    def _pdf(self, pdf_b64: Any, expected: str) -> bytes:
        if not isinstance(pdf_b64, str) or len(pdf_b64) > MAX_PDF * 4 // 3 + 8:
            raise OpRefused(Errno.APPROVAL_INVALID, "the signed letter is missing or too large")
        try:
            pdf = base64.b64decode(pdf_b64, validate=True)
        except (binascii.Error, ValueError):
            raise OpRefused(Errno.APPROVAL_INVALID, "the signed letter is not base64") from None
        if not rendered_prefix_matches(pdf, expected):
            raise OpRefused(Errno.APPROVAL_INVALID, "the letter is not the one the event names")
        return pdf

    def receive(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        """The op handler: an approval, and when it is refused, what a genuinely signed event leaves behind.

        A refusal undoes everything the approval did; then, if the event's signature verifies against this
        signer's own certificate, the event still takes its place in the device's chain (so that the next
        event, which names it, links) and its letter number is recorded as void (the public page explains it
        to the citizen who holds the letter). Not for a case this device may not read: that refusal must be
        exactly the one an unknown case gets, and nothing about the case may be recorded under it."""
        savepoint = conn.begin_nested()
        try:
            result = self(conn, ctx, op, now)
        except OpRefused as err:
            savepoint.rollback()
            if err.errno == Errno.NOT_FOUND:
                raise
            signed = void_numbers.genuine_event(conn, ctx.username, op)
            if signed is None:
                raise
            event = signed.event
            with contextlib.suppress(OpRefused):  # a replay or a reused counter: nothing to keep
                self._advance_chain(conn, ctx.device_id, event.device_counter, event.prev_event_hash, event.hash)
            void_numbers.record(conn, signed, ctx.device_id, int(err.errno), now)
            refused: OpResult = {"op_id": op["op_id"], "status": "rejected", "errno": int(err.errno),
                                 "message": err.message}
            snapshot = visibility.snapshot_for(conn, ctx, event.case_id)
            if snapshot is not None:
                refused["case"] = snapshot
            if err.chain is not None:
                refused["chain"] = err.chain
            return refused
        savepoint.commit()
        if result.get("status") == "rejected":  # stale: refused without undoing the chain step
            signed = void_numbers.genuine_event(conn, ctx.username, op)
            if signed is not None:
                void_numbers.record(conn, signed, ctx.device_id, int(result.get("errno") or 0), now)
        return result
