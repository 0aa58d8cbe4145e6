"""Approving and signing, offline: one PIN entry for a batch.

The signer takes whichever step of the service's approval chain the case waits for (``app.domain.chain``):
a step before the last is a signed recommendation (an event bound to the case version and content, no number,
no letter); the last renders the letter, naming the earlier signed steps, and signs it as below.

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

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.orm import Session

from app import clock
from app.domain import lifecycle
from app.domain.chain import NextStep
from app.domain.lifecycle import Action, CaseStatus
from app.errors import CancelledError, ForbiddenError, LoketError, TransitionError
from app.events import Changes
from app.i18n import register
from app.jsoncodec import to_json
from app.letters import numbering
from app.letters.berita_acara import render_document
from app.letters.model import Signer, today_wib
from app.services import delegations
from app.services.cases import (
    case_steps,
    check_duties,
    load_case,
    load_for_change,
    next_step_of,
    set_next_office,
    shown_steps,
)
from app.services.changes import Event, Op, record_change
from app.services.letters import case_content, endorsements, letter_data, signer_for, verify_url
from app.services.workspace import Actor, Workspace
from app.signing.approvals import (
    ApprovalEvent,
    RecommendationEvent,
    content_hash,
    sign_event,
    sign_recommendation,
)
from app.signing.certificates import serial_hex
from app.signing.keystore import KeyStore
from app.signing.pades import sign_pdf
from app.storage import meta
from app.storage.models import Case
from app.storage.repo import CaseQuery

Progress = Callable[[int, int, str], None]

register({
    "approve.not_your_step": {
        "id": "Berkas {id} ({name}) menunggu langkah {step} dari {steps}: tanda tangan {office}, bukan Anda.",
        "en": "Case {id} ({name}) waits for step {step} of {steps}: the signature of {office}, not yours.",
    },
    "approve.not_waiting": {
        "id": "Berkas {id} ({name}) tidak menunggu tanda tangan (status: {status}).",
        "en": "Case {id} ({name}) is not waiting for a signature (status: {status}).",
    },
})


@dataclass
class Approved:
    id: str
    status: str
    letter_number: str | None
    error: str | None = None
    step: int | None = None  # the chain step taken (a recommendation keeps the case verified)
    steps: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status != "refused"

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {"id": self.id, "status": self.status, "letter_number": self.letter_number}
        if self.step is not None:
            out.update(step=self.step, steps=self.steps)
        if self.error:
            out["error"] = self.error
        return out


def _turn(ws: Workspace, s: Session, actor: Actor, case: Case) -> NextStep:
    """The step ``case`` waits for, when it is ``actor``'s (own office or a delegation in force); else why not."""
    step = next_step_of(ws, case)
    if step is None:
        raise TransitionError("approve.not_waiting", id=case.reg_no or case.id[:8], name=case.name,
                              status=CaseStatus(case.status).label)
    if step.office != actor.office and step.office not in delegations.delegated_offices(s, actor.username):
        office = ws.offices.get(step.office)
        raise ForbiddenError("approve.not_your_step", id=case.reg_no or case.id[:8], name=case.name, step=step.number,
                             steps=step.total, office=office.display_name if office else step.office)
    return step


def signing_queue(ws: Workspace, actor: Actor) -> CaseQuery:
    """The signer's queue: verified cases whose next signing step (a recommendation or the letter) is
    ``actor``'s office or one delegated to them, without those separation of duties keeps from them (cases
    they registered or verified)."""
    from app.domain.duties import kept_apart

    with ws.db.read() as s:
        offices = (actor.office, *delegations.delegated_offices(s, actor.username))
    return CaseQuery(status=CaseStatus.VERIFIED.value, next_offices=offices, sort="due_date", descending=False,
                     duties=(actor.username, Action.APPROVE.value, kept_apart(ws.catalog)))


def verification_queue(ws: Workspace, actor: Actor) -> CaseQuery:
    """The verifier's queue: the office's submitted cases, without those the verifier registered himself."""
    from app.domain.duties import kept_apart

    return CaseQuery(status=CaseStatus.SUBMITTED.value, office=actor.office, sort="due_date", descending=False,
                     duties=(actor.username, Action.VERIFY.value, kept_apart(ws.catalog)))


def check_turn(ws: Workspace, actor: Actor, idents: Sequence[str]) -> None:
    """Refuse, before any PIN is asked for, a batch holding a case whose next step is not ``actor``'s."""
    lifecycle.check(CaseStatus.VERIFIED, Action.APPROVE, actor.role)
    with ws.db.read() as s:
        for ident in idents:
            _turn(ws, s, actor, load_case(s, ident))


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
        server_device = meta.server_device(s, actor.username) or ws.device_id
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
    done = frozenset(r.id for r in results if r.ok)
    ws.events.publish("changes", Changes(cases=done, outbox=True))
    return results


