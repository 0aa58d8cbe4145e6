"""The citizen's status page, in-process: the steps and the signed letter for the right number and code, never a
NIK or an address, the same bytes the verification page names, and wrong codes throttled."""

from __future__ import annotations

import hashlib
import re

import pytest
from fastapi.testclient import TestClient
from faults.test_signature_attacks import FIELDS, City

from support.citizen import set_receipt_numbers_directly
from sync.server.app import create_app
from sync.server.status_page import MAX_FAILURES, StatusDesk, Throttled

NIK = "3573015708900003"


class Desk:
    def __init__(self, city: City) -> None:
        self.city = city
        self.http = TestClient(create_app(city.server))
        self.signed = self._case("SKD/0001/2026", "K7M2-QX9P", sign=True)
        self.waiting = self._case("SKD/0002/2026", "Z8RT4WNC", sign=False)

    def _case(self, reg_no: str, code: str, *, sign: bool) -> str:
        case = self.city.verified_case()
        if sign:
            event, op = self.city.approval(case)
            assert self.city.push(self.city.lurah, op)["status"] == "applied"
            self.city.accepted(event)
        set_receipt_numbers_directly(self.city.server.engine, case["id"], reg_no, code)
        return str(case["id"])

    def post(self, path: str, reg_no: str, code: str) -> object:
        return self.http.post(path, data={"reg_no": reg_no, "code": code})


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Desk:
    return Desk(City(tmp_path_factory.mktemp("status")))


def test_the_form_asks_by_post_and_needs_no_javascript(desk: Desk) -> None:
    page = desk.http.get("/status")
    assert page.status_code == 200 and 'method="post"' in page.text and 'name="code"' in page.text
    assert "<script" not in page.text.lower() and page.headers["Cache-Control"] == "no-store"
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'none': no script at all


def test_the_right_code_shows_the_steps_in_wib_and_never_the_nik_or_address(desk: Desk) -> None:
    page = desk.post("/status", "skd/0001/2026", "k7m2 qx9p")  # as a person types it from the receipt
    assert page.status_code == 200, page.text
    text = page.text
    assert "SKD/0001/2026" in text and "Surat sudah ditandatangani" in text and "Unduh surat" in text
    assert re.search(r"\d{1,2} (Januari|Februari|Maret|April|Mei|Juni|Juli|Agustus|September|Oktober|November|"
                     r"Desember) \d{4}, \d\d\.\d\d WIB", text)
    assert "Kelurahan Oro-oro Dowo" in text
    for secret in (NIK, FIELDS["alamat"], FIELDS["no_kk"], "Jl."):
        assert secret not in text
    waiting = desk.post("/status", "SKD/0002/2026", "Z8RT4WNC").text
    assert "Sedang diproses" in waiting and "Unduh surat" not in waiting and "belum" in waiting
    assert NIK not in waiting


def test_the_download_is_the_letter_the_verification_page_checks(desk: Desk) -> None:
    answer = desk.post("/status/surat", "SKD/0001/2026", "K7M2QX9P")
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF") and "attachment" in answer.headers["content-disposition"]
    digest = hashlib.sha256(answer.content).hexdigest()
    assert digest in desk.http.get(f"/verify/{desk.signed}").text
    assert desk.post("/status/surat", "SKD/0002/2026", "Z8RT4WNC").status_code == 404
    assert desk.post("/status/surat", "SKD/0001/2026", "WRONG000").status_code == 403


def test_twenty_wrong_codes_throttle_the_client_with_a_clear_page(desk: Desk) -> None:
    http = TestClient(create_app(desk.city.server), client=("198.51.100.7", 5000))
    for _ in range(MAX_FAILURES):
        wrong = http.post("/status", data={"reg_no": "SKD/9999/2026", "code": "GUESS123"})
        assert wrong.status_code == 403 and "tidak cocok" in wrong.text
    stopped = http.post("/status", data={"reg_no": "SKD/0002/2026", "code": "Z8RT4WNC"})  # even the right one
    assert stopped.status_code == 429 and "Terlalu banyak percobaan" in stopped.text
    assert int(stopped.headers["Retry-After"]) > 0 and "menit" in stopped.text


def test_a_number_under_attack_is_throttled_from_every_address(desk: Desk) -> None:
    target = StatusDesk(desk.city.server.engine, desk.city.server.catalog, desk.city.server.offices)
    for n in range(MAX_FAILURES):
        assert target.lookup("SKD/0002/2026", f"GUESS{n:03d}", f"203.0.113.{n}") is None
    with pytest.raises(Throttled):
        target.lookup("SKD/0002/2026", "Z8RT4WNC", "192.0.2.99")
    assert target.lookup("SKD/0001/2026", "K7M2QX9P", "192.0.2.99") is not None  # other citizens go on


def test_a_return_stands_where_the_request_stopped_and_a_new_hand_in_starts_the_steps_over() -> None:
    from types import SimpleNamespace as Row

    from sync.server.status_page import steps_html

    def shown(status: str, *events: tuple[str, str]) -> list[tuple[str, str]]:
        html = steps_html(Row(created_at="2026-12-01T01:00:00Z", status=status),
                          [Row(action=a, at=f"2026-12-0{d}T03:00:00Z") for a, d in events])
        return re.findall(r'class="(\w+)"><b>(\w+)', html)

    assert shown("returned", ("submit", "1"), ("return", "1")) == [
        ("done", "Diterima"), ("done", "Diajukan"), ("stop", "Dikembalikan")]
    assert shown("verified", ("submit", "1"), ("verify", "1"), ("return", "1"), ("submit", "2")) == [
        ("done", "Diterima"), ("done", "Diajukan"), ("todo", "Diperiksa"), ("todo", "Surat"), ("todo", "Surat")]
    assert shown("rejected", ("submit", "1"), ("verify", "2"), ("reject", "3"))[-1] == ("stop", "Ditolak")
