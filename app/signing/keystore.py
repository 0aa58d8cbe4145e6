"""The signer's device key: ECDSA P-256, kept only as a PIN-encrypted blob in the OS keyring.

Contract
--------
* The keyring entry (service ``"loket"``, user ``"<device_id>/<user>"``) holds one base64 JSON blob:
  scrypt parameters + salt, an AES-256-GCM nonce and the encrypted PKCS#8 DER key, plus the public key in
  clear (so a CSR can be checked or a certificate matched without the PIN). ≈ 650 bytes; Windows Credential
  Manager caps a secret at 2,560 bytes.
* The KDF parameters travel with the blob. When a blob was written with weaker parameters than this build's
  default, the next successful unlock re-encrypts it with the new ones, so the cost can be raised later.
* The PIN is checked (the GCM tag authenticates the decryption) before any key object exists;
  :meth:`KeyStore.unlocked` yields the key for one batch and drops every reference afterwards. CPython cannot
  wipe the bytes it decrypted; the key lives only as long as the batch.
* Repeated wrong PINs lock signing with growing delays (:func:`lockout_delay`). The failure count and the
  lock-until time live in a second keyring entry (user ``"<device_id>/<user>/lockout"``), not in the profile:
  a file could be deleted from a lost laptop's disk to win fresh attempts, a keyring entry cannot be reached
  without the OS account's password. (A lockout file of an earlier release is carried into the keyring and
  removed.) The lockout slows guessing *through Loket*; guessing against a copied blob is bounded by scrypt's
  cost (≈ 0.7 s and 128 MiB per guess), which is why a PIN has at least :data:`MIN_PIN_LENGTH` characters and
  is refused when it is trivially guessable (:func:`check_pin_strength`).
* Only a real OS keyring is accepted. The ``fail``/``null`` backends and plaintext/file backends
  (``keyrings.alt``, ``keyrings.cryptfile``) raise :class:`KeyringUnavailable` / :class:`KeyringInsecure`
  with instructions; there is never a fallback to a file.
* The certificate chain (public) is a PEM file in the profile: ``signing/<entry>.chain.pem``.

Threading: a :class:`KeyStore` is cheap; create one per operation. The scrypt call takes ≈ 0.7 s, so call
:meth:`KeyStore.unlocked` from a worker thread, never from the GUI thread.
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import keyring.errors
from cryptography import x509
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from keyring.backend import KeyringBackend

from app import oskeyring
from app.fileio import write_atomic
from app.i18n import register
from app.oskeyring import KeyringInsecure as KeyringInsecure  # their home is app.oskeyring; re-exported
from app.oskeyring import KeyringUnavailable as KeyringUnavailable
from app.oskeyring import KeystoreError as KeystoreError
from app.oskeyring import ensure_secure_backend as ensure_secure_backend

KEYRING_SERVICE = "loket"
BLOB_VERSION = 1
BLOB_LIMIT = 2560  # Windows Credential Manager's cap on one secret
MIN_PIN_LENGTH = 6
FREE_ATTEMPTS = 3  # wrong PINs allowed before the first delay
BASE_DELAY = 30.0  # seconds after the first delayed failure; doubles each time
MAX_DELAY = 3600.0

register({
    "pin.invalid": {
        "id": "PIN salah. Sisa {remaining} kali percobaan sebelum penandatanganan dikunci sementara.",
        "en": "Wrong PIN. {remaining} attempts left before signing is locked for a while.",
    },
    "pin.invalid_locked": {
        "id": "PIN salah. Penandatanganan dikunci selama {seconds} detik.",
        "en": "Wrong PIN. Signing is locked for {seconds} seconds.",
    },
    "pin.locked": {
        "id": "Terlalu banyak PIN salah. Coba lagi dalam {seconds} detik.",
        "en": "Too many wrong PINs. Try again in {seconds} seconds.",
    },
    "pin.weak": {
        "id": "PIN minimal {min} karakter.",
        "en": "The PIN needs at least {min} characters.",
    },
    "pin.trivial": {
        "id": "PIN ini terlalu mudah ditebak: jangan memakai angka yang berulang (111111, 121212), urutan "
              "(123456, 654321) atau tanggal lahir. Pilih {min} angka atau lebih yang acak.",
        "en": "This PIN is too easy to guess: do not use repeated digits (111111, 121212), runs (123456, 654321) "
              "or a birth date. Choose {min} or more random digits.",
    },
    "key.missing": {
        "id": "Belum ada kunci tanda tangan untuk {entry} di perangkat ini. Daftarkan kunci terlebih dahulu.",
        "en": "There is no signing key for {entry} on this device yet. Enrol a key first.",
    },
    "key.exists": {
        "id": "Kunci tanda tangan untuk {entry} sudah ada; kunci lama tidak ditimpa.",
        "en": "A signing key for {entry} already exists; it was not overwritten.",
    },
    "key.corrupt": {
        "id": "Data kunci tanda tangan di keyring rusak atau tidak dikenal ({reason}).",
        "en": "The signing key data in the keyring is damaged or unknown ({reason}).",
    },
    "chain.missing": {
        "id": "Sertifikat penandatangan belum tersimpan di profil ini ({path}).",
        "en": "The signer's certificate is not stored in this profile yet ({path}).",
    },
})


class InvalidPin(KeystoreError):
    key = "pin.invalid"


class SigningLocked(KeystoreError):
    """Raised before the PIN is even tried; ``params['seconds']`` is the remaining wait."""

    key = "pin.locked"


class WeakPin(KeystoreError):
    key = "pin.weak"


class NoSigningKey(KeystoreError):
    key = "key.missing"


class KeyExists(KeystoreError):
    key = "key.exists"


class CorruptKeyBlob(KeystoreError):
    key = "key.corrupt"


class MissingChain(KeystoreError):
    key = "chain.missing"


@dataclass(frozen=True, slots=True)
class KdfParams:
    """scrypt cost: ``n`` (power of two), ``r``, ``p``. Memory ≈ 128·n·r bytes."""

    n: int = 2**17
    r: int = 8
    p: int = 1

    def weaker_than(self, other: KdfParams) -> bool:
        return (self.n, self.r, self.p) < (other.n, other.r, other.p) and self != other


DEFAULT_KDF = KdfParams()


@dataclass(frozen=True, slots=True)
class LockState:
    """Wrong-PIN bookkeeping (not secret). ``locked_until`` is a clock value in seconds."""

    failures: int = 0
    locked_until: float = 0.0


def lockout_delay(failures: int) -> float:
    """Seconds signing stays locked after ``failures`` consecutive wrong PINs.

    The first :data:`FREE_ATTEMPTS` cost nothing (typos happen); then 30 s, 60 s, 120 s … up to one hour.
    """
    if failures < FREE_ATTEMPTS:
        return 0.0
    return float(min(MAX_DELAY, BASE_DELAY * 2.0 ** (failures - FREE_ATTEMPTS)))


def _birth_dates(nip: str | None) -> set[str]:
    """The ways a birth date is typed, from a NIP (its first eight digits are the holder's YYYYMMDD)."""
    digits = "".join(ch for ch in (nip or "") if ch.isdigit())
    if len(digits) < 8:
        return set()
    yyyy, mm, dd = digits[:4], digits[4:6], digits[6:8]
    return {yyyy + mm + dd, dd + mm + yyyy, dd + mm + yyyy[2:], yyyy[2:] + mm + dd, mm + dd + yyyy}


def _trivial(pin: str) -> bool:
    for period in (1, 2, 3):  # 111111, 121212, 123123
        if len(pin) > period and pin == (pin[:period] * len(pin))[:len(pin)]:
            return True
    if pin.isdigit():
        steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:], strict=False)}
        if steps in ({1}, {9}):  # 123456, 567890, 654321, 210987
            return True
    return False


