"""Registers for the end of the day or month: the outgoing-letter book (buku agenda surat keluar) and the
incoming requests (permohonan masuk), filtered by dates (WIB), office and service; exported to XLSX and PDF.

Rows come from what this laptop holds (the office's cases after a sync). Dates are the people's dates in WIB:
the day a letter was signed, the day a request was first submitted.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from sqlalchemy import select

from app import timefmt
from app.domain.lifecycle import CaseStatus
from app.errors import UserFacingError
from app.i18n import register, tr
from app.services.workspace import Workspace
from app.storage.models import Case, CaseEvent, User

MAX_DAYS = 366 + 31  # one register covers at most a year and a month

register({
    "register.kind.keluar": {"id": "Buku Agenda Surat Keluar", "en": "Outgoing letters register"},
    "register.kind.masuk": {"id": "Register Permohonan Masuk", "en": "Incoming requests register"},
    "register.range": {"id": "Tanggal awal harus sebelum tanggal akhir, paling lama {days} hari.",
                       "en": "The start date must come before the end date, at most {days} days apart."},
    "register.format": {"id": "Berkas ekspor harus berakhiran .xlsx atau .pdf.",
                        "en": "The export file must end in .xlsx or .pdf."},
    "register.col.no": {"id": "No.", "en": "No."},
    "register.col.letter_number": {"id": "Nomor surat", "en": "Letter number"},
    "register.col.date": {"id": "Tanggal", "en": "Date"},
    "register.col.subject": {"id": "Perihal / layanan", "en": "Subject / service"},
    "register.col.citizen": {"id": "Pemohon", "en": "Citizen"},
    "register.col.signer": {"id": "Penanda tangan", "en": "Signer"},
    "register.col.reg_no": {"id": "Nomor registrasi", "en": "Registration number"},
    "register.col.service": {"id": "Layanan", "en": "Service"},
    "register.col.status": {"id": "Status", "en": "Status"},
})


class Kind(StrEnum):
    KELUAR = "keluar"
    MASUK = "masuk"


COLUMNS = {Kind.KELUAR: ("no", "letter_number", "date", "subject", "citizen", "signer"),
           Kind.MASUK: ("no", "reg_no", "date", "service", "citizen", "status")}


@dataclass(frozen=True)
class Register:
    kind: Kind
    start: dt.date
    end: dt.date
    office: str | None
    service: str | None
    rows: list[tuple[object, ...]]

    @property
    def title(self) -> str:
        return tr(f"register.kind.{self.kind.value}")

    @property
    def headers(self) -> list[str]:
        return [tr(f"register.col.{c}") for c in COLUMNS[self.kind]]

    @property
    def period(self) -> str:
        start, end = timefmt.date_long(self.start), timefmt.date_long(self.end)
        return start if self.start == self.end else f"{start} – {end}"


def _bounds(start: dt.date, end: dt.date) -> tuple[str, str]:
    """UTC ISO bounds that hold every WIB time of the days (a day of slack each side; rows are then exact)."""
    if end < start or (end - start).days > MAX_DAYS:
        raise UserFacingError("register.range", days=MAX_DAYS)
    return (start - dt.timedelta(days=1)).isoformat(), (end + dt.timedelta(days=2)).isoformat()


def build(ws: Workspace, kind: Kind | str, start: dt.date, end: dt.date, *, office: str | None = None,
          service: str | None = None) -> Register:
    kind = Kind(kind)
    low, high = _bounds(start, end)
    action = "approve" if kind is Kind.KELUAR else "submit"
    with ws.db.read() as s:
        names = {u.username: u.full_name for u in s.scalars(select(User))}
        stmt = (select(CaseEvent.at, CaseEvent.actor, Case).join(Case, Case.id == CaseEvent.case_id)
                .where(CaseEvent.action == action, CaseEvent.at >= low, CaseEvent.at < high)
                .order_by(CaseEvent.at))
        if office:
            stmt = stmt.where(Case.office == office)
        if service:
            stmt = stmt.where(Case.service == service.upper())
        found: dict[str, tuple[dt.date, str, Case]] = {}
        for at, actor, case in s.execute(stmt):
            day = timefmt.wib_date(at)
            if day is None or not start <= day <= end:
                continue
            if kind is Kind.MASUK and case.id in found:
                continue  # a resubmission after a return is the same request
            if kind is Kind.KELUAR and not case.letter_number:
                continue
            found[case.id] = (day, actor, case)
    rows: list[tuple[object, ...]] = []
    for i, (day, actor, case) in enumerate(sorted(found.values(), key=lambda r: r[0]), start=1):
        svc = ws.catalog.get(case.service)
        if kind is Kind.KELUAR:
            rows.append((i, case.letter_number, day, svc.letter.title or svc.name, case.name,
                         _signer(case) or names.get(actor, actor)))
        else:
            rows.append((i, case.reg_no or case.id[:8], day, svc.name, case.name,
                         CaseStatus(case.status).label))
    return Register(kind, start, end, office, service, rows)


def _signer(case: Case) -> str | None:
    try:
        steps = json.loads(case.steps) if case.steps else []
    except ValueError:
        return None
    named = [s.get("name") for s in steps if isinstance(s, dict) and s.get("name")] if isinstance(steps, list) else []
    return str(named[-1]) if named else None


def shown(value: object) -> str:
    """A cell as people read it: a date as the case list and history write it (``02/12/2026``)."""
    if isinstance(value, dt.date):
        return timefmt.date_short(value)
    return "" if value is None else str(value)


def export(reg: Register, out: Path) -> Path:
    """Write ``reg`` to ``out``: ``.xlsx`` (formula-safe cells) or ``.pdf`` (A4 landscape)."""
    suffix = out.suffix.lower()
    if suffix == ".xlsx":
        from app.reports.xlsx import Sheet, write_xlsx

        title = f"{reg.kind.value} {reg.start:%Y-%m-%d}"
        write_xlsx(out, [Sheet(title, reg.headers, reg.rows)])
    elif suffix == ".pdf":
        from app.fileio import write_atomic
        from app.reports.register_pdf import render_register

        write_atomic(out, render_register(reg.title, _subtitle(ws_office=reg.office, period=reg.period,
                                                               service=reg.service),
                                          reg.headers, [[shown(v) for v in r] for r in reg.rows]))
    else:
        raise UserFacingError("register.format")
    return out


def _subtitle(ws_office: str | None, period: str, service: str | None) -> str:
    from app.domain.offices import directory

    office = directory().get(ws_office) if ws_office else None
    parts = [office.display_name if office else "", period, service or ""]
    return " · ".join(p for p in parts if p)


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    return first, following - dt.timedelta(days=1)


__all__: Sequence[str] = ("Kind", "Register", "build", "export", "month_bounds", "shown")
