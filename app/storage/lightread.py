"""A read-only look into a profile's store with plain SELECTs, for the command line's reads that must start
fast (``loket-cli case show``, and whether ``loket-cli sync`` has anything to do): no SQLAlchemy, no
migrations, no writes.

It opens the SQLCipher file with the key from the OS keyring exactly as :mod:`app.storage.db` does (through
:mod:`app.storage.keyed`), read-only, and only a store whose schema revision is one these SELECTs were written
for (:data:`KNOWN_SCHEMAS`). Anything else — no store yet, a plaintext one, no key, another revision, a file
that does not open — answers None, and the caller takes the ordinary path, which migrates, repairs or says what
is wrong. A new migration that changes the tables read here adds its revision to :data:`KNOWN_SCHEMAS` once the
SELECTs below are checked against it (``tests/test_lightread.py`` fails until then).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from app.storage import atrest
from app.storage.keyed import connect, revision_on

log = logging.getLogger("loket.lightread")

KNOWN_SCHEMAS = frozenset({"0010_case_search", "0011_rekap_fields", "0012_outbox_order"})
# The newest of them, which the ordinary path would not migrate: a light path that writes (``sync.idle``) takes
# only a store at this revision (``app.storage.db.SCHEMA_HEAD``; ``tests/test_sync_idle.py`` holds them equal).
NEWEST_SCHEMA = "0012_outbox_order"


@dataclass(frozen=True, slots=True)
class CaseRow:
    id: str
    service: str
    office: str
    nik: str | None
    name: str
    fields: str
    status: str
    version: int
    server_version: int | None
    created_at: str
    updated_at: str
    created_by: str
    device: str
    due_date: str
    letter_number: str | None
    letter_sha256: str | None
    reason: str | None
    steps: str | None
    reg_no: str | None


@dataclass(frozen=True, slots=True)
class UserRow:
    username: str
    role: str
    office: str
    enrolled: bool


@dataclass(frozen=True, slots=True)
class EventRow:
    action: str
    from_status: str | None
    to_status: str | None
    actor: str
    device: str
    reason: str | None
    details: str | None
    at: str
    received_at: str | None


@dataclass(frozen=True, slots=True)
class DocumentRow:
    doc_code: str
    filename: str
    sha256: str
    size: int
    mime: str


@dataclass(frozen=True, slots=True)
class OpRow:
    op_id: str
    case_id: str | None
    kind: str
    payload: str
    actor: str
    created_at: str
    state: str
    errno: int | None
    error: str | None
    refused_at: str | None


def _columns(row_type: type[Any], prefix: str = "") -> str:
    """The row type's fields as the SELECT's column list, in the order the row is built from."""
    return ", ".join(prefix + f.name for f in dataclasses.fields(row_type))


_CASE = f"SELECT {_columns(CaseRow)} FROM cases"


def open_profile(profile: Path) -> LightStore | None:
    """The profile's store opened for reading, or None when the ordinary path must open it."""
    path = profile.expanduser() / "loket.db"
    try:
        if not path.is_file() or path.stat().st_size == 0 or atrest.is_plaintext_sqlite(path):
            return None
        keys = atrest.load_keys(path)
    except Exception:  # the keyring or the file: the ordinary path reports it in its own words
        log.info("light read path not taken: store or key not readable", exc_info=False)
        return None
    if keys is None:
        return None
    try:
        con = connect(path, keys, readonly=True)
    except Exception:
        log.info("light read path not taken: the store did not open read-only")
        return None
    try:
        revision = revision_on(con)
    except sqlcipher.DatabaseError:
        revision = None
    if revision not in KNOWN_SCHEMAS:
        con.close()
        log.info("light read path not taken: schema %s", revision)
        return None
    return LightStore(con, keys, revision)


