"""A letter number the server refuses: the citizen's printed letter opens a page that says it is not valid,
why, and where to ask — never "not found" — and shows nothing personal (the page is public)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from samples import NIK_WOMAN, SKD_FIELDS
from scenarios.office import approve, enrol, register_skd
from support.server import Laptop, ServerProcess

pytestmark = pytest.mark.timeout(900)  # real processes on a shared machine


def test_printed_letter_of_a_refused_approval_says_why(office: Laptop, server: ServerProcess, tmp_path: Path,
                                                      new_laptop: Callable[[str], Laptop]) -> None:
    case_id = register_skd(office, tmp_path)
    office.ok("--user", "bambang", "case", "verify", case_id)
    office.ok("sync")
    # the Lurah signs in the field; meanwhile the verifier, on his own laptop, sends the request back
    [(_, number)] = approve(office, case_id).items()
    printed_url = office.ok("case", "show", case_id)["letter"]["verify_url"]
    assert printed_url.endswith("?no=" + requests.utils.quote(number, safe=""))
    phone = new_laptop("bambang-hp")
    enrol(phone, server, "bambang")
    phone.ok("sync")
    phone.ok("--user", "bambang", "case", "return", case_id, "--reason", "alamat tidak sesuai KK")
    phone.ok("sync")
    report = office.ok("sync")
    assert report["rejected"] == 1 and report["refused"][0]["errno"] == 121
    page = requests.get(printed_url, timeout=10)
    assert page.status_code == 200
    text = page.text
    assert "TIDAK SAH" in text and number in text and "tidak ditemukan" not in text.lower()
    assert "Isi berkas berubah setelah surat ditandatangani" in text  # why
    assert "Kelurahan Oro-oro Dowo" in text  # where to ask
    assert "This letter is not valid" in text
    for private in (NIK_WOMAN, "Ani Lestari", SKD_FIELDS["alamat"], SKD_FIELDS["no_kk"]):
        assert private not in text
    (tmp_path / "void.html").write_text(text)
    # a QR code naming only the case (letters printed before the number was in it) says the same
    older = requests.get(f"{server.url}/verify/{case_id}", timeout=10)
    assert older.status_code == 200 and "TIDAK SAH" in older.text and number in older.text


def test_a_number_not_received_yet_is_not_called_missing(office: Laptop, server: ServerProcess,
                                                         tmp_path: Path) -> None:
    case_id = register_skd(office, tmp_path)
    office.ok("--user", "bambang", "case", "verify", case_id)
    office.ok("sync")
    [(_, number)] = approve(office, case_id).items()  # signed, not synced yet
    url = office.ok("case", "show", case_id)["letter"]["verify_url"]
    page = requests.get(url, timeout=10)
    assert "belum terdaftar" in page.text and number in page.text and "tidak ditemukan" not in page.text.lower()
    office.ok("sync")
    page = requests.get(url, timeout=10)
    assert page.status_code == 200 and "SAH — ditandatangani secara elektronik" in page.text
