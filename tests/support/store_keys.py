"""The store key of a test profile, where each side of a test looks for it.

In-process code keeps secrets in the in-memory keyring; ``loket-cli`` subprocesses use the real Secret
Service of the session. A profile made on one side and opened on the other needs its store key on both, as
on a real laptop (one keyring for the GUI and the CLI). Only test processes run this."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import sqlcipher3

from app.storage import atrest
from app.storage import db as store_db

_SHARED: set[tuple[str, str]] = set()
_SCRIPT_SET = ("import keyring,sys\n"
               "keyring.set_password('loket', sys.argv[1], sys.stdin.read())\n")
_SCRIPT_GET = ("import keyring,sys\n"
               "print(keyring.get_password('loket', sys.argv[1]) or '')\n")


def _env(extra: dict[str, str] | None) -> dict[str, str]:
    return {**os.environ, **(extra or {})}


def share_with_subprocesses(db_path: Path, env: dict[str, str] | None = None) -> None:
    """Copy an in-process profile's store key into the Secret Service that ``env``'s subprocesses use."""
    key_id = atrest.read_key_id(db_path)
    if key_id is None:
        return
    bus = _env(env).get("DBUS_SESSION_BUS_ADDRESS", "")
    if (key_id, bus) in _SHARED:
        return
    secret = keyring.get_password("loket", f"store/{key_id}")
    if secret is None:
        return
    subprocess.run([sys.executable, "-c", _SCRIPT_SET, f"store/{key_id}"], input=secret, text=True,
                   env=_env(env), check=True, capture_output=True, timeout=60)
    _SHARED.add((key_id, bus))


def borrow_from_subprocesses(db_path: Path, env: dict[str, str] | None = None) -> None:
    """Copy a subprocess-made profile's store key into this process's keyring (no-op when it is there)."""
    key_id = atrest.read_key_id(db_path)
    if key_id is None or keyring.get_password("loket", f"store/{key_id}"):
        return
    out = subprocess.run([sys.executable, "-c", _SCRIPT_GET, f"store/{key_id}"], text=True, env=_env(env),
                         check=True, capture_output=True, timeout=60).stdout.strip()
    if out:
        keyring.set_password("loket", f"store/{key_id}", out)


def open_store(db_path: Path, *, readonly: bool = False, env: dict[str, str] | None = None
               ) -> sqlcipher3.Connection:
    """The app's :func:`open_store`, wherever the profile was made."""
    borrow_from_subprocesses(db_path, env)
    return store_db.open_store(db_path, readonly=readonly)
