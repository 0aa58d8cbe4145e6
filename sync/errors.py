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
    "sync.plain_http": {
        "id": "Alamat server {url} ditolak: sambungan tanpa enkripsi (http://) hanya boleh ke komputer ini "
              "sendiri; gunakan alamat https://.",
        "en": "The server address {url} is refused: an unencrypted connection (http://) is only allowed to this "
              "computer itself; use an https:// address."},
    "sync.tls_untrusted": {
        "id": "Sertifikat TLS server {url} tidak dipercaya ({reason}). Minta TI memasang CA server di loket.toml "
              "(tls_ca_file) atau memperbaiki sertifikat server.",
        "en": "The TLS certificate of {url} is not trusted ({reason}). Ask IT to provision the server's CA in "
              "loket.toml (tls_ca_file) or to fix the server's certificate."},
    "sync.tls_changed": {
        "id": "Server {url} menunjukkan sertifikat TLS yang berbeda dari yang disematkan saat pendaftaran; "
              "sambungan ditolak. Jika TI memang mengganti sertifikat, daftarkan ulang perangkat ini atau minta "
              "TI memasang CA server di loket.toml (tls_ca_file).",
        "en": "The server {url} presents a TLS certificate other than the one pinned at enrolment; the "
              "connection is refused. If IT did replace the certificate, enrol this device again or ask IT to "
              "provision the server's CA in loket.toml (tls_ca_file)."},
    "sync.too_many": {
        "id": "Terlalu banyak kode pendaftaran yang salah dari jaringan ini; coba lagi dalam {minutes} menit.",
        "en": "Too many wrong enrolment codes from this network; try again in {minutes} minutes."},
    "keyring.none": {
        "id": "Tidak ada brankas kunci (keyring) yang aman di sistem ini. Pasang dan aktifkan gnome-keyring "
              "atau KWallet (Linux) — Windows dan macOS sudah menyediakannya. Loket tidak menyimpan rahasia "
              "di berkas biasa.",
        "en": "No secure keyring is available on this system. Install and unlock gnome-keyring or KWallet "
              "(Linux); Windows and macOS have one built in. Loket never keeps secrets in plain files."},
})


class SyncError(UserFacingError):
    key = "sync.server"
    errno: int | None = None  # the server's error number, when the server answered with one
    details: dict[str, Any] = {}  # replaced per instance by from_body, never mutated in place


class OfflineError(SyncError):
    key = "sync.offline"


class AuthError(SyncError):
    key = "sync.auth"


class RevokedError(SyncError):
    key = "sync.revoked"


class PlainHttpError(SyncError):
    key = "sync.plain_http"


class TlsChangedError(SyncError):
    key = "sync.tls_changed"


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
    if int(body["errno"]) == Errno.TOO_MANY_REQUESTS:
        wait = (body.get("details") or {}).get("retry_after")
        minutes = max(1, -(-wait // 60)) if isinstance(wait, int) else 10
        err: SyncError = SyncError("sync.too_many", minutes=minutes)
    else:
        err = cls(message=str(body.get("message", "")))
    err.errno = int(body["errno"])
    err.details = body.get("details") or {}
    return err