def check_pin_strength(pin: str, *, nip: str | None = None) -> None:
    """Raise :class:`WeakPin` for a PIN shorter than :data:`MIN_PIN_LENGTH` or trivially guessable: one
    repeated digit or pair or triple, a run up or down, or the signer's birth date taken from the NIP."""
    if len(pin) < MIN_PIN_LENGTH:
        raise WeakPin(min=MIN_PIN_LENGTH)
    if _trivial(pin) or pin in _birth_dates(nip):
        raise WeakPin("pin.trivial", min=MIN_PIN_LENGTH)


def _normalise_pin(pin: str) -> bytes:
    # NFC so the same PIN typed on two keyboards/layouts yields the same bytes.
    return unicodedata.normalize("NFC", pin).encode("utf-8")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _derive(pin: bytes, salt: bytes, kdf: KdfParams) -> bytes:
    # maxmem is left to cryptography, which sizes it from n·r·p; N=2**17, r=8 needs 128 MiB.
    return Scrypt(salt=salt, length=32, n=kdf.n, r=kdf.r, p=kdf.p).derive(pin)


def _aad(entry: str, kdf: KdfParams) -> bytes:
    # Binds the ciphertext to its entry and its parameters: a blob copied to another entry, or with edited
    # parameters, fails authentication instead of decrypting with a silently weaker setting.
    return f"loket-key/v{BLOB_VERSION}/{entry}/scrypt/{kdf.n}/{kdf.r}/{kdf.p}/AES-256-GCM".encode()


