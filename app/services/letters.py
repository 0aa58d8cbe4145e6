"""Letters of cases: what a letter shows (built from the case, the catalogue and the signer), export."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from app import timefmt
from app.domain.offices import OfficeLevel, directory
from app.errors import NotFoundError, UserFacingError
from app.fileio import write_atomic
from app.i18n import register
from app.letters.model import Endorsement, LetterData, LetterOffice, Signer
from app.services.caseview import verify_url_for
from app.services.workspace import Actor, Workspace
from app.signing.approvals import approval_content
from app.storage import meta, repo
from app.storage.models import Case

register({
    "letter.none": {"id": "Berkas {id} belum punya surat yang ditandatangani.",
                    "en": "Case {id} has no signed letter yet."},
    "letter.missing": {"id": "Berkas surat {sha} belum ada di perangkat ini; sinkronkan dulu.",
                       "en": "The letter file {sha} is not on this device yet; sync first."},
})


def case_content(case: Case) -> dict[str, Any]:
    """What the signer approves of a laptop's case (see :func:`app.signing.approvals.approval_content`)."""
    return approval_content(case.id, case.service, case.office, case.nik, case.name, case.fields)


def signer_for(actor: Actor) -> Signer:
    """The signature block of ``actor`` for letters of their office."""
    office = directory().get(actor.office)
    if office is None or office.level is OfficeLevel.CITY:
        return Signer(actor.full_name, actor.nip or "-", actor.position or "Wali Kota", "Malang")
    if office.level is OfficeLevel.KELURAHAN:
        return Signer(actor.full_name, actor.nip or "-", "Lurah", office.name)
    if office.level is OfficeLevel.KECAMATAN:
        return Signer(actor.full_name, actor.nip or "-", "Camat", office.name)
    return Signer(actor.full_name, actor.nip or "-", "Kepala", f"{office.name} Kota Malang")


def verify_url(ws: Workspace, case_id: str, number: str | None = None) -> str:
    with ws.db.read() as s:
        return verify_url_for(meta.server_url(s), case_id, number)


def endorsements(steps: Sequence[Mapping[str, Any]]) -> tuple[Endorsement, ...]:
    """The earlier signed steps as the letter names them (date in Malang)."""
    out = []
    for step in steps:
        day = timefmt.wib_date(str(step.get("at") or ""))
        if day is None:
            continue
        out.append(Endorsement(str(step.get("name") or "-"), str(step.get("position") or "-"), day,
                               str(step.get("nip") or "")))
    return tuple(out)


def letter_data(ws: Workspace, case: Case, signer: Signer, number: str, day: dt.date, url: str, *,
                office: str | None = None, earlier: tuple[Endorsement, ...] = ()) -> LetterData:
    """What the letter of ``case`` shows, issued by ``office`` (the signer's; the case's by default), naming
    the ``earlier`` signed steps of its approval chain."""
    service = ws.catalog.get(case.service)
    name_label = "Nama" if service.requires_nik else "Nama pemohon"
    issuing = office or case.office
    origin = LetterOffice.from_directory(case.office) if issuing != case.office else None
    return LetterData(service=service, office=LetterOffice.from_directory(issuing), number=number,
                      case_name=case.name, case_nik=case.nik, fields=json.loads(case.fields), signer=signer,
                      letter_date=day, verify_url=url, name_label=name_label, earlier=earlier, case_office=origin)


def letter_bytes(ws: Workspace, ident: str) -> tuple[str, bytes]:
    """The case id and its current letter (the server's upgraded one once synced)."""
    with ws.db.read() as s:
        found = repo.find_case(s, ident)
        if len(found) != 1:
            raise NotFoundError("case.unknown", id=ident)
        case = found[0]
        sha = case.letter_sha256
        case_id = case.id
    if not sha:
        raise UserFacingError("letter.none", id=case_id)
    if not ws.blobs.has(sha):
        raise UserFacingError("letter.missing", sha=sha[:12])
    return case_id, ws.blobs.read(sha)


def export(ws: Workspace, ident: str, out: Path) -> dict[str, str]:
    case_id, data = letter_bytes(ws, ident)
    write_atomic(out, data, mode=0o644)
    return {"id": case_id, "path": str(out), "sha256": hashlib.sha256(data).hexdigest()}
