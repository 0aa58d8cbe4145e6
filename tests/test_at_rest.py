"""Encryption at rest on the laptop: the store is SQLCipher, blobs are sealed per file, the key lives only in
the OS keyring, and a plaintext profile of an earlier release is encrypted on first open without losing
anything, even when the process dies half-way."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import keyring
import pytest

from app.errors import StorageError
from app.events import EventBus
from app.services import cases, doctor
from app.services.workspace import Actor, Workspace
from app.storage import atrest
from app.storage.atrest import is_plaintext_sqlite
from app.storage.db import Database
from samples import NIK_WOMAN, PNG, SKD_FIELDS, documents
from support.store_keys import borrow_from_subprocesses, open_store

ROOT = Path(__file__).resolve().parent.parent
V1 = Path(__file__).with_name("fixtures") / "loket-v1.db"
V1_NAMES = (b"Siti Aminah", b"Budi Santoso")
V1_NIKS = (b"3573015708900003", b"3573020101850001")


def test_the_store_file_reads_as_noise(ws: Workspace, petugas: Actor) -> None:
    cases.create(ws, petugas, "SKD", NIK_WOMAN, "Kusumawati Prameswari", SKD_FIELDS)
    for path in ws.profile.glob("loket.db*"):
        data = path.read_bytes()
        assert NIK_WOMAN.encode() not in data and b"Kusumawati" not in data, path.name
    assert not is_plaintext_sqlite(ws.db.path)
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(ws.db.path).execute("SELECT nik, name FROM cases").fetchall()
    assert "store/" in " ".join(u for (_s, u) in keyring.get_keyring().store)  # type: ignore[attr-defined]
    assert b"store" not in atrest.key_id_path(ws.db.path).read_bytes().split(b'"id"')[1]  # a name, no key


def test_without_the_keyring_entry_the_store_does_not_open(ws: Workspace, petugas: Actor) -> None:
    cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", SKD_FIELDS)
    ws.close()
    entry = f"store/{atrest.read_key_id(ws.db.path)}"
    secret = keyring.get_password("loket", entry)
    keyring.delete_password("loket", entry)
    try:
        with pytest.raises(StorageError) as err:
            Database(ws.db.path)
        assert "keyring" in err.value.message and not (ws.profile / "damaged").exists()
    finally:
        keyring.set_password("loket", entry, secret)


def test_blobs_are_sealed_named_by_a_keyed_hash_and_checked(ws: Workspace, petugas: Actor) -> None:
    stored = ws.blobs.put(PNG)
    path = ws.blobs.path_of(stored.sha256)
    assert path.name != stored.sha256 and PNG not in path.read_bytes()
    assert ws.blobs.read(stored.sha256) == PNG
    other = ws.blobs.put(PNG + b"lain")
    shutil.copyfile(ws.blobs.path_of(other.sha256), path)  # a file swapped in place of another
    with pytest.raises(StorageError):
        ws.blobs.read(stored.sha256)
    assert ws.blobs.plaintext_files() == []


def _plaintext_profile(folder: Path) -> tuple[Path, dict[str, bytes]]:
    """A profile as release 0001 left it: plain SQLite, plain blobs named by their sha256, a plain backup."""
    folder.mkdir(parents=True)
    db = folder / "loket.db"
    shutil.copyfile(V1, db)
    (folder / "backups").mkdir()
    shutil.copyfile(V1, folder / "backups" / "loket-before-0001-from-none-20260301T000000.db")
    blobs = {}
    for path in documents(folder.parent).values():
        data = path.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        (folder / "blobs" / digest[:2]).mkdir(parents=True, exist_ok=True)
        (folder / "blobs" / digest[:2] / digest).write_bytes(data)
        blobs[digest] = data
    return db, blobs


def _assert_encrypted_and_whole(folder: Path, blobs: dict[str, bytes]) -> None:
    ws = Workspace(folder, events=EventBus())
    try:
        assert [c.ok for c in doctor.run(ws) if c.name == "encryption"] == [True]
        assert {ws.blobs.read(d) for d in blobs} == set(blobs.values())
        con = open_store(ws.db.path)
        assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == 3
        con.close()
    finally:
        ws.close()
    for path in (p for p in folder.rglob("*") if p.is_file()):
        data = path.read_bytes()
        leaks = [n for n in (*V1_NAMES, *V1_NIKS, *blobs.values()) if n in data]
        assert leaks == [], path
    assert not list(folder.glob("*.encrypting"))


def test_a_plaintext_profile_is_encrypted_on_first_open(tmp_path: Path) -> None:
    folder = tmp_path / "profile"
    db, blobs = _plaintext_profile(folder)
    ws = Workspace(folder, events=EventBus())
    detail = next(c for c in doctor.run(ws) if c.name == "encryption").detail
    ws.close()
    assert "ya" in detail
    assert not is_plaintext_sqlite(db)
    backups = sorted((folder / "backups").glob("*.db"))
    assert any("before-encryption" in b.name for b in backups) and not any(map(is_plaintext_sqlite, backups))
    _assert_encrypted_and_whole(folder, blobs)


def test_doctor_says_no_while_a_plaintext_file_remains(ws: Workspace) -> None:
    (ws.profile / "blobs" / "ab").mkdir(parents=True)
    (ws.profile / "blobs" / "ab" / "abcd").write_bytes(PNG)
    check = next(c for c in doctor.run(ws) if c.name == "encryption")
    assert not check.ok and "tidak" in check.detail and "abcd" in check.detail


CRASHER = textwrap.dedent("""
    import os, sys
    from pathlib import Path
    from app.storage import plaintext
    from app.services.workspace import Workspace

    step, seen = sys.argv[2], []
    def crash(name):
        seen.append(name)
        if name == step and (name != "blob" or len(seen) > 3):
            os._exit(9)  # the process dies here: no cleanup, no finally
    plaintext.after_step = crash
    Workspace(Path(sys.argv[1]))
""")


@pytest.mark.parametrize("step", ["key", "backup", "export", "blob", "blobs", "done"])
def test_a_crash_during_encryption_loses_nothing(tmp_path: Path, step: str) -> None:
    folder = tmp_path / "profile"
    _db, blobs = _plaintext_profile(folder)
    script = tmp_path / "crash.py"
    script.write_text(CRASHER)
    proc = subprocess.run([sys.executable, str(script), str(folder), step], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert proc.returncode == 9, proc.stderr
    borrow_from_subprocesses(folder / "loket.db")  # the key the dead process made, from the OS keyring
    _assert_encrypted_and_whole(folder, blobs)
