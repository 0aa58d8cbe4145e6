"""Approving and signing, offline: one PIN entry for a batch.

For each case: a number from this device's leased block, the letter rendered, an approval event (RFC 8785
JSON bound to the case version, the case content and the letter's hash, with the device's counter and the
previous event's hash) signed with the device key, and a PAdES B-B signature on the letter. The case,
the signed letter, the outbox op and the audit entry are written in one transaction per case, so a batch
interrupted half-way keeps every letter already signed.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from app import clock
from app.domain import lifecycle
from app.domain.lifecycle import Action, CaseStatus
from app.errors import CancelledError, LoketError
from app.events import Changes
from app.letters import numbering
from app.letters.model import today_wib
from app.letters.render import render_letter
from app.services import delegations
from app.services.cases import audit_record, load_case, outbox_op
from app.services.letters import case_content, letter_data, signer_for, verify_url
from app.services.workspace import Actor, Workspace
from app.signing.approvals import ApprovalEvent, content_hash, sign_event
from app.signing.certificates import serial_hex
from app.signing.keystore import KeyStore
from app.signing.pades import sign_pdf
from app.storage import audit, repo
from app.storage.models import CaseEvent

Progress = Callable[[int, int, str], None]


@dataclass
class Approved:
    id: str
    status: str
    letter_number: str | None
    error: str | None = None

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "status": self.status, "letter_number": self.letter_number}
        if self.error:
            out["error"] = self.error
        return out


def keystore(ws: Workspace, actor: Actor) -> KeyStore:
    return KeyStore(ws.profile, ws.device_id, actor.username)


def approve_batch(ws: Workspace, actor: Actor, idents: Sequence[str], pin: str, *,
                  progress: Progress | None = None, cancel: threading.Event | None = None) -> list[Approved]:
    """Approve and sign ``idents`` with one PIN. A wrong PIN refuses the whole batch before any key is used;
    a case that cannot be approved is reported with its reason and the others go on."""
    lifecycle.check(CaseStatus.VERIFIED, Action.APPROVE, actor.role)
    store = keystore(ws, actor)
    chain = store.load_chain()
    results: list[Approved] = []
    signer = signer_for(actor)
    with ws.db.read() as s:
        server_device = repo.get_meta(s, f"server_device:{actor.username}") or ws.device_id
    with store.unlocked(pin) as key:
        for index, ident in enumerate(idents):
            if cancel is not None and cancel.is_set():
                raise CancelledError()
            if progress:
                progress(index, len(idents), ident)
            try:
                results.append(_approve_one(ws, actor, ident, key, chain, signer, server_device))
            except LoketError as err:
                results.append(Approved(ident, "refused", None, err.message))
    if progress:
        progress(len(idents), len(idents), "")
    done = frozenset(r.id for r in results if r.status == CaseStatus.APPROVED.value)
    ws.events.publish("changes", Changes(cases=done, outbox=True))
    return results


def _approve_one(ws: Workspace, actor: Actor, ident: str, key: object, chain: list, signer: object,  # type: ignore[type-arg]
                 server_device: str) -> Approved:
    at = clock.now_iso()
    day = today_wib()
    with ws.db.write() as s:
        case = load_case(s, ident)
        lifecycle.check(CaseStatus(case.status), Action.APPROVE, actor.role)
        service = ws.catalog.get(case.service)
        # The issuing office is the one that signs (a Camat signs a kelurahan's budget proposal as the
        # kecamatan); a delegate signs for it under a delegation (Plh./Plt./a.n.).
        office = service.signer_office(case.office, ws.offices)
        delegation_id = None
        if office != actor.office:
            record = delegations.for_office(s, actor, office)
            delegation_id = record.id
            signer = delegations.delegated_signer(ws, actor, record)
        serial = numbering.take_next(s, office, service.classification, day.year, actor.username)
        number = numbering.format_number(office, service.classification, serial, day)
        data = letter_data(ws, case, signer, number, day, verify_url(ws, case.id, number), office=office)  # type: ignore[arg-type]
        letter = render_letter(data)
        counter = int(repo.get_meta(s, f"approval_counter:{actor.username}") or 0) + 1
        previous = repo.get_meta(s, f"approval_last:{actor.username}")
        event = ApprovalEvent(case_id=case.id, case_version=case.version,
                              content_hash=content_hash(case_content(case)),
                              template_version=service.template_version, pdf_sha256=letter.sha256,
                              letter_number=number, signer_cert_serial=serial_hex(chain[0]),
                              device_id=server_device, device_counter=counter, prev_event_hash=previous,
                              delegation_id=delegation_id)
        signed = sign_event(event, key)  # type: ignore[arg-type]
        pdf = sign_pdf(letter.pdf, key, chain, box=letter.signature_box, letter_number=number)  # type: ignore[arg-type]
        blob = ws.blobs.put(pdf, "application/pdf")
        base = case.version
        case.status, case.version, case.updated_at = CaseStatus.APPROVED.value, case.version + 1, at
        case.letter_number, case.letter_sha256 = number, blob.sha256
        s.add(CaseEvent(case_id=case.id, action=Action.APPROVE.value, from_status=CaseStatus.VERIFIED.value,
                        to_status=CaseStatus.APPROVED.value, actor=actor.username, device=actor.device, at=at))
        payload = {**signed.to_dict(), "pdf": base64.b64encode(pdf).decode()}
        repo.insert_outbox(s, [outbox_op(actor, "approval", case.id, base, payload, at)])
        audit.append(s, [audit_record(actor, "case.approve", case.id, at,
                                 {"letter_number": number, "event_hash": event.hash})])
        repo.set_meta(s, f"approval_counter:{actor.username}", str(counter))
        repo.set_meta(s, f"approval_last:{actor.username}", event.hash)
        return Approved(case.id, case.status, number)
