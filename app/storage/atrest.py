"""Encryption at rest: one random secret per profile store, kept only in the OS keyring.

Contract
--------
* Each store (``loket.db``) has a random 256-bit secret in the OS keyring (service ``"loket"``, user
  ``"store/<id>"``). ``<id>`` is a random identifier in ``loket.db.key-id`` beside the database: that file
  names the secret and holds nothing secret. A profile copied to another folder keeps its identifier, so it
  opens with the same keyring entry; on another OS account or machine it does not open at all.
* Three keys are derived from the secret with HKDF-SHA256 and separate ``info`` labels: the SQLCipher raw key
  (``PRAGMA key = "x'…'"``, no PBKDF2 per open, so ``loket-cli`` starts as fast as before), the AES-256-GCM
  key of the blob files, and the HMAC key that names blob files (a plain sha256 of a KTP scan would let
  anyone holding the laptop confirm that a known document is on it).
* Only a real OS keyring is accepted (the same rule as the signing keys); never a file.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import json
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app.errors import StorageError
from app.fileio import write_atomic
from app.i18n import register
from app.oskeyring import KeyringUnavailable, secure_backend

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

KEYRING_SERVICE = "loket"
SQLITE_MAGIC = b"SQLite format 3\x00"
BLOB_MAGIC = b"LKB1"  # then a 12-byte nonce, then the AES-256-GCM ciphertext and tag
NONCE_BYTES = 12

register({
    "store.key_missing": {
        "id": "Kunci penyandian data profil {path} tidak ada di keyring akun ini. Data hanya dapat dibuka di "
              "akun dan perangkat tempat profil dibuat; pulihkan dari server dengan mendaftarkan ulang perangkat.",
        "en": "The encryption key of the profile data in {path} is not in this account's keyring. The data opens "
              "only on the account and device where the profile was made; recover it from the server by "
              "enrolling the device again.",
    },
    "store.key_wrong": {
        "id": "Data profil {path} tidak dapat dibuka dengan kunci di keyring (kunci lain atau berkas rusak).",
        "en": "The profile data in {path} does not open with the key in the keyring (another key or a damaged "
              "file).",
    },
    "blob.damaged": {
        "id": "Berkas lampiran {name} rusak atau diubah dan tidak dapat dibuka.",
        "en": "The attachment file {name} is damaged or was altered and cannot be opened.",
    },
})


def key_id_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".key-id")


def is_plaintext_sqlite(path: Path) -> bool:
    """True for a plain SQLite file (its header is readable); an SQLCipher file starts with random salt."""
    try:
        with path.open("rb") as fh:
            return fh.read(16) == SQLITE_MAGIC
    except FileNotFoundError:
        return False


def _hkdf(secret: bytes, info: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info.encode()).derive(secret)


@dataclass(frozen=True, slots=True)
class StoreKeys:
    """The keys derived from one store secret. ``repr`` shows none of them."""

    secret: bytes

    def __repr__(self) -> str:
        return "StoreKeys(…)"

    @property
    def sqlcipher(self) -> bytes:
        return _hkdf(self.secret, "loket/store/sqlcipher/v1")

    def pragma_key(self) -> str:
        """The statement that opens the database (raw key, hex): never log it."""
        return f"PRAGMA key = \"x'{self.sqlcipher.hex()}'\""

    def blob_cipher(self) -> BlobCipher:
        return BlobCipher(_hkdf(self.secret, "loket/blobs/aes-256-gcm/v1"),
                          _hkdf(self.secret, "loket/blobs/names/v1"))


class BlobCipher:
    """Per-file AES-256-GCM. The AAD binds a file to its content hash: swapped files do not decrypt."""

    def __init__(self, key: bytes, name_key: bytes) -> None:
        self._aead = AESGCM(key)
        self._name_key = name_key

    def __repr__(self) -> str:
        return "BlobCipher(…)"

    def name(self, sha256: str) -> str:
        """The file name of a blob: a keyed hash of its content hash (64 hex characters)."""
        return hmac.new(self._name_key, sha256.encode("ascii"), hashlib.sha256).hexdigest()

    def seal(self, sha256: str, data: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return BLOB_MAGIC + nonce + self._aead.encrypt(nonce, data, _blob_aad(sha256))

    def open(self, sha256: str, sealed: bytes) -> bytes:
        if not sealed.startswith(BLOB_MAGIC):
            raise StorageError("blob.damaged", name=sha256[:12])
        body = sealed[len(BLOB_MAGIC):]
        try:
            data = self._aead.decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], _blob_aad(sha256))
        except InvalidTag:
            raise StorageError("blob.damaged", name=sha256[:12]) from None
        return data


def _blob_aad(sha256: str) -> bytes:
    return f"loket-blob/v1/{sha256}".encode("ascii")


def _keyring() -> KeyringBackend:
    return secure_backend()


def _entry(key_id: str) -> str:
    return f"store/{key_id}"


def read_key_id(db_path: Path) -> str | None:
    try:
        doc = json.loads(key_id_path(db_path).read_text(encoding="utf-8"))
        return str(uuid.UUID(str(doc["id"])))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        raise StorageError("store.key_missing", path=db_path.parent) from None


def _get_secret(key_id: str) -> bytes | None:
    import keyring.errors

    try:
        text = _keyring().get_password(KEYRING_SERVICE, _entry(key_id))
    except keyring.errors.KeyringError as err:
        raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None
    if not text:
        return None
    secret = base64.b64decode(text.encode("ascii"), validate=True)
    if len(secret) != 32:
        raise StorageError("store.key_missing", path=key_id)
    return secret


def load_keys(db_path: Path) -> StoreKeys | None:
    """The keys of an existing encrypted store, or None when the store has no key yet."""
    key_id = read_key_id(db_path)
    if key_id is None:
        return None
    secret = _get_secret(key_id)
    if secret is None:
        raise StorageError("store.key_missing", path=db_path.parent)
    return StoreKeys(secret)


def create_keys(db_path: Path) -> StoreKeys:
    """A new secret in the keyring, then the file that names it (in that order: a crash leaves no name
    without a secret). Reuses the secret already named, if any."""
    import keyring.errors

    key_id = read_key_id(db_path)
    if key_id is not None:
        found = _get_secret(key_id)
        if found is not None:
            return StoreKeys(found)
    key_id = str(uuid.uuid4())
    secret = os.urandom(32)
    try:
        _keyring().set_password(KEYRING_SERVICE, _entry(key_id), base64.b64encode(secret).decode("ascii"))
    except keyring.errors.KeyringError as err:
        raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None
    if _get_secret(key_id) != secret:  # a keyring that silently drops writes must not cost the data
        raise KeyringUnavailable(reason="the keyring did not keep the store key")
    write_atomic(key_id_path(db_path), json.dumps({"v": 1, "id": key_id, "cipher": "sqlcipher4"}).encode())
    return StoreKeys(secret)


def forget_keys(db_path: Path) -> None:
    """Remove a store's secret from the keyring (the data becomes unreadable for good)."""
    key_id = read_key_id(db_path)
    if key_id is None:
        return
    import keyring.errors

    with contextlib.suppress(keyring.errors.PasswordDeleteError):
        _keyring().delete_password(KEYRING_SERVICE, _entry(key_id))
