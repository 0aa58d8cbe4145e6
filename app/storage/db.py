"""Opening a profile's SQLite database: encryption, pragmas, transactions, migrations with a backup first.

The store is an SQLCipher 4 file (``sqlcipher3``, SQLite with page-level AES-256 and HMAC); its key comes
from the OS keyring (:mod:`app.storage.atrest`). A plaintext store made by an earlier release is encrypted on
first open (:mod:`app.storage.plaintext`). Backups are SQLCipher files under the same key.

Writers take the lock up front (``BEGIN IMMEDIATE``) so two processes on one profile (the GUI and a
``loket-cli`` call) queue instead of failing half-way; readers use deferred transactions and never block
a writer under WAL. ``synchronous=FULL``: an acknowledged case, outbox op or approval survives power loss.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool, QueuePool

from app.errors import StorageError
from app.i18n import register
from app.storage import atrest
from app.storage.atrest import StoreKeys
from app.storage.keyed import BUSY_TIMEOUT_MS, connect, raw_connect, revision_on
from app.storage.keyed import open_store as open_store  # callers have long found it here

register({"disk.full": {
    "id": "Disk penuh: data tidak dapat disimpan di {path}. Yang sudah tersimpan tetap aman; kosongkan ruang disk "
          "lalu ulangi.",
    "en": "The disk is full: nothing more can be saved in {path}. What was saved before is safe; free some disk "
          "space and try again."}})

SCHEMA_HEAD = "0012_outbox_order"
MIGRATIONS = Path(__file__).with_name("migrations")

READ_CACHE_KIB = 32 * 1024  # page cache of each kept read connection (decrypted pages)
BULK_CACHE_KIB = 64 * 1024  # page cache of the connection a bulk import writes its batches on


def _engine(path: Path, keys: StoreKeys, immediate: bool) -> Engine:
    """The writer opens a connection per transaction (NullPool). The reader keeps a few connections: each
    new SQLCipher connection starts with an empty page cache and decrypts every page it reads again, which
    made the case list several times slower than on a connection that stays open."""

    def _connect() -> sqlcipher.Connection:
        con = connect(path, keys)
        con.isolation_level = None  # we issue BEGIN ourselves
        cur = con.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.execute("PRAGMA temp_store = MEMORY")  # sort/temp tables never reach a plaintext temp file
        if not immediate:
            cur.execute(f"PRAGMA cache_size = -{READ_CACHE_KIB}")
        cur.close()
        return con

    if immediate:
        engine = create_engine("sqlite://", module=sqlcipher, creator=_connect, poolclass=NullPool)
    else:  # reads from the GUI's lanes and workers: a few long-lived connections, more opened when busy
        engine = create_engine("sqlite://", module=sqlcipher, creator=_connect, poolclass=QueuePool,
                               pool_size=2, max_overflow=8, pool_timeout=60)

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _current_revision(path: Path, keys: StoreKeys) -> str | None:
    """The schema revision stored in the file, read without Alembic (fast start for the CLI)."""
    con = raw_connect(path, keys, readonly=True)
    try:
        # Reading the schema raises DatabaseError on a damaged header; a full quick_check would read the
        # whole file (a second per GB) on every start, so deep checks belong to ``doctor``.
        return revision_on(con)
    finally:
        con.close()


_REVISION = re.compile(r'^revision\s*=\s*["\']([^"\']+)["\']', re.MULTILINE)


def known_revisions() -> list[str]:
    """The revision ids of the migrations shipped with this version (``revision = "…"`` in each file)."""
    out = []
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        found = _REVISION.search(path.read_text(encoding="utf-8"))
        out.append(found.group(1) if found else path.name.split("_", 1)[0])
    return sorted(out)


def export(con: sqlcipher.Connection, dest: Path, keys: StoreKeys) -> None:
    """Copy the database open on ``con`` into a new SQLCipher file ``dest`` under ``keys`` (owner-only)."""
    dest.unlink(missing_ok=True)
    dest.touch(mode=0o600)
    escaped = str(dest).replace("'", "''")
    con.isolation_level = None
    con.execute(f"ATTACH DATABASE '{escaped}' AS export KEY \"x'{keys.sqlcipher.hex()}'\"")
    try:
        con.execute("BEGIN")  # one snapshot of the source for the whole copy
        try:
            con.execute("SELECT sqlcipher_export('export')")
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    finally:
        con.execute("DETACH DATABASE export")
    dest.chmod(0o600)
    with dest.open("rb+") as fh:
        os.fsync(fh.fileno())


def backup(path: Path, dest_dir: Path, label: str, keys: StoreKeys | None = None) -> Path:
    """A consistent copy of the database, encrypted under the store's key, owner-only."""
    keys = keys or atrest.load_keys(path)
    if keys is None:
        raise StorageError("store.key_missing", path=path.parent)
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    dest = dest_dir / f"{path.stem}-{label}-{stamp}.db"
    con = connect(path, keys)
    try:
        export(con, dest, keys)
    finally:
        con.close()
    return dest


