"""Client-side sync errors: each wire errno maps to one exception class with a translated sentence."""

from __future__ import annotations

from typing import Any

from app.errors import LoketError, UserFacingError
from app.i18n import register
from sync.protocol import Errno

register({
    "sync.offline": {"id": "Server tidak dapat dihubungi ({url}). Pekerjaan tetap tersimpan di perangkat ini.",
                     "en": "The server cannot be reached ({url}). Work stays saved on this device."},
    "sync.auth": {"id": "Perangkat ini belum terdaftar atau tokennya tidak dikenal server. Daftarkan ulang.",
                  "en": "This device is not enrolled or its token is unknown to the server. Enrol again."},
    "sync.revoked": {"id": "Akses perangkat ini telah dicabut oleh admin TI.",
                     "en": "This device's access has been revoked by IT."},
    "sync.code": {"id": "Kode pendaftaran tidak berlaku (salah, sudah dipakai, atau kedaluwarsa).",
                  "en": "The enrolment code is not valid (wrong, already used or expired)."},
    "sync.server": {"id": "Server menolak permintaan: {message}", "en": "The server refused the request: {message}"},
    "sync.garbage": {"id": "Jawaban server tidak dapat dibaca (HTTP {status}).",
                     "en": "The server's answer could not be read (HTTP {status})."},
    "sync.not_enrolled": {"id": "Pengguna {user} belum terdaftar ke server; jalankan 'loket-cli enroll'.",
                          "en": "User {user} is not enrolled with a server; run 'loket-cli enroll'."},
    "sync.ca_mismatch": {
        "id": "Server ini memakai sertifikat CA yang berbeda dari yang ditetapkan TI. Hubungi Diskominfo; "
              "perangkat ini tidak mempercayainya.",
        "en": "This server uses a CA certificate other than the one IT pinned. Call IT; this device does not "
              "trust it."},
    "sync.server_pinned": {
        "id": "Server perangkat ini ditetapkan TI ({pinned}); alamat lain tidak dipakai.",
        "en": "IT pinned this device's server ({pinned}); another address is not used."},
    "sync.no_server": {
        "id": "Alamat server belum diketahui: berikan --server atau minta TI memasang loket.toml.",
        "en": "The server address is not known: give --server or ask IT to install loket.toml."},
    "keyring.none": {
        "id": "Tidak ada brankas kunci (keyring) yang aman di sistem ini. Pasang dan aktifkan gnome-keyring "
              "atau KWallet (Linux) — Windows dan macOS sudah menyediakannya. Loket tidak menyimpan rahasia "
              "di berkas biasa.",
        "en": "No secure keyring is available on this system. Install and unlock gnome-keyring or KWallet "
              "(Linux); Windows and macOS have one built in. Loket never keeps secrets in plain files."},
})


class SyncError(UserFacingError):
    key = "sync.server"


class OfflineError(SyncError):
    key = "sync.offline"


class AuthError(SyncError):
    key = "sync.auth"


class RevokedError(SyncError):
    key = "sync.revoked"


class EnrolmentCodeError(SyncError):
    key = "sync.code"


class GarbageError(SyncError):
    key = "sync.garbage"


_BY_ERRNO: dict[int, type[SyncError]] = {
    Errno.UNAUTHENTICATED: AuthError,
    Errno.DEVICE_REVOKED: RevokedError,
    Errno.ENROLMENT_CODE_INVALID: EnrolmentCodeError,
}


def from_body(status: int, body: Any) -> LoketError:
    if not isinstance(body, dict) or "errno" not in body:
        return GarbageError(status=status)
    cls = _BY_ERRNO.get(int(body["errno"]), SyncError)
    err = cls(message=str(body.get("message", "")))
    err.errno = int(body["errno"])  # type: ignore[attr-defined]
    err.details = body.get("details") or {}  # type: ignore[attr-defined]
    return err
