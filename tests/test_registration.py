"""Registration numbers and the receipt: given at submit, offline, from the device's leased block; readable,
searchable, carried to the server; the receipt PDF names what the citizen needs."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path

import pytest

from app.domain.lifecycle import Action
from app.errors import UserFacingError
from app.services import cases, receipts, registration
from app.services.workspace import Actor, Workspace
from app.storage import repo
from app.storage.models import NumberLease, OutboxOp
from samples import NIK_WOMAN, OFFICE, SKD_FIELDS, documents


@pytest.fixture
def draft(ws: Workspace, petugas: Actor, tmp_path: Path) -> str:
    files = documents(tmp_path)
    return cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", SKD_FIELDS, files).id


def _lease(ws: Workspace, first: int, last: int, year: int | None = None) -> None:
    from app.letters.model import today_wib

    with ws.db.write() as s:
        s.add(NumberLease(id=str(uuid.uuid4()), username="petugas", office=OFFICE,
                          classification=registration.REG_SERIES, year=year or today_wib().year, first=first,
                          last=last, next=first, created_at="2026-01-01T00:00:00+00:00"))


def test_office_tags_are_short_and_unique_in_the_city(ws: Workspace) -> None:
    tags = [registration.office_tag(o.code) for o in ws.offices]
    assert len(tags) == len(set(tags))
    assert registration.office_tag(OFFICE) == "KLJ08"
    assert registration.office_tag("35.73.02") == "KLJ"
    assert registration.office_tag("35.73.OPD.DINKES") == "DINKES"
    assert all(len(t) <= 16 for t in tags)


def test_submit_gives_the_number_from_the_leased_block_and_keeps_it_after_a_return(
        ws: Workspace, staff: dict[str, Actor], draft: str) -> None:
    _lease(ws, 41, 45)
    cases.transition(ws, staff["petugas"], draft, Action.SUBMIT)
    shown = cases.show(ws, draft)
    year = shown["updated_at"][:4]
    assert shown["reg_no"] == f"SKD-{year}-KLJ08-0041"
    cases.transition(ws, staff["verifikator"], draft, Action.RETURN, "foto buram")
    cases.transition(ws, staff["petugas"], draft, Action.SUBMIT)
    assert cases.show(ws, draft)["reg_no"] == f"SKD-{year}-KLJ08-0041"
    with ws.db.read() as s:
        case = repo.find_case(s, f"skd-{year}-klj08-0041")[0]
        assert case.id == draft
        code = case.access_code
        ops = [o.payload for o in s.query(OutboxOp).filter_by(case_id=draft, kind="case.transition")]
    assert code and len(code) >= 8 and set(code) <= set(registration.ACCESS_ALPHABET)
    submits = [p for p in ops if "\"submit\"" in p]
    assert len(submits) == 2 and all(f"\"reg_no\":\"SKD-{year}-KLJ08-0041\"" in p for p in submits)
    with ws.db.read() as s:
        assert [c.id for c in repo.list_cases(s, repo.CaseQuery(search="KLJ08-0041"))] == [draft]


def test_a_device_that_got_blocks_and_ran_out_refuses_rather_than_inventing(
        ws: Workspace, petugas: Actor, draft: str) -> None:
    _lease(ws, 1, 0)  # a block, used up
    with pytest.raises(UserFacingError) as err:
        cases.transition(ws, petugas, draft, Action.SUBMIT)
    assert "sinkronkan" in err.value.message
    assert cases.show(ws, draft)["status"] == "draft"


def test_a_never_enrolled_device_counts_on_its_own_series(ws: Workspace, petugas: Actor, draft: str) -> None:
    cases.transition(ws, petugas, draft, Action.SUBMIT)
    reg_no = cases.show(ws, draft)["reg_no"]
    assert reg_no.endswith("-KLJ08-L0001")
    assert registration.check_reg_no(reg_no, "SKD", OFFICE)
    assert not registration.check_reg_no(reg_no, "SKTM", OFFICE)
    assert not registration.check_reg_no(reg_no.replace("KLJ08", "BLB05"), "SKD", OFFICE)


def test_the_receipt_names_what_the_citizen_needs(ws: Workspace, petugas: Actor, draft: str,
                                                  tmp_path: Path) -> None:
    with pytest.raises(UserFacingError):
        receipts.receipt_data(ws, draft)
    cases.transition(ws, petugas, draft, Action.SUBMIT)
    data = receipts.receipt_data(ws, draft)
    assert data.nik_masked == "************0003"
    assert data.registered_at.endswith("WIB")
    assert data.status_url.endswith("/status")
    assert data.received and any("tidak wajib" in m for m in data.missing) or not data.missing
    out = receipts.save_receipt(ws, draft, tmp_path / "tt.pdf")
    subprocess.run(["pdftoppm", "-png", "-r", "80", str(out), "/tmp/receipt-look"], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert data.reg_no in text and data.access_code in text and "TANDA TERIMA" in text
    assert NIK_WOMAN not in text and "0003" in text
    size = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, check=True).stdout
    assert "419.528 x 595.276 pts" in size  # A5
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True).stdout
    assert all(" yes " in line for line in fonts.splitlines()[2:])  # every font embedded


def test_registers_by_day_office_and_service(ws: Workspace, staff: dict[str, Actor], draft: str,
                                             tmp_path: Path) -> None:
    import datetime as dt

    from app.services import registers
    from app.storage.models import CaseEvent

    cases.transition(ws, staff["petugas"], draft, Action.SUBMIT)
    cases.transition(ws, staff["verifikator"], draft, Action.VERIFY)
    signed_at = dt.datetime(2026, 11, 30, 18, 30, tzinfo=dt.UTC)  # 1 December 01:30 WIB
    with ws.db.write() as s:
        case = repo.find_case(s, draft)[0]
        case.status, case.letter_number = "approved", "400.12.2.2/009/35.73.02.1008/2026"
        s.add(CaseEvent(case_id=draft, action="approve", from_status="verified", to_status="approved",
                        actor="lurah", device="d", at=signed_at.isoformat()))
    dec1 = dt.date(2026, 12, 1)
    out = registers.build(ws, "keluar", dec1, dec1, office=OFFICE, service="skd")
    assert [r[1:3] for r in out.rows] == [("400.12.2.2/009/35.73.02.1008/2026", dec1)]
    assert out.rows[0][4] == "Siti Aminah"
    assert registers.build(ws, "keluar", dt.date(2026, 11, 30), dt.date(2026, 11, 30)).rows == []  # WIB day
    assert registers.build(ws, "keluar", dec1, dec1, service="SKTM").rows == []
    assert registers.month_bounds(dt.date(2026, 2, 14)) == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    with pytest.raises(UserFacingError):
        registers.build(ws, "masuk", dec1, dt.date(2026, 11, 1))
    with pytest.raises(UserFacingError):
        registers.export(out, tmp_path / "register.csv")
    pdf = registers.export(out, tmp_path / "keluar.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Buku Agenda Surat Keluar" in text and "Siti Aminah" in text and "01/12/2026" in text


def test_hand_over_record_is_checked_before_anything_is_written(ws: Workspace, petugas: Actor,
                                                                draft: str) -> None:
    from app.errors import ValidationError
    from app.services import handover

    assert handover.problems({"name": "Budi", "relation": "kuasa", "id_shown": "KTP-el"}) == []
    assert handover.problems({"name": "B", "relation": "tetangga", "id_shown": ""}) == [
        "handover.name", "handover.relation", "handover.id_shown"]
    assert handover.problems({"name": "x" * 121, "relation": "kuasa", "id_shown": "y" * 65}) == [
        "handover.name", "handover.id_shown"]
    with pytest.raises(ValidationError):
        handover.hand_over(ws, petugas, draft, "B", "sendiri", "KTP")
    assert cases.show(ws, draft)["status"] == "draft"


def test_receipt_and_registers_write_the_time_as_the_case_history_does(
        ws: Workspace, petugas: Actor, draft: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One clock for people: the receipt says 09.47 (not 09:47) as the history does, and a register row's date
    is the history's date."""
    import datetime as dt

    from app.i18n import set_language
    from app.services import registers
    from ui.cli.cases import _show_text
    from ui.models.case_table import local_time

    set_language("id")
    monkeypatch.setattr("app.clock.now", lambda: dt.datetime(2026, 12, 1, 2, 47, tzinfo=dt.UTC))  # 09.47 WIB
    cases.transition(ws, petugas, draft, Action.SUBMIT)
    shown = cases.show(ws, draft)
    submitted = next(e["at"] for e in shown["events"] if e["action"] == "submit")
    assert "1 Desember 2026, 09.47 WIB" in _show_text(shown)  # the history, as loket-cli case show writes it
    history_row = local_time(submitted)  # the history, as the case detail's table writes it
    assert history_row == "01/12/2026 09.47"

    receipt = receipts.save_receipt(ws, draft, tmp_path / "tt.pdf")
    text = subprocess.run(["pdftotext", str(receipt), "-"], capture_output=True, text=True, check=True).stdout
    assert "1 Desember 2026, 09.47 WIB" in " ".join(text.split())
    assert "09:47" not in text

    incoming = registers.build(ws, "masuk", dt.date(2026, 12, 1), dt.date(2026, 12, 1))
    assert [registers.shown(r[2]) for r in incoming.rows] == [history_row.split()[0]]
    assert incoming.period == "1 Desember 2026"
    pdf = registers.export(incoming, tmp_path / "masuk.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert history_row.split()[0] in text and "1 Desember 2026" in text
