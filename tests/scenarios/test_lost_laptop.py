"""A lost laptop: whoever copies the profile folder finds no citizen's NIK, name or scanned document in it.

The whole folder is read byte by byte (the database and its -wal/-shm, blobs, logs, backups, temp files, the
signing folder), after enrolment, intake with attachments, verification, signing and sync, as an attacker
with the disk in hand would, without the owner's keyring."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path

from samples import SKD_FIELDS, documents
from scenarios.office import PIN, enrol
from support.server import Laptop, ServerProcess

NIK = "3573014406910007"  # a marker: born 04-06-1991, woman, Klojen
NAME = "Kusumawati Prameswari"


def _needles(scans: dict[str, Path]) -> dict[str, bytes]:
    needles = {"nik": NIK.encode(), "nik-utf16": NIK.encode("utf-16-le"), "name": NAME.encode(),
               "name-upper": NAME.upper().encode(), "name-utf16": NAME.encode("utf-16-le"),
               "alamat": SKD_FIELDS["alamat"].encode()}
    for code, path in scans.items():
        data = path.read_bytes()
        middle = len(data) // 2
        needles[f"doc-{code}"] = data[middle:middle + 32]
        needles[f"doc-{code}-sha"] = hashlib.sha256(data).hexdigest().encode()
    return needles


def _leaks(folder: Path, needles: dict[str, bytes]) -> list[str]:
    found = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        found += [f"{path.relative_to(folder)}: {label}" for label, needle in needles.items() if needle in data]
    return found


def test_a_copied_profile_folder_holds_no_citizen_data(new_laptop: Callable[[str], Laptop],
                                                       server: ServerProcess, tmp_path: Path) -> None:
    device = new_laptop("hilang")
    enrol(device, server, "siti")
    enrol(device, server, "bambang")
    enrol(device, server, "lurah", signer=True)
    scans_dir = tmp_path / "scans"
    scans_dir.mkdir()
    scans = documents(scans_dir)
    args = ["--user", "siti", "case", "new", "--service", "SKD", "--nik", NIK, "--name", NAME]
    for key, value in SKD_FIELDS.items():
        args += ["--field", f"{key}={value}"]
    for doc, path in scans.items():
        args += ["--attach", f"{doc}={path}"]
    case_id = str(device.ok(*args)["id"])
    device.ok("--user", "siti", "case", "submit", case_id)
    device.ok("--user", "bambang", "case", "verify", case_id)
    device.ok("--user", "lurah", "case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert device.ok("sync")["rejected"] == 0
    assert device.ok("case", "show", case_id)["nik"] == NIK  # the owner, with the keyring, reads it all

    files = [p for p in device.profile.rglob("*") if p.is_file()]
    assert any(p.name == "loket.db" for p in files) and any("blobs" in p.parts for p in files)
    assert _leaks(device.profile, _needles(scans)) == []
    doctor = {c["name"]: c for c in json.loads(device.run("--json", "doctor").stdout)["checks"]}
    assert doctor["encryption"]["ok"] and "ya" in doctor["encryption"]["detail"], doctor["encryption"]