def _approve_one(ws: Workspace, actor: Actor, ident: str, key: ec.EllipticCurvePrivateKey,
                 chain: Sequence[x509.Certificate], signer: Signer, server_device: str) -> Approved:
    at = clock.now_iso()
    day = today_wib()
    with ws.db.write() as s:
        case = load_for_change(s, ident)
        lifecycle.check(CaseStatus(case.status), Action.APPROVE, actor.role)
        check_duties(s, ws, case, actor, Action.APPROVE)
        service = ws.catalog.get(case.service)
        step = _turn(ws, s, actor, case)
        # The office the step is taken for (a Camat signs a kelurahan's budget proposal as the kecamatan);
        # a delegate signs for it under a delegation (Plh./Plt./a.n.).
        office = step.office
        delegation_id = None
        if office != actor.office:
            record = delegations.for_office(s, actor, office)
            delegation_id = record.id
            signer = delegations.delegated_signer(ws, actor, record)
        chain_at = meta.approval_chain(s, actor.username)
        counter, previous = chain_at.counter + 1, chain_at.last_hash
        if not step.last:
            return _recommend(ws, s, actor, case, step, key, chain, signer, server_device, counter, previous,
                              delegation_id, at)
        serial = numbering.take_next(s, office, service.classification, day.year, actor.username)
        number = numbering.format_number(office, service.classification, serial, day)
        data = letter_data(ws, case, signer, number, day, verify_url(ws, case.id, number), office=office,
                           earlier=endorsements(shown_steps(ws, case)))
        letter = render_document(data)
        event = ApprovalEvent(case_id=case.id, case_version=case.version,
                              content_hash=content_hash(case_content(case)),
                              template_version=service.template_version, pdf_sha256=letter.sha256,
                              letter_number=number, signer_cert_serial=serial_hex(chain[0]),
                              device_id=server_device, device_counter=counter, prev_event_hash=previous,
                              delegation_id=delegation_id)
        signed = sign_event(event, key)
        pdf = sign_pdf(letter.pdf, key, chain, box=letter.signature_box, letter_number=number)
        blob = ws.blobs.put(pdf, "application/pdf")
        base = case.version
        case.status, case.version, case.updated_at = CaseStatus.APPROVED.value, case.version + 1, at
        case.letter_number, case.letter_sha256 = number, blob.sha256
        case.next_office = None
        # Frozen as signed: the event, its signature and the signed PDF travel as they were at this moment.
        payload = {**signed.to_dict(), "pdf": base64.b64encode(pdf).decode()}
        record_change(s, actor, case.id, at, "case.approve", {"letter_number": number, "event_hash": event.hash},
                      event=Event(Action.APPROVE.value, CaseStatus.VERIFIED.value, CaseStatus.APPROVED.value),
                      ops=[Op("approval", base, payload)])
        meta.set_approval_chain(s, actor.username, counter, event.hash)
        return Approved(case.id, case.status, number, step=step.number, steps=step.total)


def _recommend(ws: Workspace, s: Session, actor: Actor, case: Case, step: NextStep,
               key: ec.EllipticCurvePrivateKey, chain: Sequence[x509.Certificate], signer: Signer,
               server_device: str, counter: int, previous: str | None, delegation_id: str | None,
               at: str) -> Approved:
    """A signing step before the last: a signed recommendation; the case stays verified and waits for the
    next step (another office's queue, once synced)."""
    event = RecommendationEvent(case_id=case.id, case_version=case.version,
                                content_hash=content_hash(case_content(case)), step=step.number,
                                office=step.office, signer_cert_serial=serial_hex(chain[0]),
                                device_id=server_device, device_counter=counter, prev_event_hash=previous,
                                delegation_id=delegation_id)
    signed = sign_recommendation(event, key)
    block = signer if isinstance(signer, Signer) else signer_for(actor)
    position = block.block_lines()[0] if block.delegation else (actor.position or block.block_lines()[0])
    recorded = {"step": step.number, "office": step.office, "username": actor.username, "name": block.name,
                "position": position, "nip": block.nip, "at": at, "case_version": case.version,
                "event_hash": event.hash}
    base = case.version
    case.steps = to_json([*case_steps(case), recorded])
    case.version, case.updated_at = case.version + 1, at
    set_next_office(ws, case)
    record_change(s, actor, case.id, at, "case.recommend",
                  {"step": step.number, "office": step.office, "event_hash": event.hash},
                  event=Event(Action.RECOMMEND.value, CaseStatus.VERIFIED.value, CaseStatus.VERIFIED.value),
                  ops=[Op("recommendation", base, {**signed.to_dict(), "at": at})])
    meta.set_approval_chain(s, actor.username, counter, event.hash)
    return Approved(case.id, case.status, None, step=step.number, steps=step.total)
