"""What ``case show`` says about one case — its values, fields, documents, history, refusals, letter and signed
steps — shaped from plain rows. No database code here: :func:`app.services.cases.show` hands it rows read through
SQLAlchemy, the command line's light read path (:func:`show_light`, rows from :mod:`app.storage.lightread`) hands
it the same rows read with plain SELECTs, and both get the same dict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

from app.domain import chain
from app.domain.catalog import Catalog, ServiceType
from app.domain.lifecycle import CaseStatus
from app.domain.offices import OfficeDirectory
from app.errors import NotFoundError, UserFacingError
from app.services.refusalview import Refusal

PUBLIC_URL_FALLBACK = "https://loket.malangkota.go.id"


class CaseRow(Protocol):
    """A case as ``case show`` reads it (the ``cases`` table's columns it needs)."""

    @property
    def id(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def office(self) -> str: ...
    @property
    def nik(self) -> str | None: ...
    @property
    def name(self) -> str: ...
    @property
    def fields(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def server_version(self) -> int | None: ...
    @property
    def created_at(self) -> str: ...
    @property
    def updated_at(self) -> str: ...
    @property
    def created_by(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def due_date(self) -> str: ...
    @property
    def letter_number(self) -> str | None: ...
    @property
    def letter_sha256(self) -> str | None: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def steps(self) -> str | None: ...
    @property
    def reg_no(self) -> str | None: ...


class EventRow(Protocol):
    """One step of a case's history (``case_events``)."""

    @property
    def action(self) -> str: ...
    @property
    def from_status(self) -> str | None: ...
    @property
    def to_status(self) -> str | None: ...
    @property
    def actor(self) -> str: ...
    @property
    def device(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def details(self) -> str | None: ...
    @property
    def at(self) -> str: ...
    @property
    def received_at(self) -> str | None: ...


class DocumentRow(Protocol):
    """One attached document (``attachments``)."""

    @property
    def doc_code(self) -> str: ...
    @property
    def filename(self) -> str: ...
    @property
    def sha256(self) -> str: ...
    @property
    def size(self) -> int: ...
    @property
    def mime(self) -> str: ...


def verify_url_for(server_url: str | None, case_id: str, number: str | None = None) -> str:
    """The public page a letter's QR code opens (the city's public address until the device is enrolled).
    With the letter's number, the page can say of this very letter whether it is valid or was voided."""
    url = f"{(server_url or PUBLIC_URL_FALLBACK).rstrip('/')}/verify/{case_id}"
    return f"{url}?no={quote(number, safe='')}" if number else url


def case_steps(case: CaseRow) -> list[dict[str, Any]]:
    """The signed steps of the case's approval chain recorded so far (see ``app.domain.chain``)."""
    try:
        steps = json.loads(case.steps) if case.steps else []
    except ValueError:
        return []
    return [s for s in steps if isinstance(s, dict)] if isinstance(steps, list) else []


def next_step(catalog: Catalog, offices: OfficeDirectory, case: CaseRow) -> chain.NextStep | None:
    """The signing step the case waits for (None unless it is verified)."""
    return chain.next_step(catalog.get(case.service), case.office, case.status, case.version, case_steps(case),
                           offices)


def shown_steps(service: ServiceType, case: CaseRow) -> list[Mapping[str, Any]]:
    """The earlier signed steps that count: those the verified case rests on, or those its letter names."""
    if case.status == CaseStatus.VERIFIED.value:
        return chain.signed_steps(service, case_steps(case), case.version)
    if case.letter_number:
        return chain.letter_steps(service, case_steps(case))
    return []


def case_dict(case: CaseRow) -> dict[str, Any]:
    return {"id": case.id, "status": case.status, "service": case.service, "nik": case.nik, "name": case.name,
            "office": case.office, "version": case.version, "updated_at": case.updated_at,
            "due_date": case.due_date, "letter_number": case.letter_number, "reg_no": case.reg_no}


def _handover_of(details: str | None) -> dict[str, Any]:
    """``{"handover": {...}}`` for an issue step that recorded who collected the letter, else nothing."""
    if not details or not details.startswith("{"):
        return {}
    record = json.loads(details).get("handover")
    return {"handover": record} if isinstance(record, dict) else {}


def _step_shown(step: Mapping[str, Any]) -> dict[str, Any]:
    return {k: step.get(k) for k in ("step", "office", "username", "name", "position", "at")}


def _letter(case: CaseRow, server_url: str | None) -> dict[str, Any] | None:
    """The signed letter as ``case show`` reports it: number, file hash, where anyone can check it."""
    if not case.letter_number or not case.letter_sha256:
        return None
    return {"number": case.letter_number, "sha256": case.letter_sha256,
            "verify_url": verify_url_for(server_url, case.id, case.letter_number)}


def shape(case: CaseRow, events: Iterable[EventRow], documents: Iterable[DocumentRow],
          refusals: Sequence[Refusal], *, device_names: Mapping[str, str], own_devices: set[str],
          catalog: Catalog, offices: OfficeDirectory, server_url: str | None,
          history_pending: bool = False) -> dict[str, Any]:
    """One case with its fields, documents and full history. ``own_devices``: this laptop's device ids (its
    own and the server's ids of the people enrolled on it). ``history_pending``: the pass that brings the
    history and documents after a light first pull has not finished; a case from the server with neither
    yet is shown with ``history_coming`` (they may still come)."""

    def device(ident: str | None) -> dict[str, Any]:
        return {"device": ident, "device_name": device_names.get(ident or ""), "this_device": ident in own_devices}

    history = [{"action": "create", "from": None, "to": "draft", "actor": case.created_by,
                **device(case.device), "at": case.created_at, "received_at": None, "reason": None,
                "on_server": case.server_version is not None}]
    history += [{"action": e.action, "from": e.from_status, "to": e.to_status, "actor": e.actor,
                 **device(e.device), "at": e.at, "received_at": e.received_at, "reason": e.reason,
                 **_handover_of(e.details)} for e in events]
    docs = [{"doc_code": a.doc_code, "filename": a.filename, "sha256": a.sha256, "size": a.size,
             "mime": a.mime} for a in documents]
    step = next_step(catalog, offices, case)
    out = case_dict(case)
    out.update({"fields": json.loads(case.fields), "reason": case.reason, "created_at": case.created_at,
                "created_by": case.created_by, "events": history, "documents": docs,
                "letter": _letter(case, server_url), "next_step": step.as_dict() if step else None,
                "steps": [_step_shown(x) for x in shown_steps(catalog.get(case.service), case)],
                "refusals": [r.as_dict() for r in refusals],
                "history_coming": history_pending and case.server_version is not None and len(history) == 1
                and not docs})
    return out


def one_case(found: Sequence[CaseRow], ident: str) -> CaseRow:
    """The one case ``ident`` named, or the sentence that says it named none or several."""
    if not found:
        raise NotFoundError("case.unknown", id=ident)
    if len(found) > 1:
        raise UserFacingError("case.ambiguous", id=ident)
    return found[0]


def show_light(profile: Path, ident: str) -> dict[str, Any] | None:
    """:func:`app.services.cases.show` without SQLAlchemy, for ``loket-cli case show``; None when this profile
    needs the ordinary path (no store yet, a plaintext one, a schema this reader was not written for, no key)."""
    from app.domain.catalog import default_catalog
    from app.domain.offices import directory
    from app.services import refusalview
    from app.storage import lightread

    store = lightread.open_profile(profile)
    if store is None:
        return None
    with store:
        device_id = store.meta("device_id")
        if device_id is None:  # a profile never opened for work: the ordinary path makes its device id
            return None
        case = one_case(store.find_case(ident), ident)
        states = (refusalview.REFUSED, refusalview.DISMISSED)
        refused = [refusalview.view(op, owner) for op, owner in store.ops_of(case.id, states)]
        return shape(case, store.events_of(case.id), store.documents_of(case.id), refused,
                     device_names=store.device_names(), own_devices=store.server_devices() | {device_id},
                     catalog=default_catalog(), offices=directory(), server_url=store.meta("server_url"),
                     history_pending=store.history_pending())