def encrypt_key(private_key: ec.EllipticCurvePrivateKey, pin: str, entry: str,
                kdf: KdfParams = DEFAULT_KDF) -> str:
    """The keyring blob for ``private_key`` under ``pin`` (base64 of a small JSON document)."""
    salt = os.urandom(16)
    nonce = os.urandom(12)
    der = private_key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption())
    ct = AESGCM(_derive(_normalise_pin(pin), salt, kdf)).encrypt(nonce, der, _aad(entry, kdf))
    spki = private_key.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)
    doc = {"v": BLOB_VERSION,
           "kdf": {"alg": "scrypt", "n": kdf.n, "r": kdf.r, "p": kdf.p, "salt": _b64(salt)},
           "enc": {"alg": "AES-256-GCM", "nonce": _b64(nonce), "ct": _b64(ct)}, "pub": _b64(spki)}
    blob = _b64(json.dumps(doc, separators=(",", ":"), sort_keys=True).encode("ascii"))
    if len(blob) > BLOB_LIMIT:  # cannot happen for P-256; guards a future key type
        raise CorruptKeyBlob(reason=f"blob of {len(blob)} bytes exceeds {BLOB_LIMIT}")
    return blob


def _parse_blob(blob: str) -> dict[str, Any]:
    try:
        doc = json.loads(_unb64(blob))
        if (doc.get("v") != BLOB_VERSION or doc["kdf"]["alg"] != "scrypt"
                or doc["enc"]["alg"] != "AES-256-GCM"):
            raise ValueError(f"unsupported blob version/algorithm {doc.get('v')}")
        return dict(doc)
    except (ValueError, KeyError, TypeError) as err:
        raise CorruptKeyBlob(reason=str(err)) from None


def _blob_kdf(doc: dict[str, Any]) -> KdfParams:
    k = doc["kdf"]
    return KdfParams(int(k["n"]), int(k["r"]), int(k["p"]))


def decrypt_key(blob: str, pin: str, entry: str) -> ec.EllipticCurvePrivateKey:
    """Decrypt a blob made by :func:`encrypt_key`. Raises :class:`InvalidPin` (no lockout bookkeeping)."""
    doc = _parse_blob(blob)
    kdf = _blob_kdf(doc)
    try:
        key = _derive(_normalise_pin(pin), _unb64(doc["kdf"]["salt"]), kdf)
        der = AESGCM(key).decrypt(_unb64(doc["enc"]["nonce"]), _unb64(doc["enc"]["ct"]), _aad(entry, kdf))
    except InvalidTag:
        raise InvalidPin(remaining=0) from None
    private = serialization.load_der_private_key(der, password=None)
    del der
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise CorruptKeyBlob(reason="not an EC key")
    return private


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:80]


