"""Per-user sync tokens in the OS keyring (never in a file, never in a log)."""

from __future__ import annotations

import contextlib

from keyring.errors import KeyringError, PasswordDeleteError

from app import oskeyring
from sync.errors import SyncError

SERVICE = "loket-sync"


def _entry(device_id: str, username: str) -> str:
    return f"{device_id}:{username}"


def save_token(device_id: str, username: str, token: str) -> None:
    backend = oskeyring.secure_backend()
    try:
        backend.set_password(SERVICE, _entry(device_id, username), token)
    except KeyringError as err:
        raise SyncError(message=f"keyring: {type(err).__name__}") from None


def load_token(device_id: str, username: str) -> str | None:
    backend = oskeyring.secure_backend()
    try:
        return backend.get_password(SERVICE, _entry(device_id, username))
    except KeyringError as err:
        raise SyncError(message=f"keyring: {type(err).__name__}") from None


def forget_token(device_id: str, username: str) -> None:
    with contextlib.suppress(PasswordDeleteError, KeyringError):
        oskeyring.backend().delete_password(SERVICE, _entry(device_id, username))
