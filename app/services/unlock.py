"""Who is at the keyboard: on a shared laptop each person unlocks their own session with their own secret.

Contract
--------
* The secret is a password chosen at enrolment (at least :data:`MIN_PASSWORD` characters). A penandatangan's
  secret is their signing PIN: one thing to remember, and one line on stdin serves both (``loket-cli --user
  lurah case approve ID --pin-stdin``). Creating or replacing the signing key sets it again.
* Only a verifier is kept: scrypt (N=2^17, r=8, p=1, 16-byte salt, 32-byte output; the parameters travel
  with it) in the OS keyring, service :data:`KEYRING_SERVICE`, entry ``<device_id>/<username>``. Never in a
  file, never in a log.
* Wrong secrets are counted in the same keyring entry (``failures``, ``locked_until``), so deleting or
  restoring a profile file does not give fresh attempts: three are free, then 30 s, 60 s … up to an hour
  (:func:`app.signing.keystore.lockout_delay`). :func:`_lock` / :func:`_with_lock` are the only readers and
  writers of that state.
* Who must unlock: every enrolled person, always (a person enrolled before secrets existed is asked to join
  again with a fresh code from IT; a signer may instead prove their PIN once, which becomes the secret).
  A local user made with ``user add-local`` (offline demos and training, never synced) needs one only when
  one was set for them.
* The check costs ≈ 0.7 s of CPU and 128 MiB; call it off the GUI thread.
"""

from __future__ import annotations

import base64
import contextlib
import hmac
import json
import os
import time
import unicodedata
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import keyring.errors
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app import oskeyring
from app.domain.roles import Role
from app.errors import UserFacingError
from app.i18n import register
from app.signing.keystore import (
    DEFAULT_KDF,
    MIN_PIN_LENGTH,
    InvalidPin,
    KdfParams,
    KeyringUnavailable,
    SigningLocked,
    lockout_delay,
)
from app.storage import meta
from app.storage.models import User

if TYPE_CHECKING:
    from app.services.workspace import Workspace

KEYRING_SERVICE = "loket-unlock"
RECORD_VERSION = 1
MIN_PASSWORD = 8
Clock = Callable[[], float]

register({
    "unlock.wrong": {
        "id": "Kata sandi atau PIN untuk {name} salah. Sisa {remaining} kali percobaan sebelum dikunci "
        "sementara.",
        "en": "Wrong password or PIN for {name}. {remaining} attempts left before it is locked for a while.",
    },
    "unlock.wrong_locked": {
        "id": "Kata sandi atau PIN untuk {name} salah. Masuk sebagai {name} dikunci selama {seconds} detik.",
        "en": "Wrong password or PIN for {name}. Signing in as {name} is locked for {seconds} seconds.",
    },
    "unlock.locked": {
        "id": "Terlalu banyak kata sandi salah untuk {name}. Coba lagi dalam {seconds} detik.",
        "en": "Too many wrong passwords for {name}. Try again in {seconds} seconds.",
    },
    "unlock.missing": {
        "id": "Kata sandi atau PIN {name} dibaca dari baris pertama masukan standar dan tidak boleh kosong.",
        "en": "The password or PIN of {name} is read from the first line of standard input and must not be "
        "empty.",
    },
    "unlock.none_set": {
        "id": "{name} belum punya kata sandi di perangkat ini. Minta kode pendaftaran baru ke admin TI, lalu "
        "daftarkan ulang dengan kata sandi.",
        "en": "{name} has no password on this device yet. Ask IT for a fresh enrolment code and enrol again "
        "with a password.",
    },
    "unlock.weak_password": {
        "id": "Kata sandi minimal {min} karakter.",
        "en": "The password needs at least {min} characters.",
    },
    "unlock.weak_pin": {
        "id": "PIN minimal {min} karakter.",
        "en": "The PIN needs at least {min} characters.",
    },
    "unlock.corrupt": {
        "id": "Data kata sandi {name} di keyring rusak. Minta kode pendaftaran baru ke admin TI.",
        "en": "The password data of {name} in the keyring is damaged. Ask IT for a fresh enrolment code.",
    },
})


class UnlockError(UserFacingError):
    key = "unlock.wrong"


class WrongSecret(UnlockError):
    key = "unlock.wrong"


class SessionLocked(UnlockError):
    key = "unlock.locked"


class NoSecret(UnlockError):
    key = "unlock.none_set"


class MissingSecret(UnlockError):
    key = "unlock.missing"


class WeakSecret(UnlockError):
    key = "unlock.weak_password"


def entry(device_id: str, username: str) -> str:
    return f"{device_id}/{username}"


def check_new(secret: str, role: Role | str | None) -> None:
    """Refuse a secret too short for its use: a signer's PIN, or anyone else's password."""
    signer = role is not None and Role.parse(str(getattr(role, "value", role))) is Role.PENANDATANGAN
    if signer and len(secret) < MIN_PIN_LENGTH:
        raise WeakSecret("unlock.weak_pin", min=MIN_PIN_LENGTH)
    if not signer and len(secret) < MIN_PASSWORD:
        raise WeakSecret(min=MIN_PASSWORD)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(secret: str, salt: bytes, kdf: KdfParams) -> bytes:
    data = unicodedata.normalize("NFC", secret).encode("utf-8")
    return Scrypt(salt=salt, length=32, n=kdf.n, r=kdf.r, p=kdf.p).derive(data)


