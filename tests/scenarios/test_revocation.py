"""Revoking a signer: his letters timestamped before stay valid, his approvals arriving after are refused.

The Lurah signs offline on the office laptop; the first letter is synced and the server upgrades it to B-LT
(document timestamp at T). IT then revokes him (mutasi). The first letter still verifies, saying it was signed
before the revocation; a second letter, signed offline but reaching the server only after the revocation,
is refused at sync with a reason the office can read, its number becomes a gap, and the case goes back to
the signing queue, where the new Lurah signs it.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import sqlite3
from pathlib import Path

import pytest
import requests

from samples import NIK_MAN
from scenarios.office import PIN, enrol, register_skd
from support.server import Laptop, ServerProcess
from support.store_keys import borrow_from_subprocesses


def _verified_and_signed_offline(office: Laptop, server: ServerProcess, folder: Path, nik: str | None = None) -> str:
    case_id = register_skd(office, folder, **({"nik": nik, "name": "Budi Santoso"} if nik else {}))
    office.ok("--user", "bambang", "case", "verify", case_id)
    [signed] = office.ok("--user", "lurah", "case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert signed["status"] == "approved", signed
    return case_id


@pytest.mark.timeout(900)  # a whole office day through real processes, twice over, on a shared machine
def test_mutasi_keeps_timestamped_letters_valid_and_refuses_late_approvals(
        office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    first = _verified_and_signed_offline(office, server, tmp_path)
    assert office.ok("sync")["rejected"] == 0  # the server timestamps the letter (B-LT) at T
    letter = tmp_path / "surat-1.pdf"
    office.ok("letter", "export", first, "--out", str(letter))
    before = office.ok("verify", str(letter))
    assert before["valid"] and before["tier"] == "B-LT", before

    server.stop()  # the Lurah signs the second letter in the field, offline
    second = _verified_and_signed_offline(office, server, tmp_path, nik=NIK_MAN)
    number = office.ok("case", "show", second)["letter"]["number"]
    revoked = server.admin("revoke", "--user", "lurah", "--reason", "Mutasi ke Kecamatan Blimbing",
                           "--reason-code", "mutasi")
    assert revoked["revoked"] >= 1
    server.start()

    # the letter timestamped before the revocation stays valid, and says why
    after = office.ok("verify", str(letter))
    assert after["valid"], after
    assert after["revoked"] and after["signed_before_revocation"] and after["revocation_reason"] == "mutasi"
    assert after["timestamp_time"] < after["revoked_at"]
    text = office.run("verify", str(letter))
    assert text.returncode == 0 and "sebelum sertifikat dicabut" in text.stdout and "mutasi" in text.stdout, text

    # the letter that reached the server after the revocation is refused with a reason, the case goes back
    report = office.ok("sync")
    [refusal] = [r for r in report["refused"] if r["case_id"] == second]
    assert refusal["errno"] == 122 and "mutasi" in refusal["message"] and number in refusal["message"], refusal
    shown = office.ok("case", "show", second)
    assert shown["status"] == "verified" and shown["letter"] is None, shown
    assert report["pending"] == 0  # nothing of the revoked Lurah stays stuck in the outbox
    page = requests.get(f"{server.url}/verify/{first}", timeout=10).text
    assert "SAH" in page and "dicabut" in page and "mutasi" in page.lower(), page

    # its signature was never timestamped: on its own it does not verify
    unstamped = tmp_path / "surat-2-offline.pdf"
    unstamped.write_bytes(_offline_letter(office, second))
    late = office.run("--json", "verify", str(unstamped))
    assert late.returncode == 1
    result = json.loads(late.stdout)
    assert not result["valid"] and result["revoked"] and not result["signed_before_revocation"], result

    # the new Lurah, enrolled on the same laptop, finds the case in his queue and signs it
    server.admin("user", "add", "--office", "35.73.02.1008", "--role", "penandatangan", "--username", "lurahbaru",
                 "--name", "Agus Salim, S.Sos.", "--nip", "198106152005011007", "--position", "Lurah Oro-oro Dowo")
    enrol(office, server, "lurahbaru", signer=True)
    office.ok("sync")
    [again] = office.ok("--user", "lurahbaru", "case", "approve", second, "--pin-stdin", stdin=PIN + "\n")
    assert again["status"] == "approved" and again["letter_number"] != number
    final = office.ok("sync")
    assert final["rejected"] == 0, final["refused"]


def _offline_letter(office: Laptop, case_id: str) -> bytes:
    """The B-B letter the revoked Lurah signed offline, as it waited in the laptop's outbox."""
    from sqlalchemy import select

    from app.services.workspace import Workspace
    from app.storage.models import LetterGap, OutboxOp

    borrow_from_subprocesses(office.profile / "loket.db", env=office.env)  # the store is encrypted
    ws = Workspace(office.profile)
    with ws.db.read() as s:
        assert s.scalars(select(LetterGap).where(LetterGap.case_id == case_id)).first() is not None
        payload = s.scalars(select(OutboxOp.payload).where(OutboxOp.kind == "approval",
                                                           OutboxOp.case_id == case_id)).one()
    return base64.b64decode(json.loads(payload)["pdf"])


