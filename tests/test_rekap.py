"""The receiving offices' rekaps on known data: the kecamatan's musrenbang (totals, ranking, ceilings) and
Dinas Pendidikan's school reports (latest accepted report, totals, missing schools, change), and their
spreadsheets read back cell by cell."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy.orm import Session

from app.reports import musrenbang, sekolah
from app.reports.export import musrenbang_sheets, sekolah_sheets, write
from app.reports.sekolah import Figures, Semester
from app.reports.xlsx import Sheet, safe_cell, write_xlsx
from app.services.workspace import Workspace
from app.storage.models import Case

KLOJEN = "35.73.02"
KEL_KLOJEN, RAMPAL, SAMAAN = "35.73.02.1001", "35.73.02.1002", "35.73.02.1003"
BLIMBING_KEL = "35.73.01.1001"
DISDIK = "35.73.OPD.DISDIK"
HOSTILE = '=HYPERLINK("x")'


def add_case(s: Session, service: str, office: str, name: str, status: str, fields: dict[str, object],
             updated: str = "2026-11-01T08:00:00+07:00", reg_no: str | None = None) -> str:
    case_id = str(uuid.uuid4())
    s.add(Case(id=case_id, service=service, office=office, nik=None, name=name, fields=json.dumps(fields),
               status=status, version=1, server_version=None, created_at=updated, updated_at=updated,
               created_by="siti", device="test", due_date="2026-12-31", reg_no=reg_no))
    return case_id


def proposal(s: Session, office: str, name: str, priority: int, cost: int, bidang: str = "infrastruktur",
             status: str = "submitted", year: int = 2027) -> str:
    return add_case(s, "USULMUS", office, name, status, {
        "tahun_anggaran": str(year), "bidang": bidang, "program": "Program " + name, "kegiatan": "Kegiatan",
        "lokasi": "RT 01", "volume": "1", "satuan": "paket", "estimasi_biaya": str(cost),
        "prioritas": str(priority), "penanggung_jawab": "Ketua"})


@pytest.fixture
def usulan(ws: Workspace) -> Workspace:
    with ws.db.write() as s:
        proposal(s, KEL_KLOJEN, "RW 01", 1, 150_000_000)
        proposal(s, KEL_KLOJEN, "RW 02", 2, 80_000_000, bidang="ekonomi", status="approved")
        proposal(s, KEL_KLOJEN, "RW 03", 3, 50_000_000, bidang="kesehatan", status="verified")
        proposal(s, RAMPAL, "LPMK Rampal", 1, 200_000_000)
        proposal(s, RAMPAL, HOSTILE, 2, 40_000_000, bidang="ekonomi")
        proposal(s, RAMPAL, "RW 09", 3, 999_000_000, status="rejected")  # no longer competes
        proposal(s, SAMAAN, "RW 04", 1, 30_000_000, status="draft")  # not proposed yet
        proposal(s, SAMAAN, "RW 05", 4, 10_000_000, bidang="pendidikan")
        proposal(s, KEL_KLOJEN, "RW 06", 1, 70_000_000, year=2026)  # another year
        proposal(s, BLIMBING_KEL, "RW 07", 1, 60_000_000)  # another kecamatan
        musrenbang.set_ceiling(s, 2027, KEL_KLOJEN, 250_000_000)
        musrenbang.set_ceiling(s, 2027, RAMPAL, 300_000_000)
        musrenbang.set_ceiling(s, 2027, "35.73.02.1004", 100_000_000)
    return ws


def test_musrenbang_totals_ranking_and_ceilings(usulan: Workspace) -> None:
    with usulan.db.read() as s:
        rekap = musrenbang.compute(s, usulan.offices, 2027, KLOJEN, {"ekonomi": "Ekonomi"})
    assert [p.proposer for p in rekap.proposals] == [
        "LPMK Rampal", "RW 01", "RW 02", HOSTILE, "RW 03", "RW 05", "RW 09"]
    assert [p.rank for p in rekap.proposals] == [1, 2, 3, 4, 5, 6, None]
    by_name = {p.proposer: p for p in rekap.proposals}
    # Klojen: 150 (rank 1) + 80 = 230 ≤ 250; + 50 = 280 > 250: the third is over the ceiling
    assert [by_name[n].cumulative for n in ("RW 01", "RW 02", "RW 03")] == [150_000_000, 230_000_000, 280_000_000]
    assert [by_name[n].over_ceiling for n in ("RW 01", "RW 02", "RW 03")] == [False, False, True]
    assert not by_name["RW 09"].active and not by_name["RW 09"].over_ceiling
    assert not by_name["RW 05"].over_ceiling  # Samaan has no ceiling
    assert by_name["RW 02"].bidang_label == "Ekonomi" and by_name["RW 02"].status_label == "Disetujui"
    kel = {k.name: k for k in rekap.per_kelurahan}
    assert list(kel) == ["Klojen", "Rampal Celaket", "Samaan", "Kiduldalem"]
    assert (kel["Klojen"].count, kel["Klojen"].cost, kel["Klojen"].over_count) == (3, 280_000_000, 1)
    assert kel["Klojen"].remaining == -30_000_000
    assert (kel["Rampal Celaket"].count, kel["Rampal Celaket"].cost) == (2, 240_000_000)
    assert (kel["Kiduldalem"].count, kel["Kiduldalem"].ceiling) == (0, 100_000_000)
    assert {b.bidang: (b.count, b.cost) for b in rekap.per_bidang} == {
        "infrastruktur": (2, 350_000_000), "ekonomi": (2, 120_000_000), "kesehatan": (1, 50_000_000),
        "pendidikan": (1, 10_000_000)}
    assert (rekap.total_count, rekap.total_cost, rekap.over_count) == (6, 530_000_000, 1)


def test_musrenbang_city_wide_and_ceiling_limits(usulan: Workspace) -> None:
    with usulan.db.read() as s:
        city = musrenbang.compute(s, usulan.offices, 2027)
    assert city.total_count == 7 and "RW 07" in {p.proposer for p in city.proposals}
    with usulan.db.write() as s, pytest.raises(ValueError):
        musrenbang.set_ceiling(s, 2027, KEL_KLOJEN, -1)
    with usulan.db.write() as s:
        musrenbang.set_ceiling(s, 2027, KEL_KLOJEN, None)
    with usulan.db.read() as s:
        rekap = musrenbang.compute(s, usulan.offices, 2027, KLOJEN)
    assert rekap.over_count == 0


def report(s: Session, npsn: str, name: str, level: str, semester: str, status: str, students: int,
           teachers: int = 10, dropouts: int = 0, address: str = "Jl. Kawi 1, Kec. Klojen, Kota Malang",
           updated: str = "2026-11-01T08:00:00+07:00") -> str:
    year, half = semester.split("-")
    return add_case(s, "LAPSEK", DISDIK, name, status, {
        "npsn": npsn, "jenjang": level, "status_sekolah": "negeri", "alamat_sekolah": address,
        "semester": "ganjil" if half == "1" else "genap", "tahun_ajaran": f"{year}/{int(year) + 1}",
        "jumlah_siswa": str(students), "jumlah_rombel": str(students // 30), "jumlah_guru": str(teachers),
        "siswa_putus_sekolah": str(dropouts), "kepala_sekolah": "Kepala"}, updated=updated)


@pytest.fixture
def laporan(ws: Workspace) -> Workspace:
    with ws.db.write() as s:
        # previous semester (2025-2): four schools accepted
        report(s, "20533001", "SDN Kauman 1", "SD", "2025-2", "issued", 300)
        report(s, "20533002", "SDN Bareng 2", "SD", "2025-2", "issued", 200, address="Jl. Bareng Tenes, Bareng")
        report(s, "20533003", "SMPN 3 Malang", "SMP", "2025-2", "approved", 600, teachers=40, dropouts=2,
               address="Jl. Dr. Cipto, Kecamatan Lowokwaru")
        report(s, "20533004", "SD Oro-oro Dowo", "SD", "2025-1", "issued", 150, address="Oro-oro Dowo")
        # this semester (2026-1)
        report(s, "20533001", "SDN Kauman 1", "SD", "2026-1", "issued", 280, updated="2026-10-01T08:00:00+07:00")
        report(s, "20533001", "SDN Kauman 1", "SD", "2026-1", "issued", 290, teachers=12,
               updated="2026-10-05T08:00:00+07:00")  # a corrected report replaces the first
        report(s, "20533003", "SMPN 3 Malang", "SMP", "2026-1", "approved", 640, teachers=41, dropouts=1,
               address="Jl. Dr. Cipto, Kecamatan Lowokwaru")
        report(s, "20533002", "SDN Bareng 2", "SD", "2026-1", "verified", 210)  # not accepted yet
        report(s, "20533005", HOSTILE, "SMP", "2026-1", "issued", 100, address="Jl. Raya, Sukun")  # new school
        report(s, "20533006", "SD Ditolak", "SD", "2025-2", "rejected", 50)  # never known: only refused
    return ws


def test_school_rekap_latest_totals_missing_and_change(laporan: Workspace) -> None:
    with laporan.db.read() as s:
        rekap = sekolah.compute(s, laporan.offices, Semester.parse("2026-1"))
    by_npsn = {r.npsn: r for r in rekap.reports}
    assert set(by_npsn) == {"20533001", "20533003", "20533005"}
    kauman = by_npsn["20533001"]
    assert (kauman.figures.students, kauman.figures.teachers, kauman.kecamatan) == (290, 12, "Klojen")
    assert kauman.change == Figures(-10, -1, 2, 0)
    assert by_npsn["20533003"].kecamatan == "Lowokwaru" and by_npsn["20533003"].change == Figures(40, 1, 1, -1)
    assert by_npsn["20533005"].previous is None and by_npsn["20533005"].kecamatan == "Sukun"
    assert {t.key: (t.schools, t.figures.students) for t in rekap.per_level} == {"SD": (1, 290), "SMP": (2, 740)}
    assert {t.key: t.schools for t in rekap.per_kecamatan} == {"Klojen": 1, "Lowokwaru": 1, "Sukun": 1}
    missing = {m.npsn: m for m in rekap.missing}
    assert set(missing) == {"20533002", "20533004"}
    assert missing["20533002"].pending_status == "Terverifikasi" and missing["20533002"].kecamatan == "Klojen"
    assert missing["20533004"].last_semester == "Ganjil 2025/2026" and missing["20533004"].kecamatan == "Klojen"
    assert rekap.total == Figures(1030, 33, 63, 1)
    assert rekap.previous_total.students == 1100 and rekap.change == Figures(30, 0, 3, -1)


def test_semester_codes() -> None:
    assert Semester.parse("2026-1").previous == Semester(2025, 2)
    assert Semester.parse("2026-2").previous == Semester(2026, 1)
    assert Semester(2026, 2).label == "Genap 2026/2027"
    for bad in ("2026-3", "26-1", "2026-1; DROP", ""):
        with pytest.raises(ValueError):
            Semester.parse(bad)


def cells(path: Path, title: str) -> list[list[object]]:
    book = openpyxl.load_workbook(path)
    return [[c.value for c in row] for row in book[title].iter_rows()]


def test_spreadsheets_read_back_and_hostile_text_stays_text(usulan: Workspace, laporan: Workspace,
                                                           tmp_path: Path) -> None:
    with usulan.db.read() as s:
        mus = musrenbang.compute(s, usulan.offices, 2027, KLOJEN)
        sek = sekolah.compute(s, usulan.offices, Semester.parse("2026-1"))
    out = tmp_path / "musrenbang.xlsx"
    write(out, musrenbang_sheets(mus), "Rekap", "Klojen")
    rows = cells(out, "Usulan 2027")
    assert rows[0][0] == "Peringkat" and rows[1][:4] == [1, rows[1][1], "Rampal Celaket", "LPMK Rampal"]
    hostile = next(r for r in rows if r[3] == HOSTILE)
    assert hostile[9] == 40_000_000 and hostile[12] is None
    assert rows[5][12] == "YA" and rows[5][3] == "RW 03"
    kel = cells(out, "Per kelurahan")
    assert kel[1] == ["Klojen", 3, 280_000_000, 250_000_000, -30_000_000, 1]
    assert kel[-1] == ["JUMLAH", 6, 530_000_000, None, None, 1]
    book = openpyxl.load_workbook(out)
    for row in book["Usulan 2027"].iter_rows():
        for cell in row:
            assert cell.data_type != "f"
    out2 = tmp_path / "sekolah.xlsx"
    write(out2, sekolah_sheets(sek), "Rekap", "2026-1")
    rows = cells(out2, "Laporan 2026-1")
    assert [r[1] for r in rows[1:]] == ["SDN Kauman 1", "SMPN 3 Malang", HOSTILE]
    assert rows[1][4:11] == [290, 9, 12, 0, -10, 2, 0]
    assert cells(out2, "Per jenjang")[-1] == ["JUMLAH", 3, 1030, 33, 63, 1]
    assert [r[0] for r in cells(out2, "Belum melapor")[1:]] == ["20533004", "20533002"]
    pdf = tmp_path / "sekolah.pdf"
    write(pdf, sekolah_sheets(sek), "Rekap", "2026-1")
    assert pdf.read_bytes().startswith(b"%PDF")


def test_xlsx_writer_api(tmp_path: Path) -> None:
    assert safe_cell(5) == 5 and safe_cell("-1") == "-1" and safe_cell(None) is None
    assert len(str(safe_cell("x" * 40_000))) == 32_767
    path = tmp_path / "a.xlsx"
    write_xlsx(path, [Sheet("a/b", ["=1+1"], [["@SUM(A1)", "+1", 2.5]]), Sheet("a/b", ["h"], [])])
    book = openpyxl.load_workbook(path)
    assert len(book.sheetnames) == 2 and len(set(book.sheetnames)) == 2  # sheet titles made valid and unique
    first = book[book.sheetnames[0]]
    assert [[c.value for c in r] for r in first.iter_rows()] == [["=1+1", None, None], ["@SUM(A1)", "+1", 2.5]]
    assert first["A1"].data_type == "s" and first["A2"].data_type == "s"


def test_cli_writes_both_rekaps(usulan: Workspace, laporan: Workspace, profile: Path, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    from ui.cli import main

    xlsx, pdf = tmp_path / "mus.xlsx", tmp_path / "sek.pdf"
    assert main(["rekap", "musrenbang", "--year", "2027", "--kecamatan", KLOJEN, "--out", str(xlsx),
                 "--profile", str(profile)]) == 0
    assert "Kecamatan Klojen · 2027: 6" in capsys.readouterr().out
    assert cells(xlsx, "Per kelurahan")[-1] == ["JUMLAH", 6, 530_000_000, None, None, 1]
    assert main(["rekap", "sekolah", "--semester", "2026-1", "--out", str(pdf), "--json",
                 "--profile", str(profile)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["schools"], data["missing"], data["students"]) == (3, 2, 1030)
    assert pdf.read_bytes().startswith(b"%PDF")
    assert main(["rekap", "sekolah", "--semester", "2026-3", "--profile", str(profile)]) == 1
    assert main(["rekap", "musrenbang", "--year", "2027", "--out", str(tmp_path / "x.exe"),
                 "--profile", str(profile)]) == 1
    assert "xlsx" in capsys.readouterr().err


def test_only_the_kecamatan_sets_its_kelurahan_ceilings(ws: Workspace) -> None:
    from app.errors import ForbiddenError
    from app.services import rekaps

    ws.add_local_user("camat", "Camat Klojen", "penandatangan", KLOJEN)
    ws.add_local_user("lurah2", "Lurah Klojen", "penandatangan", KEL_KLOJEN)
    rekaps.set_ceiling(ws, ws.actor("camat"), 2027, RAMPAL, 5_000_000)
    with pytest.raises(ForbiddenError):
        rekaps.set_ceiling(ws, ws.actor("lurah2"), 2027, KEL_KLOJEN, 9_000_000_000)
    with pytest.raises(ForbiddenError):
        rekaps.set_ceiling(ws, ws.actor("camat"), 2027, BLIMBING_KEL, 1)
    with ws.db.read() as s:
        assert musrenbang.ceilings(s, 2027, [RAMPAL, KEL_KLOJEN]) == {RAMPAL: 5_000_000}


def test_berita_acara_freezes_the_accepted_proposals_in_ranking_order(usulan: Workspace) -> None:
    from app.errors import ForbiddenError, UserFacingError
    from app.letters.berita_acara import render_berita_acara
    from app.letters.model import today_wib
    from app.reports import berita_acara
    from app.services import rekaps
    from app.services.letters import letter_data, signer_for
    from app.storage import repo

    ws = usulan
    ws.add_local_user("dewi", "Dewi Anggraini", "petugas", KLOJEN)
    ws.add_local_user("camat", "Taufik Hidayat, S.STP.", "penandatangan", KLOJEN)
    ws.add_local_user("siti2", "Siti", "petugas", KEL_KLOJEN)
    with ws.db.write() as s:
        proposal(s, SAMAAN, "RW 11", 2, 25_000_000, status="issued")
        proposal(s, RAMPAL, "RW 12", 1, 90_000_000, status="approved")
    with pytest.raises(ForbiddenError):
        rekaps.make_berita_acara(ws, ws.actor("siti2"), 2027)  # a kelurahan does not make the kecamatan's
    with pytest.raises(UserFacingError):
        rekaps.make_berita_acara(ws, ws.actor("dewi"), 2026)  # nothing accepted that year
    made = rekaps.make_berita_acara(ws, ws.actor("dewi"), 2027)
    assert (made["proposals"], made["total_cost"], made["status"]) == (3, 195_000_000, "submitted")
    with ws.db.read() as s:
        case = repo.find_case(s, str(made["id"]))[0]
        rows = berita_acara.thaw(json.loads(case.fields)["usulan"])
        data = letter_data(ws, case, signer_for(ws.actor("camat")), "900.1.1.1/0001/35.73.02/2026", today_wib(),
                           "https://loket.example/verify/x")
    # the rekap's order: priority, then the larger cost; rejected and unaccepted ones are not there
    assert [(r.number, r.proposer, r.cost) for r in rows] == [
        (1, "RW 12", 90_000_000), (2, "RW 02", 80_000_000), (3, "RW 11", 25_000_000)]
    assert [(t.key, t.count, t.cost) for t in berita_acara.per_bidang(rows)] == [
        ("Infrastruktur dan lingkungan", 2, 115_000_000), ("Ekonomi", 1, 80_000_000)]
    letter = render_berita_acara(data)
    assert letter.pdf.startswith(b"%PDF") and letter.pages >= 1
    assert render_berita_acara(data).sha256 == letter.sha256  # deterministic, as the signature needs
    for hostile in ("", "{", "[1, \"x\", null]", json.dumps({"no": 1}), json.dumps([{"biaya": "1e999"}] * 2000)):
        assert all(r.cost == 0 for r in berita_acara.thaw(hostile))
        assert len(berita_acara.thaw(hostile)) <= berita_acara.MAX_ROWS
