"""Encrypting a profile written by a release that stored it in the clear, on its first open.

Order, so that a crash at any point loses nothing (the next open simply starts again):

1. the store key is made and kept in the keyring (:func:`atrest.create_keys` reuses it on a second try);
2. the plaintext WAL is checkpointed into the database file;
3. an encrypted backup of the database goes to ``backups/`` (``…-before-encryption-….db``);
4. the database is exported into ``loket.db.encrypting`` (SQLCipher, same key) and checked;
5. older backups in ``backups/`` that are still plaintext are replaced by encrypted copies;
6. each plaintext blob is sealed under its keyed name, then the plaintext file is removed (per file:
   the sealed file is written atomically before the plain one goes, so a repeat finds one or both);
7. the plaintext ``-wal``/``-shm`` files are removed and ``loket.db.encrypting`` replaces ``loket.db`` in
   one rename. Until this rename the database is plaintext and step 1 starts again on the next open.

The old plaintext pages are unlinked, not overwritten: on an SSD nothing in user space can promise to wipe
them. Full-disk encryption (BitLocker, FileVault, LUKS) remains the advice for the whole laptop.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from app.errors import StorageError
from app.fileio import _fsync_dir, write_atomic
from app.storage import atrest
from app.storage.atrest import BLOB_MAGIC, BlobCipher, StoreKeys

STAGED_SUFFIX = ".encrypting"
# Test seam: called with a step's name after it is done (crash tests stop the process there).
after_step: Callable[[str], None] | None = None


def _step(name: str) -> None:
    if after_step is not None:
        after_step(name)


def _checkpoint(db_path: Path) -> None:
    try:
        con = sqlite3.connect(db_path, timeout=15)
        try:
            con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        from app.storage.db import _keep_damaged

        copy = _keep_damaged(db_path)
        raise StorageError("db.corrupt", path=db_path, copy=copy) from None


def _export_plain(source: Path, dest: Path, keys: StoreKeys) -> None:
    from app.storage.db import export

    con = sqlcipher.connect(str(source), timeout=15)  # no key: SQLCipher reads a plain SQLite file
    try:
        export(con, dest, keys)
    finally:
        con.close()


def _check(path: Path, keys: StoreKeys) -> None:
    from app.storage.keyed import connect

    con = connect(path, keys, readonly=True)
    try:
        verdict = con.execute("PRAGMA quick_check").fetchone()[0]
    finally:
        con.close()
    if verdict != "ok":
        raise StorageError("db.corrupt", path=path, copy=path)


def _encrypt_backups(folder: Path, keys: StoreKeys) -> None:
    if not folder.is_dir():
        return
    for old in sorted(folder.glob("*.db")):
        if not atrest.is_plaintext_sqlite(old):
            continue
        staged = old.with_name(old.name + STAGED_SUFFIX)
        _export_plain(old, staged, keys)
        os.replace(staged, old)
    _fsync_dir(folder)


def seal_blobs(root: Path, cipher: BlobCipher) -> int:
    """Seal every plaintext file under ``root``; returns how many were sealed. Idempotent."""
    from app.storage.blobs import BlobStore

    store = BlobStore(root, cipher=cipher)
    sealed = 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else []:
        if path.name.startswith("."):  # a temp file of an interrupted plaintext write
            path.unlink()
            continue
        data = path.read_bytes()
        if data.startswith(BLOB_MAGIC):
            continue
        digest = hashlib.sha256(data).hexdigest()
        target = store.path_of(digest)
        if not target.exists():
            write_atomic(target, cipher.seal(digest, data))
        path.unlink()
        sealed += 1
        _step("blob")
    return sealed


def encrypt_profile(db_path: Path) -> StoreKeys:
    """Encrypt the plaintext store at ``db_path``, its backups and the profile's blobs; returns the keys."""
    profile = db_path.parent
    keys = atrest.create_keys(db_path)
    _step("key")
    _checkpoint(db_path)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    backups = profile / "backups"
    backups.mkdir(parents=True, exist_ok=True)
    _encrypt_backups(backups, keys)
    _export_plain(db_path, backups / f"{db_path.stem}-before-encryption-{stamp}.db", keys)
    _step("backup")
    staged = db_path.with_name(db_path.name + STAGED_SUFFIX)
    _export_plain(db_path, staged, keys)
    _check(staged, keys)
    _step("export")
    seal_blobs(profile / "blobs", keys.blob_cipher())
    _step("blobs")
    for suffix in ("-wal", "-shm", "-journal"):
        with contextlib.suppress(FileNotFoundError):
            db_path.with_name(db_path.name + suffix).unlink()
    os.replace(staged, db_path)
    _fsync_dir(profile)
    _step("done")
    return keys