# ---- the keyring record --------------------------------------------------------------------------------
def _backend() -> Any:
    return oskeyring.secure_backend()


def _read(device_id: str, username: str) -> dict[str, Any] | None:
    try:
        raw = _backend().get_password(KEYRING_SERVICE, entry(device_id, username))
    except keyring.errors.KeyringError as err:
        raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None
    if not raw:
        return None
    try:
        record = json.loads(raw)
        if record.get("v") != RECORD_VERSION or record["kdf"]["alg"] != "scrypt":
            raise ValueError("unknown record")
        return dict(record)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise UnlockError("unlock.corrupt", name=username) from None


def _write(device_id: str, username: str, record: dict[str, Any]) -> None:
    try:
        _backend().set_password(KEYRING_SERVICE, entry(device_id, username),
                                json.dumps(record, separators=(",", ":"), sort_keys=True))
    except keyring.errors.KeyringError as err:
        raise KeyringUnavailable(reason=str(err) or type(err).__name__) from None


def _lock(record: dict[str, Any]) -> tuple[int, float]:
    """(failures, locked_until) kept with the verifier; a damaged value counts as used-up free attempts."""
    try:
        return int(record.get("failures", 0)), float(record.get("locked_until", 0.0))
    except (TypeError, ValueError):
        return 3, 0.0


def _with_lock(record: dict[str, Any], failures: int, locked_until: float) -> dict[str, Any]:
    return {**record, "failures": failures, "locked_until": locked_until}


def make_record(secret: str, kdf: KdfParams = DEFAULT_KDF) -> dict[str, Any]:
    salt = os.urandom(16)
    return {"v": RECORD_VERSION, "kdf": {"alg": "scrypt", "n": kdf.n, "r": kdf.r, "p": kdf.p, "salt": _b64(salt)},
            "hash": _b64(_derive(secret, salt, kdf)), "failures": 0, "locked_until": 0.0}


def _matches(record: dict[str, Any], secret: str) -> bool:
    k = record["kdf"]
    kdf = KdfParams(int(k["n"]), int(k["r"]), int(k["p"]))
    salt = base64.b64decode(k["salt"], validate=True)
    return hmac.compare_digest(_derive(secret, salt, kdf), base64.b64decode(record["hash"], validate=True))


# ---- what the rest of Loket calls ----------------------------------------------------------------------
def set_secret(ws: Workspace, username: str, secret: str, role: Role | str | None = None) -> None:
    """Store ``username``'s new secret on this device (enrolment, a new signing PIN, a local user)."""
    check_new(secret, role)
    _write(ws.device_id, username, make_record(secret))
    with ws.db.write() as s:
        meta.mark_local_secret(s, username)


def forget(ws: Workspace, username: str) -> None:
    with contextlib.suppress(keyring.errors.KeyringError):
        _backend().delete_password(KEYRING_SERVICE, entry(ws.device_id, username))


def has_secret(ws: Workspace, username: str) -> bool:
    """Whether a verifier for ``username`` is in this device's keyring (never reads the secret itself)."""
    return _read(ws.device_id, username) is not None


def needs_secret(ws: Workspace, username: str) -> bool:
    """Enrolled people always; a local user only when a secret was set for them."""
    with ws.db.read() as s:
        user = s.get(User, username)
        if user is None:
            return False
        return bool(user.enrolled) or meta.has_local_secret(s, username)


def check(ws: Workspace, username: str, secret: str | None, clock: Clock = time.time) -> None:
    """Raise unless ``secret`` unlocks ``username`` on this device; counts wrong ones in the keyring."""
    if not needs_secret(ws, username):
        return
    if not secret:
        raise MissingSecret(name=username)
    record = _read(ws.device_id, username)
    if record is None:
        _adopt_signing_pin(ws, username, secret)
        return
    failures, locked_until = _lock(record)
    now = clock()
    if now < locked_until:
        raise SessionLocked(name=username, seconds=int(locked_until - now + 0.999))
    if _matches(record, secret):
        if failures:
            _write(ws.device_id, username, _with_lock(record, 0, 0.0))
        return
    failures += 1
    delay = lockout_delay(failures)
    _write(ws.device_id, username, _with_lock(record, failures, now + delay))
    if delay > 0:
        raise WrongSecret("unlock.wrong_locked", name=username, seconds=int(delay))
    raise WrongSecret(name=username, remaining=3 - failures)


def _adopt_signing_pin(ws: Workspace, username: str, pin: str) -> None:
    """A signer enrolled before secrets existed proves their PIN once; it becomes their secret."""
    from app.signing.keystore import KeyStore

    with ws.db.read() as s:
        user = s.get(User, username)
        signer = user is not None and user.role == Role.PENANDATANGAN.value
    store = KeyStore(ws.profile, ws.device_id, username)
    if not signer or not store.has_key():
        raise NoSecret(name=username)
    try:
        store.check_pin(pin)
    except InvalidPin as err:
        if "seconds" in err.params:
            raise WrongSecret("unlock.wrong_locked", name=username, seconds=err.params["seconds"]) from None
        raise WrongSecret(name=username, remaining=err.params.get("remaining", 0)) from None
    except SigningLocked as err:
        raise SessionLocked(name=username, seconds=err.params.get("seconds", 0)) from None
    _write(ws.device_id, username, make_record(pin))
