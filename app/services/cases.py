"""Case operations. Each mutation writes the change, its outbox op and its audit entry in one transaction,
then publishes a :class:`Changes` value. Safe to call from any thread with its own Workspace session use."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.domain import chain, lifecycle
from app.domain.catalog import ServiceType
from app.domain.intake import Intake, check_intake, missing_required
from app.domain.lifecycle import Action, CaseStatus
from app.domain.offices import OfficeLevel
from app.domain.roles import Role
from app.errors import FieldProblem, ForbiddenError, UserFacingError, ValidationError
from app.events import Changes
from app.i18n import register
from app.jsoncodec import to_json
from app.services import caseview
from app.services.caseview import case_steps as case_steps  # the approvals take it from here
from app.services.changes import Event, Op, freeze_create, record_change, record_created
from app.services.workspace import Actor, Workspace
from app.storage import meta, repo
from app.storage.models import Attachment, Case, CaseEvent

register({
    "nik.confirm.step": {
        "id": "Konfirmasi data yang berbeda dengan NIK hanya dicatat saat berkas diajukan.",
        "en": "A confirmation of data that differs from the NIK is recorded only when the case is submitted.",
    },
})


def due_date(start: dt.date, working_days: int) -> dt.date:
    """The service-level deadline: ``working_days`` Monday–Friday days after ``start``."""
    day, left = start, working_days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def _step_details(step: Mapping[str, Any]) -> str | None:
    """What a history step keeps beyond its reason: the hand-over record, the confirmed NIK differences."""
    details = {k: step[k] for k in ("handover", "nik_confirmed") if k in step}
    return to_json(details) if details else None


def check_service_office(ws: Workspace, actor: Actor, service: ServiceType) -> None:
    if service not in ws.catalog.offered_to(actor, ws.offices):
        office = ws.offices.get(actor.office)
        raise ForbiddenError("service.office", service=service.name,
                             office=office.display_name if office else actor.office)


def next_step_of(ws: Workspace, case: Case) -> chain.NextStep | None:
    """The signing step the case waits for (None unless it is verified)."""
    return caseview.next_step(ws.catalog, ws.offices, case)


def set_next_office(ws: Workspace, case: Case) -> None:
    """Keep the derived ``next_office`` column (the signing queue's index) equal to the chain's answer."""
    step = next_step_of(ws, case)
    case.next_office = step.office if step else None


def check_case_office(ws: Workspace, actor: Actor, case: Case, action: Action) -> None:
    service = ws.catalog.get(case.service)
    allowed = case.office
    if actor.role is Role.PENANDATANGAN and action in (Action.APPROVE, Action.RETURN, Action.REJECT):
        step = next_step_of(ws, case)
        allowed = step.office if step else service.signer_office(case.office, ws.offices)
    if actor.office != allowed:
        office = ws.offices.get(case.office)
        raise ForbiddenError("transition.office", office=office.display_name if office else case.office)


@dataclass
class NewCase:
    id: str
    status: str
    service: str
    warnings: list[str] = field(default_factory=list)


def new_case_row(actor: Actor, service: ServiceType, intake: Intake, at: str, due: str,
                 case_id: str | None = None) -> tuple[Any, ...]:
    """A new draft case as stored, in ``repo.CASE_COLUMNS`` order."""
    return (case_id or str(uuid.uuid4()), service.code, actor.office, intake.nik, intake.name,
            to_json(intake.fields), CaseStatus.DRAFT.value, 1, None, at, at, actor.username, actor.device, due,
            None, None)


def _attach(ws: Workspace, session: Session, actor: Actor, case_id: str, service: ServiceType,
            files: Mapping[str, Path], at: str) -> None:
    for code, path in files.items():
        if service.document(code) is None:
            raise ValidationError([FieldProblem(code, "document.unknown", code=code, service=service.code)])
        data, mime = ws.blobs.check_file(Path(path))
        blob = ws.blobs.put(data, mime)
        if session.query(Attachment).filter_by(case_id=case_id, doc_code=code, sha256=blob.sha256).first():
            continue
        session.add(Attachment(case_id=case_id, doc_code=code, sha256=blob.sha256, filename=Path(path).name,
                               size=blob.size, mime=blob.mime, added_at=at, added_by=actor.username))
        payload = {"doc_code": code, "sha256": blob.sha256, "filename": Path(path).name, "size": blob.size,
                   "mime": blob.mime}
        record_change(session, actor, case_id, at, "attachment.add", {"doc_code": code, "sha256": blob.sha256},
                      ops=[Op("attachment.add", None, payload), Op("blob", None, {"sha256": blob.sha256})])


def create(ws: Workspace, actor: Actor, service_code: str, nik: str | None, name: str,
           fields: Mapping[str, str] | None = None, attachments: Mapping[str, Path] | None = None) -> NewCase:
    """Register a draft case. Works offline. Missing required data is only demanded at submit."""
    lifecycle.check(None, Action.CREATE, actor.role)
    service = ws.catalog.get(service_code)
    check_service_office(ws, actor, service)
    intake, problems = check_intake(service, nik, name, fields or {}, complete=False)
    if problems:
        raise ValidationError(problems)
    for path in (attachments or {}).values():  # refuse a bad file before anything is written
        ws.blobs.check_file(Path(path))
    at = clock.now_iso()
    row = new_case_row(actor, service, intake, at, due_date(clock.today(), service.sla_days).isoformat())
    case_id = str(row[0])
    warnings: list[str] = []
    with ws.db.write() as s:
        if intake.nik and repo.open_cases_for(s, intake.nik, service.code):
            warnings.append("duplicate")
        record_created(s, actor, [row], at)
        if attachments:
            _attach(ws, s, actor, case_id, service, attachments, at)
    ws.events.publish("changes", Changes(cases=frozenset({case_id}), outbox=True))
    return NewCase(case_id, CaseStatus.DRAFT.value, service.code, warnings)


def load_case(s: Session, ident: str) -> Case:
    found = repo.find_case(s, ident)
    caseview.one_case(found, ident)  # says so when it names none or several
    return found[0]


def load_for_change(s: Session, ident: str) -> Case:
    """The case about to change, in a write transaction: a create op of it still waiting keeps what was
    registered (see :mod:`app.services.changes`)."""
    case = load_case(s, ident)
    freeze_create(s, case.id)
    return case


def resolve_id(ws: Workspace, ident: str) -> str:
    with ws.db.read() as s:
        return load_case(s, ident).id


@dataclass
class Updated:
    id: str
    status: str
    version: int


def edit(ws: Workspace, actor: Actor, ident: str, fields: Mapping[str, str] | None = None,
         attachments: Mapping[str, Path] | None = None, *, nik: str | None = None,
         name: str | None = None) -> Updated:
    """Change fields (and/or attach documents) of a case still in the petugas' hands. Works offline."""
    for path in (attachments or {}).values():
        ws.blobs.check_file(Path(path))
    at = clock.now_iso()
    with ws.db.write() as s:
        case = load_for_change(s, ident)
        lifecycle.check(CaseStatus(case.status), Action.EDIT, actor.role)
        check_case_office(ws, actor, case, Action.EDIT)
        service = ws.catalog.get(case.service)
        intake, problems = check_intake(service, nik if nik is not None else case.nik,
                                        name if name is not None else case.name, fields or {}, complete=False)
        if problems:
            raise ValidationError(problems)
        current = json.loads(case.fields)
        changed = {k: v for k, v in intake.fields.items() if current.get(k) != v}
        cleared = {k: None for k, v in (fields or {}).items() if not str(v).strip() and k in current}
        payload: dict[str, Any] = {"fields": {**changed, **cleared}}
        if nik is not None and intake.nik != case.nik:
            payload["nik"] = case.nik = intake.nik
        if name is not None and intake.name != case.name:
            payload["name"] = case.name = intake.name
        if payload["fields"] or len(payload) > 1:
            current.update(changed)
            for k in cleared:
                current.pop(k, None)
            # The base is the server version this content derives from, not the local count: after two offline
            # edits the local version 3 would pass for "has seen server version 3", hiding another device's
            # change of the same field from the server's conflict check (tests/faults/test_simulation.py).
            base = case.server_version if case.server_version is not None else 1
            case.fields = to_json(current)
            case.version += 1
            case.updated_at = at
            keys = to_json(sorted(payload["fields"]) + [k for k in ("nik", "name") if k in payload])
            record_change(s, actor, case.id, at, "case.edit", {"keys": sorted(payload["fields"])},
                          event=Event(Action.EDIT.value, case.status, case.status, details=keys),
                          ops=[Op("case.edit", base, payload)])
        if attachments:
            _attach(ws, s, actor, case.id, service, attachments, at)
            case.updated_at = at
        result = Updated(case.id, case.status, case.version)
    ws.events.publish("changes", Changes(cases=frozenset({result.id}), outbox=True))
    return result


def transition(ws: Workspace, actor: Actor, ident: str, action: Action, reason: str | None = None, *,
               handover: Mapping[str, str] | None = None,
               nik_confirmed: Mapping[str, Any] | None = None) -> Updated:
    """A lifecycle step (submit, verify, return, reject, issue, withdraw). Approval lives in approvals.

    ``handover``: who collected the letter at an issue (:mod:`app.services.handover` checks it).
    ``nik_confirmed`` (submit only): ``{"fields": [...], "reason": ...}`` when the counter keeps a birth date or
    sex that differs from the NIK; the history keeps it (the step's reason says it, its details hold it)."""
    reason = (reason or "").strip() or None
    if nik_confirmed is not None:
        from app.domain.nik import REASON_MAX, REASON_MIN

        if action is not Action.SUBMIT:
            raise UserFacingError("nik.confirm.step")
        if not REASON_MIN <= len(str(nik_confirmed.get("reason") or "").strip()) <= REASON_MAX:
            raise ValidationError([FieldProblem("reason", "text.length", label="Alasan", max=REASON_MAX)])
    at = clock.now_iso()
    with ws.db.write() as s:
        case = load_for_change(s, ident)
        status = CaseStatus(case.status)
        target = lifecycle.check(status, action, actor.role)
        check_case_office(ws, actor, case, action)
        check_duties(s, ws, case, actor, action)
        if lifecycle.transition_for(action).needs_reason and not reason:
            raise ValidationError([FieldProblem("reason", "reason.required")])
        step: dict[str, Any] = {"action": action.value, "reason": reason}
        if action is Action.SUBMIT:
            _check_complete(s, ws, case)
            _register_number(s, case)
            step.update(reg_no=case.reg_no, access_code=case.access_code)
        if handover is not None and action is Action.ISSUE:
            step["handover"] = dict(handover)
        if nik_confirmed:
            step["nik_confirmed"] = dict(nik_confirmed)
        assert target is not None
        base = case.version
        case.status, case.version, case.updated_at = target.value, case.version + 1, at
        case.reason = reason if action in (Action.RETURN, Action.REJECT, Action.WITHDRAW) else case.reason
        set_next_office(ws, case)
        record_change(s, actor, case.id, at, f"case.{action.value}", {"from": status.value, "to": target.value},
                      event=Event(action.value, status.value, target.value, reason=reason,
                                  details=_step_details(step)),
                      ops=[Op("case.transition", base, step)])
        result = Updated(case.id, case.status, case.version)
    ws.events.publish("changes", Changes(cases=frozenset({result.id}), outbox=True))
    return result


def _register_number(s: Session, case: Case) -> None:
    """The receipt's registration number and access code, given at the first submit (kept after a return)."""
    from app.services import registration

    if not case.reg_no:
        case.reg_no = registration.take_reg_no(s, case.service, case.office)
    if not case.access_code:
        case.access_code = registration.new_access_code()


def check_duties(s: Session, ws: Workspace, case: Case, actor: Actor, action: Action) -> None:
    """Separation of duties as the catalogue asks (:mod:`app.domain.duties`), before anything is written."""
    from sqlalchemy import select

    from app.domain import duties

    verifier = s.scalars(select(CaseEvent.actor).where(CaseEvent.case_id == case.id,
                                                       CaseEvent.action == Action.VERIFY.value)
                         .order_by(CaseEvent.id.desc()).limit(1)).first()
    duties.check(ws.catalog.get(case.service).separation_of_duties, action, actor.username, case.created_by,
                 verifier)


def _check_complete(s: Session, ws: Workspace, case: Case) -> None:
    service = ws.catalog.get(case.service)
    problems = missing_required(service, json.loads(case.fields))
    have = {a.doc_code for a in repo.attachments_of(s, case.id)}
    problems += [FieldProblem(d.code, "document.required", label=d.name) for d in service.documents
                 if d.required and d.code not in have]
    if problems:
        raise ValidationError(problems)


def case_dict(ws: Workspace, case: Case) -> dict[str, Any]:
    return caseview.case_dict(case)


def show(ws: Workspace, ident: str) -> dict[str, Any]:
    """One case with its fields, documents and full history, for ``case show`` and the detail view (shaped by
    :mod:`app.services.caseview`, which the command line's light read path shares)."""
    from app.services import refusals

    with ws.db.read() as s:
        case = load_case(s, ident)
        return caseview.shape(case, repo.events_of(s, case.id), repo.attachments_of(s, case.id),
                              refusals.of_case(s, case.id), device_names=repo.device_names(s),
                              own_devices=repo.own_devices(s) | {ws.device_id}, catalog=ws.catalog,
                              offices=ws.offices, server_url=meta.server_url(s),
                              history_pending=meta.history_pending(s))


def shown_steps(ws: Workspace, case: Case) -> list[Mapping[str, Any]]:
    """The earlier signed steps that count: those the verified case rests on, or those its letter names."""
    return caseview.shown_steps(ws.catalog.get(case.service), case)


def is_overdue(case: Case, today: dt.date | None = None) -> bool:
    if not CaseStatus(case.status).is_open:
        return False
    return case.due_date < (today or clock.today()).isoformat()


def office_level_of(ws: Workspace, code: str) -> OfficeLevel | None:
    office = ws.offices.get(code)
    return office.level if office else None
