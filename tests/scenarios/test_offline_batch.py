"""Signing offline in batches on the shared office laptop: every honest approval reaches the server as signed.

The Lurah's approvals form one hash chain per device (each event names the one before it), whatever case
they belong to; the laptop pushes its work in the order it was made, so the server always receives a
predecessor before its successor, however cases, people and batches interleave.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from samples import NIK_MAN
from scenarios.office import approve, letter_verifies, register_skd
from support.server import Laptop, ServerProcess


def server_numbers(server: ServerProcess) -> dict[str, str]:
    """case id → the letter number the server accepted (read from its database, as an auditor would)."""
    with sqlite3.connect(server.data / "loket-server.db") as db:
        return {case: number for case, number in db.execute("SELECT case_id, letter_number FROM approvals")}


def local_gaps(device: Laptop) -> list[str]:
    with sqlite3.connect(device.profile / "loket.db") as db:
        return [row[0] for row in db.execute("SELECT number FROM letter_gaps")]


def synced_as_signed(device: Laptop, server: ServerProcess, signed: dict[str, str], folder: Path) -> None:
    """After a sync: every approval accepted, each letter keeps the number it was signed with, no gap, and
    every exported letter verifies."""
    report = device.ok("sync")
    assert report["rejected"] == 0 and report["pending"] == 0, [(r["errno"], r["message"]) for r in report["refused"]]
    assert {c: server_numbers(server)[c] for c in signed} == signed
    assert local_gaps(device) == []
    for case_id, number in signed.items():
        shown = device.ok("case", "show", case_id)
        assert shown["status"] == "approved" and shown["letter"]["number"] == number
        assert letter_verifies(device, case_id, folder)["letter_number"] == number


def test_offline_batch_of_a_known_and_a_new_case(office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    """Story 1: D was synced before the network went; R is registered offline; one batch signs D then R."""
    older = register_skd(office, tmp_path)
    office.ok("sync")
    server.stop()
    new = register_skd(office, tmp_path, name="Budi Santoso", nik=NIK_MAN)
    office.ok("--user", "bambang", "case", "verify", new)
    office.ok("--user", "bambang", "case", "verify", older)
    signed = approve(office, older, new)
    assert len(set(signed.values())) == 2
    server.start()
    synced_as_signed(office, server, signed, tmp_path)