class LightStore:
    """One read transaction on the store: every SELECT sees the same snapshot. Close it (``with``).
    ``keys``: the store's keys (the blob folder's file names, a later write); ``revision``: its schema's."""

    def __init__(self, con: sqlcipher.Connection, keys: atrest.StoreKeys | None = None,
                 revision: str | None = None) -> None:
        self._con = con
        self.keys = keys
        self.revision = revision
        con.isolation_level = None
        con.execute("PRAGMA query_only = ON")
        con.execute("PRAGMA temp_store = MEMORY")  # a sort never reaches a plaintext temp file
        con.execute("BEGIN")

    def __enter__(self) -> LightStore:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        with contextlib.suppress(sqlcipher.Error):
            self._con.execute("ROLLBACK")
        self._con.close()

    def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        return list(self._con.execute(sql, params).fetchall())

    def find_case(self, ident: str) -> list[CaseRow]:
        """Cases whose id is ``ident`` or starts with it, or whose registration number it is — the same rule as
        :func:`app.storage.repo.find_case`."""
        ident = ident.strip().lower()
        found = self._rows(f"{_CASE} WHERE id = ?", ident)
        if not found and "-" in ident and len(ident) <= 40:  # a registration number (SKD-2026-KLJ08-0042)
            found = self._rows(f"{_CASE} WHERE reg_no = ? LIMIT 2", ident.upper())
        if not found and len(ident) >= 4:
            found = self._rows(f"{_CASE} WHERE id LIKE ? LIMIT 2", ident.replace("%", "").replace("_", "") + "%")
        return [CaseRow(*row) for row in found]

    def events_of(self, case_id: str) -> list[EventRow]:
        return [EventRow(*row) for row in self._rows(
            f"SELECT {_columns(EventRow)} FROM case_events WHERE case_id = ? ORDER BY id", case_id)]

    def documents_of(self, case_id: str) -> list[DocumentRow]:
        return [DocumentRow(*row) for row in self._rows(
            f"SELECT {_columns(DocumentRow)} FROM attachments WHERE case_id = ? ORDER BY id", case_id)]

    def ops_of(self, case_id: str, states: tuple[str, str]) -> list[tuple[OpRow, CaseRow | None]]:
        """The case's outbox ops in ``states`` (its refusals: refused and handled), oldest first, with the case."""
        rows = self._rows(f"SELECT {_columns(OpRow, 'o.')}, {_columns(CaseRow, 'c.')} FROM outbox AS o "
                          "LEFT JOIN cases AS c ON c.id = o.case_id WHERE o.state IN (?, ?) AND o.case_id = ? "
                          "ORDER BY o.seq", *states, case_id)
        width = len(dataclasses.fields(OpRow))
        return [(OpRow(*row[:width]), CaseRow(*row[width:]) if row[width] is not None else None) for row in rows]

    def device_names(self) -> dict[str, str]:
        return {str(i): str(n) for i, n in self._rows("SELECT id, name FROM device_names")}

    def meta(self, key: str) -> str | None:
        found = self._rows("SELECT value FROM meta WHERE key = ?", key)
        return str(found[0][0]) if found else None

    def history_pending(self) -> bool:
        """``meta.history_pending``."""
        return bool(self._rows("SELECT 1 FROM meta WHERE key LIKE 'history\\_cursor:%' ESCAPE '\\' LIMIT 1"))

    def server_devices(self) -> set[str]:
        """The server's device ids of the people enrolled on this laptop (``meta.server_devices``)."""
        return {str(r[0]) for r in self._rows("SELECT value FROM meta WHERE key LIKE 'server\\_device:%' ESCAPE '\\'")}

    # ---- what decides whether a sync run has anything to do (``sync.idle``) -------------------------------
    def users(self) -> list[UserRow]:
        return [UserRow(str(u), str(r), str(o), bool(e))
                for u, r, o, e in self._rows("SELECT username, role, office, enrolled FROM users ORDER BY username")]

    def enrolled_users(self) -> list[str]:
        return [u.username for u in self.users() if u.enrolled]

    def outbox_counts(self) -> dict[str, int]:
        """Outbox ops by state, and open conflicts under ``conflicts`` — :func:`app.storage.replica.counts`."""
        found = {str(state): int(n) for state, n in self._rows("SELECT state, count(*) FROM outbox GROUP BY state")}
        found["conflicts"] = int(self._rows("SELECT count(*) FROM conflicts WHERE state = 'open'")[0][0])
        return found

    def refusals(self, state: str) -> list[tuple[OpRow, CaseRow | None]]:
        """Every outbox op in ``state`` (refused: waiting for a person), oldest first, with its case."""
        rows = self._rows(f"SELECT {_columns(OpRow, 'o.')}, {_columns(CaseRow, 'c.')} FROM outbox AS o "
                          "LEFT JOIN cases AS c ON c.id = o.case_id WHERE o.state = ? ORDER BY o.seq", state)
        width = len(dataclasses.fields(OpRow))
        return [(OpRow(*row[:width]), CaseRow(*row[width:]) if row[width] is not None else None) for row in rows]

    def delegation_count(self, username: str) -> int:
        """Delegations this laptop keeps granted by or to ``username``."""
        return int(self._rows("SELECT count(*) FROM delegations WHERE delegate = ? OR grantor = ?",
                              username, username)[0][0])

    def leases_left(self, office: str, classification: str, year: int) -> list[tuple[str, int]]:
        """``(lease id, numbers left)`` of each number block for ``office``, ``classification`` and ``year``."""
        return [(str(i), max(0, int(last) - int(nxt) + 1)) for i, last, nxt in self._rows(
            "SELECT id, last, next FROM number_leases WHERE office = ? AND classification = ? AND year = ?",
            office, classification, year)]

    def blob_hashes(self) -> list[str]:
        """The attachments' and letters' hashes this laptop should hold — :func:`app.storage.replica.missing_blobs`
        asks the same two questions."""
        found = [str(r[0]) for r in self._rows("SELECT DISTINCT sha256 FROM attachments")]
        return found + [str(r[0]) for r in self._rows(
            "SELECT DISTINCT letter_sha256 FROM cases WHERE letter_sha256 IS NOT NULL") if r[0]]
