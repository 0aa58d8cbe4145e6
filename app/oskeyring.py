"""The OS keyring every secret of Loket lives in: chosen once and cheaply, refused when it cannot keep a secret.

``keyring.get_keyring()`` finds its backend by loading every installed one through the package metadata's
entry points and asking each for its priority (on Linux that includes loading macOS's through ctypes): about
half a second before a command can open its profile. :func:`backend` asks first what the person chose
(``PYTHON_KEYRING_BACKEND``, keyring's own ``keyringrc.cfg``), then tries the platform's own keyring (Secret
Service, Credential Manager, Keychain) directly, and only when that one is not there does keyring's full
search run. A backend already set with ``keyring.set_keyring()`` (tests, the self-test) is always kept.

Only a real OS keyring is accepted (:func:`ensure_secure_backend`): never ``fail``/``null``, never a file.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING

from app.errors import UserFacingError
from app.i18n import register

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

register({
    "keyring.unavailable": {
        "id": "Brankas kunci sistem (keyring) tidak tersedia: {reason}. Windows memakai Credential Manager, "
        "macOS memakai Keychain; di Linux pasang dan buka GNOME Keyring atau KWallet (Secret Service), "
        "lalu coba lagi. Kunci tanda tangan tidak pernah disimpan di berkas biasa.",
        "en": "The system keyring is not available: {reason}. Windows uses Credential Manager, macOS the "
        "Keychain; on Linux install and unlock GNOME Keyring or KWallet (Secret Service), then try again. "
        "The signing key is never stored in a plain file.",
    },
    "keyring.insecure": {
        "id": "Keyring yang aktif ({backend}) menyimpan rahasia di berkas biasa dan tidak boleh dipakai "
        "untuk kunci tanda tangan. Hapus paket keyrings.alt / keyrings.cryptfile atau pilih backend sistem "
        "(PYTHON_KEYRING_BACKEND), lalu coba lagi.",
        "en": "The active keyring ({backend}) keeps secrets in a plain file and cannot hold a signing key. "
        "Remove keyrings.alt / keyrings.cryptfile or choose the system backend (PYTHON_KEYRING_BACKEND), "
        "then try again.",
    },
})

class KeystoreError(UserFacingError):
    """Base of the user-facing errors about keeping secrets (the keyring, the signer's key)."""


class KeyringUnavailable(KeystoreError):
    key = "keyring.unavailable"


class KeyringInsecure(KeystoreError):
    key = "keyring.insecure"


def backend() -> KeyringBackend:
    """The keyring in use: the one already set, else the person's choice, else the platform's own, else
    keyring's full search (which may well find ``fail``; :func:`ensure_secure_backend` refuses it)."""
    import keyring
    import keyring.core

    if getattr(keyring.core, "_keyring_backend", None) is None:
        chosen = keyring.core.load_env() or keyring.core.load_config() or _native()
        if chosen is not None:
            keyring.set_keyring(chosen)
    return keyring.get_keyring()


def _native() -> KeyringBackend | None:
    """The platform's own keyring if it answers, else None. A KDE session is left to keyring's search, which
    prefers KWallet there."""
    if "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", ""):
        return None
    try:
        cls = _native_class()
        if cls is None or cls.priority <= 0:  # the check itself: raises when the daemon/API is not there
            return None
        found: KeyringBackend = cls()
    except Exception as err:  # any failure means "not this one": keyring's search decides then
        log.info("the platform keyring is not available (%s); searching all backends", err)
        return None
    return found


def _native_class() -> type[KeyringBackend] | None:
    """Secret Service, Credential Manager or Keychain, by platform (imported plainly, so a bundler sees it)."""
    if sys.platform == "linux":
        from keyring.backends import SecretService

        return SecretService.Keyring
    if sys.platform == "win32":
        from keyring.backends import Windows

        return Windows.WinVaultKeyring
    if sys.platform == "darwin":
        from keyring.backends import macOS

        return macOS.Keyring
    return None


def ensure_secure_backend(chosen: KeyringBackend) -> None:
    """Refuse keyrings that cannot keep a secret: ``fail``/``null`` and plaintext/file backends."""
    backends = list(getattr(chosen, "backends", None) or [chosen])
    if type(chosen).__name__ == "ChainerBackend" and not getattr(chosen, "backends", None):
        raise KeyringUnavailable(reason="no keyring backend is installed")
    for b in backends:
        module = type(b).__module__
        name = f"{module}.{type(b).__name__}"
        if module.startswith(("keyring.backends.fail", "keyring.backends.null")):
            raise KeyringUnavailable(reason=f"backend {name}")
        if module.startswith(("keyrings.alt", "keyrings.cryptfile")) or "plaintext" in name.lower():
            raise KeyringInsecure(backend=name)


def secure_backend() -> KeyringBackend:
    """:func:`backend`, refused unless it can keep a secret."""
    chosen = backend()
    ensure_secure_backend(chosen)
    return chosen
