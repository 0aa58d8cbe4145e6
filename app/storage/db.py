"""Opening a profile's SQLite database: pragmas, transactions, migrations with a backup first.

Writers take the lock up front (``BEGIN IMMEDIATE``) so two processes on one profile (the GUI and a
``loket-cli`` call) queue instead of failing half-way; readers use deferred transactions and never block
a writer under WAL. ``synchronous=FULL``: an acknowledged case, outbox op or approval survives power loss.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import re
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import NullPool

from app.errors import StorageError
from app.i18n import register

register({"disk.full": {
    "id": "Disk penuh: data tidak dapat disimpan di {path}. Yang sudah tersimpan tetap aman; kosongkan ruang disk "
          "lalu ulangi.",
    "en": "The disk is full: nothing more can be saved in {path}. What was saved before is safe; free some disk "
          "space and try again."}})

SCHEMA_HEAD = "0007_event_received_at"
MIGRATIONS = Path(__file__).with_name("migrations")
BUSY_TIMEOUT_MS = 15_000


def _engine(path: Path, immediate: bool) -> Engine:
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA journal_mode = WAL")
        cur.execute("PRAGMA synchronous = FULL")
        cur.execute("PRAGMA foreign_keys = ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine


def _current_revision(path: Path) -> str | None:
    """The schema revision stored in the file, read without Alembic (fast start for the CLI)."""
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        # Reading the schema raises DatabaseError on a damaged header; a full quick_check would read the
        # whole file (a second per GB) on every start, so deep checks belong to ``doctor``.
        row = con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'"
        ).fetchone()
        if row is None:
            return None
        found = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return found[0] if found else None
    finally:
        con.close()


def known_revisions() -> list[str]:
    """Every revision id the migration files declare (``revision = "…"``), read without importing them."""
    found = []
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        match = re.search(r'^revision = "([^"]+)"', path.read_text(encoding="utf-8"), re.MULTILINE)
        found.append(match.group(1) if match else path.name.split("_", 1)[0])
    return sorted(found)


def backup(path: Path, dest_dir: Path, label: str) -> Path:
    """A consistent copy of the database (SQLite's online backup), owner-only."""
    dest_dir.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%f")
    dest = dest_dir / f"{path.stem}-{label}-{stamp}.db"
    src = sqlite3.connect(path)
    try:
        out = sqlite3.connect(dest)
        try:
            src.backup(out)
        finally:
            out.close()
    finally:
        src.close()
    dest.chmod(0o600)
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
        if upgrade:
            self._prepare()
        self.writer = _engine(path, immediate=True)
        self.reader = _engine(path, immediate=False)
        self._write_sessions = sessionmaker(self.writer, expire_on_commit=False)
        self._read_sessions = sessionmaker(self.reader, expire_on_commit=False)

    def _prepare(self) -> None:
        fresh = not self.path.exists() or self.path.stat().st_size == 0
        revision: str | None = None
        if not fresh:
            try:
                revision = _current_revision(self.path)
            except sqlite3.DatabaseError:
                copy = _keep_damaged(self.path)
                raise StorageError("db.corrupt", path=self.path, copy=copy) from None
            if revision is not None and revision not in known_revisions():
                raise StorageError("db.too_new", path=self.path, found=revision)
            if revision == SCHEMA_HEAD:
                return
            backup(self.path, self.path.parent / "backups", f"before-{SCHEMA_HEAD}-from-{revision or 'none'}")
        engine = _engine(self.path, immediate=True)
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
        try:
            with self._write_sessions() as session, session.begin():
                yield session
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
