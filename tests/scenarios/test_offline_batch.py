"""Signing offline in batches on the shared office laptop: every honest approval reaches the server as signed.

The Lurah's approvals form one hash chain per device (each event names the one before it), whatever case
they belong to; the laptop pushes its work in the order it was made, so the server always receives a
predecessor before its successor, however cases, people and batches interleave.
"""

from __future__ import annotations

import signal
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from samples import NIK_MAN, NIK_WOMAN
from scenarios.office import PIN, add_signer, approve, letter_verifies, register_skd
from support.server import Laptop, ServerProcess
from support.store_keys import open_store

pytestmark = pytest.mark.timeout(900)  # real processes on a shared machine


def server_numbers(server: ServerProcess) -> dict[str, str]:
    """case id → the letter number the server accepted (read from its database, as an auditor would)."""
    with sqlite3.connect(server.data / "loket-server.db") as db:
        return {case: number for case, number in db.execute("SELECT case_id, letter_number FROM approvals")}


def local_gaps(device: Laptop) -> list[str]:
    db = open_store(device.profile / "loket.db", readonly=True, env=device.env)  # the encrypted laptop store
    try:
        return [row[0] for row in db.execute("SELECT number FROM letter_gaps")]
    finally:
        db.close()


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


def verified_offline(device: Laptop, folder: Path, count: int, prefix: str) -> list[str]:
    """``count`` cases registered, submitted and verified on ``device`` (whatever the network)."""
    made = []
    for index in range(count):
        nik = NIK_MAN if index % 2 else NIK_WOMAN
        case_id = register_skd(device, folder, name=f"{prefix} {index + 1}", nik=nik)
        device.ok("--user", "bambang", "case", "verify", case_id)
        made.append(case_id)
    return made


def test_two_offline_batches_mixing_known_and_new_cases(office: Laptop, server: ServerProcess,
                                                        tmp_path: Path) -> None:
    known = verified_offline(office, tmp_path, 2, "Warga lama")
    office.ok("sync")
    server.stop()
    new = verified_offline(office, tmp_path, 2, "Warga baru")
    signed = approve(office, new[0], known[0])  # a morning batch: the new case first
    signed |= approve(office, known[1], new[1])  # the afternoon batch, still offline
    assert len(set(signed.values())) == 4
    server.start()
    synced_as_signed(office, server, signed, tmp_path)


def test_two_signers_interleaved_on_one_laptop(office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    add_signer(office, server, "sekel", "Rudi Hartono, S.Sos.", "Sekretaris Kelurahan Oro-oro Dowo")
    server.stop()
    cases = verified_offline(office, tmp_path, 4, "Warga")
    signed: dict[str, str] = {}
    for case_id, who in zip(cases, ("lurah", "sekel", "sekel", "lurah"), strict=True):
        signed |= approve(office, case_id, user=who)
    server.start()
    synced_as_signed(office, server, signed, tmp_path)


def test_a_case_not_ready_in_the_middle_of_a_batch(office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    """A batch holding a case that is not the Lurah's to sign yet (not verified) is refused before the PIN is
    asked for, naming the case, and nothing is signed or numbered; the batch without it signs and syncs."""
    first, last = verified_offline(office, tmp_path, 2, "Warga")
    unverified = register_skd(office, tmp_path, name="Belum Diverifikasi")
    server.stop()
    out = office.run("--json", "--user", "lurah", "case", "approve", first, unverified, last, "--pin-stdin",
                     stdin=PIN + "\n")
    assert out.returncode == 1 and out.stderr.strip(), out
    assert office.ok("case", "show", first)["status"] == "verified"
    signed = approve(office, first, last)
    server.start()
    synced_as_signed(office, server, signed, tmp_path)
    assert office.ok("case", "show", unverified)["status"] == "submitted"


def _when(condition: Callable[[], bool], limit: float = 120) -> None:
    deadline = time.monotonic() + limit
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_push_killed_half_way_then_resumed(office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    """``kill -9`` of ``loket-cli sync`` once the server has answered part of the push; the next sync ends it."""
    known = verified_offline(office, tmp_path, 1, "Warga lama")
    office.ok("sync")
    server.stop()
    new = verified_offline(office, tmp_path, 3, "Warga baru")
    signed = approve(office, new[0], known[0], new[1], new[2])
    server.start()
    before = _answered(server)
    run = office.popen("sync")
    _when(lambda: _answered(server) > before or run.poll() is not None)
    run.send_signal(signal.SIGKILL)
    run.wait(30)
    synced_as_signed(office, server, signed, tmp_path)


def test_server_gone_half_way_through_a_push(office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    """The server dies (SIGKILL) while a push is under way; the laptop's sync fails cleanly and the next one,
    with the server back, delivers every approval as signed."""
    server.stop()
    cases = verified_offline(office, tmp_path, 3, "Warga")
    signed = approve(office, *cases)
    server.start()
    before = _answered(server)
    run = office.popen("sync")
    _when(lambda: _answered(server) > before or run.poll() is not None)
    server.stop(signal.SIGKILL)
    run.wait(120)
    server.start()
    synced_as_signed(office, server, signed, tmp_path)


def _answered(server: ServerProcess) -> int:
    try:
        with sqlite3.connect(server.data / "loket-server.db", timeout=1) as db:
            return int(db.execute("SELECT COUNT(*) FROM idempotency").fetchone()[0])
    except sqlite3.Error:
        return 0
