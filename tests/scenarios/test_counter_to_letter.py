"""The ordinary day on one shared office laptop: registered at the counter, verified, signed, synced."""

from __future__ import annotations

from pathlib import Path

from scenarios.office import PIN, register_skd
from support.server import Laptop, ServerProcess


def test_one_case_from_counter_to_signed_letter(office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    case_id = register_skd(office, tmp_path)
    office.ok("--user", "bambang", "case", "verify", case_id)
    [signed] = office.ok("--user", "lurah", "case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert signed["status"] == "approved" and signed["letter_number"]
    report = office.ok("sync")
    assert report["rejected"] == 0 and report["pending"] == 0
    shown = office.ok("case", "show", case_id)
    assert shown["letter"]["number"] == signed["letter_number"]