def _device_of(server: ServerProcess, username: str) -> str:
    with sqlite3.connect(server.data / "loket-server.db") as db:
        [(device,)] = db.execute("SELECT id FROM devices WHERE username = ?", (username,)).fetchall()
    return str(device)


@pytest.mark.timeout(900)
def test_lost_key_revoked_by_serial_backdates_the_end_of_its_letters(
        office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    first = _verified_and_signed_offline(office, server, tmp_path)
    assert office.ok("sync")["rejected"] == 0
    letter = tmp_path / "surat-1.pdf"
    office.ok("letter", "export", first, "--out", str(letter))
    stamped = office.ok("verify", str(letter))["timestamp_time"]
    serial = office.ok("--user", "lurah", "keys", "status")["certificate_serial"]

    # the laptop went missing a minute before the letter reached the server: IT says so with --since
    lost = (dt.datetime.fromisoformat(stamped) - dt.timedelta(minutes=1)).isoformat()
    server.admin("revoke", "--certificate", serial, "--reason", "Laptop hilang di perjalanan dinas",
                 "--reason-code", "hilang", "--since", lost)
    after = office.run("--json", "verify", str(letter))
    result = json.loads(after.stdout)
    assert after.returncode == 1 and not result["valid"] and result["revocation_reason"] == "hilang", result

    # the device itself still works: the late approval reaches the server, which refuses it with its reason
    second = _verified_and_signed_offline(office, server, tmp_path, nik=NIK_MAN)
    report = office.ok("sync")
    [refusal] = report["refused"]
    assert refusal["case_id"] == second and refusal["errno"] == 122 and "hilang" in refusal["message"], refusal
    assert office.ok("case", "show", second)["status"] == "verified"
    assert report["pending"] == 0
    status = office.ok("--user", "lurah", "keys", "status")  # the revocation list came with this sync
    assert status["revoked"] and status["revocation_reason"] == "hilang" and status["invalid_since"], status


@pytest.mark.timeout(900)
def test_revoked_device_refuses_only_its_signer_on_a_shared_laptop(
        office: Laptop, server: ServerProcess, tmp_path: Path) -> None:
    case_id = _verified_and_signed_offline(office, server, tmp_path)
    server.admin("revoke", "--device", _device_of(server, "lurah"), "--reason", "Token bocor",
                 "--reason-code", "ganti")
    other = register_skd(office, tmp_path, nik=NIK_MAN, name="Budi Santoso")  # siti keeps working meanwhile
    report = office.ok("sync")
    [refusal] = report["refused"]
    assert refusal["case_id"] == case_id and refusal["errno"] == 122, refusal
    assert "ganti" in refusal["message"] or "diganti" in refusal["message"], refusal
    # the server never received that letter, yet its QR code's page says it is void, and why
    number = re.search(r"nomor (\S+) tidak berlaku", refusal["message"]).group(1)  # type: ignore[union-attr]
    page = requests.get(f"{server.url}/verify/{case_id}", params={"no": number}, timeout=10).text
    assert "TIDAK SAH" in page and "tidak pernah terdaftar" in page, page
    assert office.ok("case", "show", case_id)["status"] == "verified"
    assert office.ok("case", "show", other)["status"] == "submitted"
    assert report["pending"] == 0
    again = office.ok("sync")  # the revoked person no longer stops the laptop's sync
    assert again["rejected"] == 0