def _keep_damaged(path: Path) -> Path:
    dest_dir = path.parent / "damaged"
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S")
    dest = dest_dir / f"{path.name}.{stamp}"
    shutil.copy2(path, dest)
    return dest


def migrate(path: Path, engine: Engine, target: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)


class Database:
    """One profile's database. ``read()`` and ``write()`` give sessions; each closes on exit."""

    def __init__(self, path: Path, *, upgrade: bool = True) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.keys = self._open_keys()
        if upgrade:
            self._prepare()
        self.writer = _engine(path, self.keys, immediate=True)
        self.reader = _engine(path, self.keys, immediate=False)
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    def _open_keys(self) -> StoreKeys:
        """The store's keys; a new store gets a new key, a plaintext one is encrypted first."""
        from app.storage import plaintext

        if atrest.is_plaintext_sqlite(self.path):
            return plaintext.encrypt_profile(self.path)
        keys = atrest.load_keys(self.path)
        if keys is not None:
            return keys
        if self.path.exists() and self.path.stat().st_size > 0:  # neither plain SQLite nor named: damaged
            copy = _keep_damaged(self.path)
            raise StorageError("db.corrupt", path=self.path, copy=copy)
        for stale in (self.path.with_name(self.path.name + s) for s in ("-wal", "-shm")):
            stale.unlink(missing_ok=True)  # left by an empty plaintext file: not ours to replay
        return atrest.create_keys(self.path)

    def _prepare(self) -> None:
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        revision: str | None = None
        if not fresh:
            try:
                revision = _current_revision(self.path, self.keys)
            except sqlcipher.DatabaseError:
                copy = _keep_damaged(self.path)
                raise StorageError("db.corrupt", path=self.path, copy=copy) from None
            if revision is not None and revision not in known_revisions():
                raise StorageError("db.too_new", path=self.path, found=revision)
            if revision == SCHEMA_HEAD:
                return
            backup(self.path, self.path.parent / "backups", f"before-{SCHEMA_HEAD}-from-{revision or 'none'}",
                   self.keys)
        engine = _engine(self.path, self.keys, immediate=True)
        try:
            migrate(self.path, engine)
        finally:
            engine.dispose()
        with contextlib.suppress(OSError):
            self.path.chmod(0o600)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed on normal exit, rolled back on any exception. A full disk (in SQLite
        or in a file written inside the transaction) becomes one sentence; what was committed before stays."""
        with self._disk_full_said(), self._write_sessions() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def write_batches(self) -> Iterator[Callable[[], contextlib.AbstractContextManager[Session]]]:
        """Several write transactions in a row on one connection, for a bulk import: each ``batch()`` is one
        transaction like :meth:`write`, but the connection's page cache (``BULK_CACHE_KIB``) stays warm
        between them, and the WAL is checkpointed once at the end instead of after every batch. A new
        connection per batch decrypted the indexes' pages again each time, and each checkpoint wrote them
        out again."""
        with self._disk_full_said(), self.writer.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw is not None  # a live pooled connection
            raw.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")  # outside a transaction: no BEGIN yet
            raw.execute("PRAGMA wal_autocheckpoint = 0")

            @contextlib.contextmanager
            def batch() -> Iterator[Session]:
                with self._disk_full_said(), conn.begin(), Session(bind=conn, expire_on_commit=False) as s:
                    yield s
                    s.flush()  # the session joined the connection's transaction: its objects go in before it ends

            yield batch
            raw.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @contextlib.contextmanager
    def _disk_full_said(self) -> Iterator[None]:
        try:
            yield
        except OperationalError as err:
            if "full" not in str(err.orig).lower():
                raise
            raise StorageError("disk.full", path=self.path.parent) from err
        except OSError as err:
            if err.errno != errno.ENOSPC:
                raise
            raise StorageError("disk.full", path=self.path.parent) from err

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session:
            yield session

    def close(self) -> None:
        self.writer.dispose()
        self.reader.dispose()
