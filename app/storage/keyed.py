"""The encrypted store's file opened as a plain DB-API connection with its key set: no SQLAlchemy, so a
command that only reads (``loket-cli case show``) pays for SQLCipher and the keyring alone.

:mod:`app.storage.db` builds its engines on these connections; :mod:`app.storage.lightread` reads through them.
The key goes to SQLCipher as a pragma and nowhere else: not into a log line, not into an exception's text.
"""

from __future__ import annotations

from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from app.errors import StorageError
from app.storage import atrest
from app.storage.atrest import StoreKeys

BUSY_TIMEOUT_MS = 15_000


def raw_connect(path: Path, keys: StoreKeys, *, readonly: bool = False) -> sqlcipher.Connection:
    """A DB-API connection to the encrypted store with its key set; nothing is read yet."""
    if readonly:
        con = sqlcipher.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000,
                                check_same_thread=False)
    else:
        con = sqlcipher.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    con.execute("PRAGMA cipher_log_level = NONE")  # SQLCipher would print decryption errors to stderr
    con.execute(keys.pragma_key())
    return con


def connect(path: Path, keys: StoreKeys, *, readonly: bool = False) -> sqlcipher.Connection:
    """A DB-API connection to the encrypted store, keyed and checked (a wrong key fails here, not later)."""
    con = raw_connect(path, keys, readonly=readonly)
    try:
        con.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError as err:
        con.close()
        if "not a database" not in str(err):  # busy, I/O: not a question of the key
            raise
        raise StorageError("store.key_wrong", path=path.parent) from None
    return con


def open_store(path: Path, *, readonly: bool = False) -> sqlcipher.Connection:
    """A DB-API connection to an existing store, its key read from the keyring (support tools, tests)."""
    keys = atrest.load_keys(path)
    if keys is None:
        raise StorageError("store.key_missing", path=path.parent)
    return connect(path, keys, readonly=readonly)


def revision_on(con: sqlcipher.Connection) -> str | None:
    """The schema revision Alembic recorded in the store open on ``con`` (None: no migration ran)."""
    row = con.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='alembic_version'").fetchone()
    if row is None:
        return None
    found = con.execute("SELECT version_num FROM alembic_version").fetchone()
    return str(found[0]) if found else None