class KeyStore:
    """One signer's key on one device.

    ``profile_dir`` holds the non-secret files (lock state, certificate chain). ``backend`` defaults to
    the OS keyring (:func:`app.oskeyring.backend`); ``clock`` (seconds, monotonic enough across restarts — wall
    time) is injectable for tests; ``kdf`` is the cost used for new blobs and for upgrading older ones.
    """

    def __init__(self, profile_dir: Path, device_id: str, user: str, *,
                 backend: KeyringBackend | None = None, clock: Callable[[], float] = time.time,
                 kdf: KdfParams = DEFAULT_KDF) -> None:
        if not device_id or not user:
            raise ValueError("device_id and user are required")
        self.profile_dir = Path(profile_dir)
        self.entry = f"{device_id}/{user}"
        self._backend = backend
        self._clock = clock
        self.kdf = kdf
        folder = self.profile_dir / "signing"
        self._lock_path = folder / f"{_slug(self.entry)}.lock.json"  # earlier releases; carried over
        self._lock_entry = f"{self.entry}/lockout"
        self._chain_path = folder / f"{_slug(self.entry)}.chain.pem"

    # -- keyring access -------------------------------------------------------------------------------
    def _keyring(self) -> KeyringBackend:
        backend = self._backend or oskeyring.backend()
        ensure_secure_backend(backend)
        return backend

    def _read_blob(self) -> str | None:
        try:
            return self._keyring().get_password(KEYRING_SERVICE, self.entry)
        except keyring.errors.KeyringError as err:
            raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None

    def _write_blob(self, blob: str) -> None:
        self._write_entry(self.entry, blob)

    def _write_entry(self, entry: str, value: str) -> None:
        try:
            self._keyring().set_password(KEYRING_SERVICE, entry, value)
        except keyring.errors.KeyringError as err:
            raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None

    def _require_blob(self) -> str:
        blob = self._read_blob()
        if not blob:
            raise NoSigningKey(entry=self.entry)
        return blob

    # -- key lifecycle --------------------------------------------------------------------------------
    def has_key(self) -> bool:
        return bool(self._read_blob())

    def create_key(self, pin: str, *, replace: bool = False, nip: str | None = None) -> ec.EllipticCurvePublicKey:
        """Generate a P-256 key, store it under ``pin``; returns the public key (for the CSR's subject key).

        The CSR itself needs the private key: build it inside ``with store.unlocked(pin) as key:``.
        ``nip`` (the signer's) lets the PIN check refuse the birth date in it.
        """
        check_pin_strength(pin, nip=nip)
        if not replace and self.has_key():
            raise KeyExists(entry=self.entry)
        private = ec.generate_private_key(ec.SECP256R1())
        self._write_blob(encrypt_key(private, pin, self.entry, self.kdf))
        self._save_lock(LockState())
        return private.public_key()

    def public_key(self) -> ec.EllipticCurvePublicKey:
        """The public key, read from the blob without the PIN."""
        doc = _parse_blob(self._require_blob())
        public = serialization.load_der_public_key(_unb64(doc["pub"]))
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise CorruptKeyBlob(reason="not an EC public key")
        return public

    def blob_size(self) -> int:
        return len(self._require_blob())

    def delete(self) -> None:
        """Remove the key from the keyring (e.g. after revocation); the chain file goes too."""
        for entry in (self.entry, self._lock_entry):
            try:
                self._keyring().delete_password(KEYRING_SERVICE, entry)
            except keyring.errors.PasswordDeleteError:
                pass
            except keyring.errors.KeyringError as err:
                raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None
        for path in (self._chain_path, self._lock_path):
            path.unlink(missing_ok=True)

    # -- PIN checks and lockout -----------------------------------------------------------------------
    def lock_state(self) -> LockState:
        try:
            raw_text = self._keyring().get_password(KEYRING_SERVICE, self._lock_entry)
        except keyring.errors.KeyringError as err:
            raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None
        if raw_text is None:
            return self._carry_over_lock_file()
        try:
            raw = json.loads(raw_text)
            return LockState(int(raw["failures"]), float(raw["locked_until"]))
        except (ValueError, KeyError, TypeError):
            # A damaged entry must not grant fresh attempts: assume the free ones are used up and wait
            # one base delay. Persist that, or the wait would restart on every read and never end.
            state = LockState(FREE_ATTEMPTS, self._clock() + BASE_DELAY)
            self._save_lock(state)
            return state

    def _carry_over_lock_file(self) -> LockState:
        """An earlier release's lockout file: its state moves into the keyring (a damaged one locks)."""
        try:
            text = self._lock_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return LockState()
        except OSError:
            text = ""
        try:
            raw = json.loads(text)
            state = LockState(int(raw["failures"]), float(raw["locked_until"]))
        except (ValueError, KeyError, TypeError):
            state = LockState(FREE_ATTEMPTS, self._clock() + BASE_DELAY)
        self._save_lock(state)
        self._lock_path.unlink(missing_ok=True)
        return state

    def _save_lock(self, state: LockState) -> None:
        data = json.dumps({"failures": state.failures, "locked_until": state.locked_until})
        self._write_entry(self._lock_entry, data)

    def _open(self, pin: str) -> ec.EllipticCurvePrivateKey:
        """Lockout check → decrypt → bookkeeping. Raises SigningLocked/InvalidPin; returns the key."""
        state = self.lock_state()
        now = self._clock()
        if now < state.locked_until:
            raise SigningLocked(seconds=int(state.locked_until - now + 0.999))
        blob = self._require_blob()
        try:
            private = decrypt_key(blob, pin, self.entry)
        except InvalidPin:
            failures = state.failures + 1
            delay = lockout_delay(failures)
            self._save_lock(LockState(failures, now + delay))
            if delay > 0:
                raise InvalidPin("pin.invalid_locked", seconds=int(delay)) from None
            raise InvalidPin(remaining=FREE_ATTEMPTS - failures) from None
        if state.failures:
            self._save_lock(LockState())
        if _blob_kdf(_parse_blob(blob)).weaker_than(self.kdf):
            self._write_blob(encrypt_key(private, pin, self.entry, self.kdf))
        return private

    def check_pin(self, pin: str) -> None:
        """Raise :class:`SigningLocked` or :class:`InvalidPin` unless ``pin`` opens the key."""
        private = self._open(pin)
        del private

    @contextmanager
    def unlocked(self, pin: str) -> Iterator[ec.EllipticCurvePrivateKey]:
        """Yield the private key for one batch, checking the PIN first; the key is dropped on exit.

        Do not keep the yielded object beyond the ``with`` block.
        """
        private = self._open(pin)
        try:
            yield private
        finally:
            del private

    def change_pin(self, old_pin: str, new_pin: str, *, nip: str | None = None) -> None:
        """Re-encrypt the key under ``new_pin`` (and this store's KDF cost)."""
        check_pin_strength(new_pin, nip=nip)
        with self.unlocked(old_pin) as private:
            self._write_blob(encrypt_key(private, new_pin, self.entry, self.kdf))

    # -- certificate chain (public) -------------------------------------------------------------------
    @property
    def chain_path(self) -> Path:
        return self._chain_path

    def save_chain(self, chain: Sequence[x509.Certificate]) -> None:
        """Store the signer's certificate first, then its issuers up to the root, as PEM."""
        if not chain:
            raise ValueError("empty certificate chain")
        if chain[0].public_key() != self.public_key():
            raise ValueError("the first certificate does not belong to this signing key")
        pem = b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain)
        write_atomic(self._chain_path, pem)  # public, but the profile stays the user's alone

    def load_chain(self) -> list[x509.Certificate]:
        """The chain saved by :meth:`save_chain` (signer first); raises :class:`MissingChain`."""
        try:
            data = self._chain_path.read_bytes()
        except FileNotFoundError:
            raise MissingChain(path=str(self._chain_path)) from None
        return x509.load_pem_x509_certificates(data)
