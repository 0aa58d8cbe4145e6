"""The counter's day with two laptops of one office: registering offline gives each case its own readable
number, the citizen's receipt prints, the letter is handed over to a named person, the day's registers export.
"""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path
from typing import Any

import pytest

from samples import NIK_MAN
from scenarios.office import approve, enrol, hand_over, reg_no_of, register_skd
from support.server import Laptop, ServerProcess

pytestmark = pytest.mark.timeout(900)  # real processes on a shared machine

HOSTILE = '=HYPERLINK("http://evil.example/x","Klik")'


def _server_reg_nos(server: ServerProcess) -> dict[str, str | None]:
    with sqlite3.connect(server.data / "loket-server.db") as db:
        return {cid: reg for cid, reg in db.execute("SELECT id, reg_no FROM cases")}


def test_two_laptops_offline_then_receipt_handover_and_registers(
        office: Laptop, new_laptop: Any, server: ServerProcess, tmp_path: Path) -> None:
    front = new_laptop("loket-2")
    enrol(front, server, "siti")  # the second counter laptop of the same office gets its own block
    server.stop()  # the network goes: both counters keep registering
    on_office = [register_skd(office, tmp_path, name="Ani Lestari"),
                 register_skd(office, tmp_path, name=HOSTILE, nik=NIK_MAN)]
    (tmp_path / "front").mkdir()
    on_front = [register_skd(front, tmp_path / "front", name="Citra Dewi")]
    numbers = {cid: reg_no_of(office, cid) for cid in on_office} | {cid: reg_no_of(front, cid) for cid in on_front}
    assert len(set(numbers.values())) == 3
    assert all("-KLJ08-" in n and "-L" not in n for n in numbers.values()), numbers  # from the server's blocks

    receipt = tmp_path / "tanda-terima.pdf"
    first = numbers[on_office[0]]
    office.ok("case", "receipt", first.lower(), "--out", str(receipt))  # found by its number, typed loosely
    text = subprocess.run(["pdftotext", "-layout", str(receipt), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert first in text and "TANDA TERIMA" in text and "/status" in text

    server.start()
    for device in (office, front):
        report = device.ok("sync")
        assert report["rejected"] == 0, report
    office.ok("sync")
    assert {cid: _server_reg_nos(server)[cid] for cid in numbers} == numbers
    listed = office.ok("case", "list", "--search", numbers[on_front[0]])
    assert [c["id"] for c in listed] == on_front  # the other laptop's case, pulled, found by its number

    for cid in on_office:
        office.ok("--user", "bambang", "case", "verify", cid)
    letters = approve(office, *on_office)
    hand_over(office, first)
    office.ok("sync")
    front.ok("sync")
    shown = front.ok("case", "show", first)
    issued = [e for e in shown["events"] if e["action"] == "issue"]
    assert shown["status"] == "issued" and issued[-1]["handover"]["name"] == "Budi Santoso"
    assert issued[-1]["handover"]["relation"] == "keluarga"

    from openpyxl import load_workbook

    from app.letters.model import today_wib

    today = today_wib().isoformat()
    book = tmp_path / "keluar.xlsx"
    office.ok("register", "export", "--kind", "keluar", "--from", today, "--to", today, "--out", str(book))
    rows = list(load_workbook(book).active.iter_rows(values_only=True))
    assert {r[1] for r in rows[1:]} == set(letters.values())
    cell = next(c for row in load_workbook(book).active.iter_rows() for c in row if c.value == HOSTILE)
    assert cell.data_type == "s"  # the hostile name stays text, never a formula
    masuk = tmp_path / "masuk.pdf"
    office.ok("register", "export", "--kind", "masuk", "--from", today, "--to", today, "--out", str(masuk))
    listing = subprocess.run(["pdftotext", "-layout", str(masuk), "-"], capture_output=True, text=True,
                             check=True).stdout
    assert all(n in listing for n in numbers.values())
