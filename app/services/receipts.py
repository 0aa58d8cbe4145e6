"""The receipt (tanda terima) of a submitted case: what it prints, and the PDF (app/letters/receipt.py)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from app import timefmt
from app.errors import UserFacingError
from app.fileio import write_atomic
from app.i18n import register
from app.services import cases
from app.services.workspace import Workspace
from app.storage import meta, repo
from app.storage.models import Case

if TYPE_CHECKING:
    from app.letters.receipt import ReceiptData

PUBLIC_URL_FALLBACK = "https://loket.malangkota.go.id"

register({
    "receipt.not_registered": {
        "id": "Permohonan {id} belum diajukan, jadi belum punya nomor registrasi dan tanda terima.",
        "en": "Case {id} has not been submitted yet, so it has no registration number and no receipt.",
    },
})


def status_url(ws: Workspace) -> str:
    """The citizen's status page on the city's server (``<server>/status``)."""
    with ws.db.read() as s:
        server = meta.server_url(s)
    return f"{(server or PUBLIC_URL_FALLBACK).rstrip('/')}/status"


def receipt_data(ws: Workspace, ident: str) -> ReceiptData:
    """What the receipt of ``ident`` prints; refused for a case that was never submitted."""
    from app.letters.model import LetterOffice
    from app.letters.receipt import ReceiptData, mask_nik

    url = status_url(ws)
    with ws.db.read() as s:
        case: Case = cases.load_case(s, ident)
        if not case.reg_no or not case.access_code:
            raise UserFacingError("receipt.not_registered", id=case.reg_no or case.id[:8])
        submitted = [e.at for e in repo.events_of(s, case.id) if e.action == "submit"]
        have = {a.doc_code for a in repo.attachments_of(s, case.id)}
        clerk = next((u.full_name for u in repo.users(s) if u.username == case.created_by), case.created_by)
    service = ws.catalog.get(case.service)
    docs = service.documents
    return ReceiptData(
        reg_no=case.reg_no, access_code=case.access_code, service_name=service.names.get("id", service.code),
        service_code=service.code, office=LetterOffice.from_directory(case.office), citizen_name=case.name,
        nik_masked=mask_nik(case.nik),
        registered_at=timefmt.moment_long(submitted[0] if submitted else case.created_at, "id"),
        due=timefmt.date_long(case.due_date, "id") if case.due_date else "-",
        received=tuple(d.names.get("id", d.code) for d in docs if d.code in have),
        missing=tuple(d.names.get("id", d.code) + ("" if d.required else " (tidak wajib)")
                      for d in docs if d.code not in have),
        status_url=url, clerk=clerk)


def receipt_pdf(ws: Workspace, ident: str) -> bytes:
    from app.letters.receipt import render_receipt

    return render_receipt(receipt_data(ws, ident))


def save_receipt(ws: Workspace, ident: str, out: Path) -> Path:
    write_atomic(out, receipt_pdf(ws, ident))
    return out
