"""The receiving offices' rekaps for the GUI and the CLI: one read transaction each, plain values back; the
kecamatan's ceilings (pagu indikatif) set by its own staff, audited."""

from __future__ import annotations

import json

from app import clock
from app.domain.lifecycle import Action, CaseStatus
from app.domain.offices import OfficeLevel
from app.errors import ForbiddenError, UserFacingError
from app.i18n import register
from app.reports import berita_acara, musrenbang, sekolah
from app.reports.common import as_int, case_rows, collector_paused
from app.reports.musrenbang import MusrenbangRekap
from app.reports.sekolah import SekolahRekap, Semester
from app.services.workspace import Actor, Workspace
from app.storage import audit

register({
    "rekap.semester": {"id": "Semester ditulis TAHUN-1 (ganjil) atau TAHUN-2 (genap), misalnya 2026-1.",
                       "en": "Write the semester as YEAR-1 (odd) or YEAR-2 (even), for example 2026-1."},
    "rekap.kecamatan": {"id": "{code} bukan kode kecamatan Kota Malang.",
                        "en": "{code} is not the code of a kecamatan of Kota Malang."},
    "rekap.kelurahan": {"id": "{code} bukan kode kelurahan Kota Malang.",
                        "en": "{code} is not the code of a kelurahan of Kota Malang."},
    "rekap.year": {"id": "Tahun anggaran harus antara 2024 dan 2100.",
                   "en": "The budget year must be between 2024 and 2100."},
    "rekap.amount": {"id": "Pagu indikatif harus bilangan bulat rupiah antara 0 dan 10^15.",
                     "en": "The indicative ceiling must be a whole number of rupiah between 0 and 10^15."},
    "rekap.out": {"id": "Berkas rekap harus berakhiran .xlsx atau .pdf: {name}.",
                  "en": "The rekap file must end in .xlsx or .pdf: {name}."},
    "rekap.ba_office": {"id": "Berita acara musrenbang dibuat oleh staf kecamatan untuk kecamatannya sendiri.",
                        "en": "The musrenbang minutes are made by a kecamatan's staff for their own kecamatan."},
    "rekap.ba_empty": {"id": "Belum ada usulan yang disetujui Camat untuk tahun anggaran {year} di perangkat ini.",
                       "en": "No proposal for budget year {year} has been approved by the Camat on this device."},
    "rekap.ba_exists": {"id": "Berita acara tahun anggaran {year} sudah ada ({reg_no}); batalkan dulu untuk "
                                "membuat yang baru.",
                        "en": "The minutes of budget year {year} exist already ({reg_no}); withdraw them first "
                              "to make new ones."},
    "rekap.pagu_office": {"id": "Pagu indikatif {kelurahan} ditetapkan oleh kecamatannya.",
                          "en": "The indicative ceiling of {kelurahan} is set by its kecamatan."},
})

MIN_YEAR, MAX_YEAR = 2024, 2100


def home_kecamatan(ws: Workspace, actor: Actor | None) -> str | None:
    """The kecamatan a person's rekap starts on: their own, their kelurahan's; None (the city) otherwise."""
    office = ws.offices.get(actor.office) if actor else None
    if office is None:
        return None
    if office.level is OfficeLevel.KECAMATAN:
        return office.code
    if office.level is OfficeLevel.KELURAHAN:
        return office.parent
    return None


def check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise UserFacingError("rekap.year")
    return year


def check_kecamatan(ws: Workspace, code: str | None) -> str | None:
    if code is None:
        return None
    office = ws.offices.get(code)
    if office is None or office.level is not OfficeLevel.KECAMATAN:
        raise UserFacingError("rekap.kecamatan", code=code[:40])
    return code


def parse_semester(text: str) -> Semester:
    try:
        return Semester.parse(text[:20])
    except ValueError:
        raise UserFacingError("rekap.semester") from None


def bidang_labels(ws: Workspace) -> dict[str, str]:
    spec = ws.catalog.get(musrenbang.SERVICE).field("bidang")
    return {c.key: c.label for c in spec.choices} if spec else {}


def musrenbang_rekap(ws: Workspace, year: int, kecamatan: str | None) -> MusrenbangRekap:
    check_year(year)
    check_kecamatan(ws, kecamatan)
    labels = bidang_labels(ws)
    with ws.db.read() as s, collector_paused():
        return musrenbang.compute(s, ws.offices, year, kecamatan, labels)


def sekolah_rekap(ws: Workspace, semester: Semester) -> SekolahRekap:
    with ws.db.read() as s, collector_paused():
        return sekolah.compute(s, ws.offices, semester)


def set_ceiling(ws: Workspace, actor: Actor, year: int, kelurahan: str, amount: int | None) -> None:
    """Set (or clear) a kelurahan's ceiling for a budget year; only its kecamatan's staff (or the city's) may.
    The ceiling is kept on this laptop (it is not synced)."""
    check_year(year)
    office = ws.offices.get(kelurahan)
    if office is None or office.level is not OfficeLevel.KELURAHAN:
        raise UserFacingError("rekap.kelurahan", code=kelurahan[:40])
    mine = ws.offices.get(actor.office)
    if actor.office != office.parent and (mine is None or mine.level is not OfficeLevel.CITY):
        raise ForbiddenError("rekap.pagu_office", kelurahan=office.display_name)
    if amount is not None and not 0 <= amount <= musrenbang.MAX_CEILING:
        raise UserFacingError("rekap.amount")
    with ws.db.write() as s:
        musrenbang.set_ceiling(s, year, kelurahan, amount)
        audit.append(s, [audit.AuditRecord(clock.now_iso(), actor.username, actor.device, "rekap.pagu", "office",
                                           kelurahan, json.dumps({"year": year, "amount": amount}))])


def make_berita_acara(ws: Workspace, actor: Actor, year: int) -> dict[str, object]:
    """The berita acara of ``actor``'s kecamatan musrenbang for ``year``: a BAMUS case of the kecamatan whose
    content is the rekap's accepted proposals, frozen now, registered and submitted (it then waits for the
    kecamatan's verifier and the Camat's signature in the usual queues). Works offline."""
    from app.services import cases

    check_year(year)
    office = ws.offices.get(actor.office)
    if office is None or office.level is not OfficeLevel.KECAMATAN:
        raise ForbiddenError("rekap.ba_office")
    with ws.db.read() as s:
        for row in case_rows(s, berita_acara.SERVICE, [office.code]):
            open_or_signed = row.status not in (CaseStatus.REJECTED.value, CaseStatus.WITHDRAWN.value)
            if open_or_signed and as_int(row.fields.get("tahun_anggaran")) == year:
                raise UserFacingError("rekap.ba_exists", year=year, reg_no=berita_acara.reference(row.reg_no))
    rows = berita_acara.accepted(musrenbang_rekap(ws, year, office.code))
    if not rows:
        raise UserFacingError("rekap.ba_empty", year=year)
    name = f"Musrenbang {office.display_name} {year}"
    new = cases.create(ws, actor, berita_acara.SERVICE, None, name,
                       {"tahun_anggaran": str(year), berita_acara.FIELD: berita_acara.freeze(rows)})
    cases.transition(ws, actor, new.id, Action.SUBMIT)
    with ws.db.read() as s:
        reg_no = cases.load_case(s, new.id).reg_no
    return {"id": new.id, "reg_no": reg_no, "status": CaseStatus.SUBMITTED.value, "year": year,
            "kecamatan": office.code, "proposals": len(rows), "total_cost": sum(r.cost for r in rows)}
