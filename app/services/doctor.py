"""Field-readiness and support checks, shared by ``loket-cli doctor`` and the GUI's support page.

Each check returns one :class:`Check`: a name, whether it passed, and a one-line verdict in the person's
language. ``warn`` marks a passed check that still deserves attention (a certificate that expires soon, a
clock a few minutes off); only ``ok=False`` makes ``loket-cli doctor`` exit 1. A check that crashes is
itself reported as failed, never raised.

Checks that need the network live in ``sync/doctor_checks.py`` (``app/`` never imports ``sync/``); callers
pass them through :func:`run`'s ``extra`` parameter. Nothing here prints a secret: the keyring is asked only
whether an entry exists, never for its contents.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path

from app import clock, config, timefmt
from app.domain.roles import Role
from app.i18n import either, register, tr
from app.services.workspace import Workspace
from app.storage import audit, repo

MIN_FREE_BYTES = 500 * 1024 * 1024  # default of config.MIN_FREE_DISK_MB
CERT_WARN_DAYS = 30
CRL_WARN_DAYS = 7
NUMBERS_WARN = 10
# Where sync keeps the city CA's certificate and revocation list (public data; sync/signer.refresh_trust).
CA_FILE = "ca.pem"
CRL_PATTERNS = ("crl.pem", "signing/*.crl", "signing/*.crl.pem")

register({
    "doctor.db_ok": {"id": "integritas basis data baik", "en": "database integrity ok"},
    "doctor.db_damaged": {"id": "basis data rusak: {problems}", "en": "database damaged: {problems}"},
    "doctor.encrypted": {
        "id": "terenkripsi saat disimpan: ya (basis data SQLCipher, lampiran AES-256-GCM, kunci di keyring)",
        "en": "encrypted at rest: yes (SQLCipher database, AES-256-GCM attachments, key in the keyring)",
    },
    "doctor.not_encrypted": {
        "id": "terenkripsi saat disimpan: tidak — {n} berkas tanpa sandi ({names}); buka ulang profil agar "
              "dienkripsi",
        "en": "encrypted at rest: no — {n} unencrypted files ({names}); reopen the profile to encrypt it",
    },
    "doctor.audit_ok": {"id": "rantai log audit utuh ({n} entri)", "en": "audit chain intact ({n} entries)"},
    "doctor.audit_broken": {"id": "rantai log audit putus di entri #{at}", "en": "audit chain broken at entry #{at}"},
    "doctor.queue": {"id": "{pending} perubahan menunggu dikirim, {refused} ditolak server",
                     "en": "{pending} changes waiting to be sent, {refused} refused by the server"},
    "doctor.catalog": {"id": "{n} layanan dimuat", "en": "{n} services loaded"},
    "doctor.disk": {"id": "ruang kosong {free} GB (minimum {minimum} GB)",
                    "en": "{free} GB free (minimum {minimum} GB)"},
    "doctor.no_user": {"id": "belum ada pengguna terdaftar di perangkat ini",
                       "en": "no user is enrolled on this device"},
    "doctor.config": {"id": "pengaturan dibaca dari: {files}", "en": "settings read from: {files}"},
    "doctor.keyring": {"id": "keyring aman tersedia ({name})", "en": "secure keyring available ({name})"},
    "doctor.no_signer": {"id": "tidak ada penandatangan di perangkat ini (tidak perlu sertifikat)",
                         "en": "no signer on this device (no certificate needed)"},
    "doctor.no_certificate": {"id": "{user}: tidak ada sertifikat", "en": "{user}: no certificate"},
    "doctor.no_certificate_key": {"id": "{user}: tidak ada sertifikat dan tidak ada kunci",
                                  "en": "{user}: no certificate and no key"},
    "doctor.certificate": {"id": "{user}: sertifikat {serial} berlaku s.d. {until}",
                           "en": "{user}: certificate {serial} valid until {until}"},
    "doctor.cert_expired": {"id": " — KEDALUWARSA", "en": " — EXPIRED"},
    "doctor.cert_expires": {"id": " — habis dalam {days} hari", "en": " — expires in {days} days"},
    "doctor.cert_no_key": {"id": " — kunci tidak ada di keyring", "en": " — key missing from the keyring"},
    "doctor.cert_revoked": {"id": " — DICABUT", "en": " — REVOKED"},
    "doctor.cert_other_ca": {"id": " — CA tidak cocok dengan ca_fingerprint",
                             "en": " — CA does not match ca_fingerprint"},
    "doctor.ca_missing": {"id": "sertifikat CA kota belum diunduh (diambil saat pendaftaran)",
                          "en": "the city CA certificate is not downloaded yet (it comes with enrolment)"},
    "doctor.ca_mismatch": {"id": "sertifikat CA di profil ({found}…) TIDAK cocok dengan ca_fingerprint ({pin}…)",
                           "en": "the CA certificate in the profile ({found}…) does NOT match ca_fingerprint ({pin}…)"},
    "doctor.ca_expired": {"id": "sertifikat CA kota sudah kedaluwarsa", "en": "the city CA certificate expired"},
    "doctor.ca_unpinned": {"id": "CA {found}… tidak dipatok (isi ca_fingerprint di loket.toml)",
                           "en": "CA {found}… not pinned (set ca_fingerprint in loket.toml)"},
    "doctor.ca_ok": {"id": "CA {found}… cocok dengan ca_fingerprint", "en": "CA {found}… matches ca_fingerprint"},
    "doctor.no_crl": {"id": "belum ada daftar pencabutan (CRL); diambil saat sinkronisasi",
                      "en": "no revocation list (CRL) yet; it comes with a sync"},
    "doctor.crl_damaged": {"id": "CRL rusak: {name}", "en": "damaged CRL: {name}"},
    "doctor.crl": {"id": "CRL terbit {issued} ({days} hari lalu)", "en": "CRL issued {issued} ({days} days ago)"},
    "doctor.crl_stale": {"id": " — sudah lewat masa berlakunya; lakukan sinkronisasi",
                         "en": " — past its next update; sync to refresh it"},
    "doctor.no_numbers": {"id": "belum ada blok nomor surat", "en": "no number block yet"},
    "doctor.numbers": {
        "id": "{total} nomor surat tersisa di {blocks} blok (paling sedikit {kind} di {office}: {fewest})",
        "en": "{total} letter numbers left in {blocks} blocks (fewest {kind} at {office}: {fewest})",
    },
    "doctor.numbers_out": {"id": " — sinkronkan untuk blok baru", "en": " — sync for a new block"},
})


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str
    warn: bool = False

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "warn": self.warn}


_CONFIG: ContextVar[config.Config | None] = ContextVar("doctor_config", default=None)


def _config(ws: Workspace) -> config.Config:
    """The settings of this doctor run (loaded once by :func:`run`), or the profile's when called alone."""
    return _CONFIG.get() or config.load(ws.profile)


def check_database(ws: Workspace) -> Check:
    with ws.db.read() as s:
        result = repo.integrity_check(s)
    ok = result == ["ok"]
    return Check("database", ok, tr("doctor.db_ok") if ok
                 else tr("doctor.db_damaged", problems="; ".join(result[:3])))


def check_encryption(ws: Workspace) -> Check:
    """Encrypted at rest: the store, its backups and every blob file (file names only, never contents)."""
    from app.storage.atrest import is_plaintext_sqlite

    plain = [ws.db.path] if is_plaintext_sqlite(ws.db.path) else []
    plain += [p for p in sorted((ws.profile / "backups").glob("*.db")) if is_plaintext_sqlite(p)]
    plain += ws.blobs.plaintext_files()
    if not plain and ws.blobs.encrypted:
        return Check("encryption", True, tr("doctor.encrypted"))
    names = ", ".join(str(p.relative_to(ws.profile)) for p in plain[:3]) or "blobs/"
    return Check("encryption", False, tr("doctor.not_encrypted", n=len(plain), names=names))


def check_audit(ws: Workspace) -> Check:
    with ws.db.read() as s:
        report = audit.verify(s)
    if report.broken_at is None:
        return Check("audit_chain", True, tr("doctor.audit_ok", n=report.entries))
    return Check("audit_chain", False, tr("doctor.audit_broken", at=report.broken_at))


def check_queue(ws: Workspace) -> Check:
    with ws.db.read() as s:
        counts = repo.outbox_counts(s)
    pending, refused = counts.get("pending", 0), counts.get("rejected", 0)
    return Check("queue", refused == 0,
                 tr("doctor.queue", pending=pending, refused=refused))


def check_catalog(ws: Workspace) -> Check:
    problems = ws.catalog.problems
    if not problems:
        return Check("catalog", True, tr("doctor.catalog", n=len(ws.catalog.services)))
    return Check("catalog", False, "; ".join(str(p) for p in problems[:3]))


def check_disk(ws: Workspace) -> Check:
    free = shutil.disk_usage(ws.profile).free
    minimum = _config(ws).get(config.MIN_FREE_DISK_MB) * 1024 * 1024
    ok = free >= minimum
    return Check("disk", ok, tr("doctor.disk", free=f"{free / 2**30:.1f}", minimum=f"{minimum / 2**30:.1f}"))


def check_user(ws: Workspace) -> Check:
    users = ws.users()
    if not users:
        return Check("user", False, tr("doctor.no_user"))
    names = ", ".join(f"{u.username} ({u.role})" for u in users)
    return Check("user", True, names)


def check_config(ws: Workspace) -> Check:
    cfg = _config(ws)
    if cfg.problems:
        return Check("config", False, "; ".join(p.message for p in cfg.problems[:3]))
    found = [path for path, exists in cfg.files if exists]
    return Check("config", True, tr("doctor.config", files=", ".join(found) or either("nilai bawaan", "defaults")))


def check_keyring(ws: Workspace) -> Check:
    from app import oskeyring
    from app.oskeyring import KeystoreError, ensure_secure_backend

    backend = oskeyring.backend()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    try:
        ensure_secure_backend(backend)
    except KeystoreError as err:
        return Check("keyring", False, err.message)
    return Check("keyring", True, tr("doctor.keyring", name=name))


def _signers(ws: Workspace) -> list[str]:
    return [u.username for u in ws.users() if u.role == Role.PENANDATANGAN.value]


def _crls(profile: Path) -> list[tuple[Path, object]]:
    from app.signing.certificates import load_crl

    found: list[tuple[Path, object]] = []
    for pattern in CRL_PATTERNS:
        for path in sorted(profile.glob(pattern)):
            try:
                found.append((path, load_crl(path.read_bytes())))
            except (OSError, ValueError):
                found.append((path, None))
    return found


def check_certificate(ws: Workspace) -> Check:
    """Each signer's key (present in the keyring?) and certificate (expiry, revocation, CA pin)."""
    from cryptography import x509

    from app.signing.certificates import fingerprint_sha256, revoked_in, serial_hex
    from app.signing.keystore import KeyStore, KeystoreError

    signers = _signers(ws)
    if not signers:
        return Check("certificate", True, tr("doctor.no_signer"))
    pin = _config(ws).get(config.CA_FINGERPRINT)
    crls = [c for _, c in _crls(ws.profile) if isinstance(c, x509.CertificateRevocationList)]
    now = clock.now()
    verdicts, ok, warn = [], True, False
    for user in signers:
        store = KeyStore(ws.profile, ws.device_id, user)
        try:
            has_key = store.has_key()
        except KeystoreError:
            has_key = False
        if not store.chain_path.exists():
            ok = False
            verdicts.append(tr("doctor.no_certificate" if has_key else "doctor.no_certificate_key", user=user))
            continue
        chain = store.load_chain()
        cert = chain[0]
        days = (cert.not_valid_after_utc - now).total_seconds() / 86400
        until = timefmt.date_long(cert.not_valid_after_utc)
        line = tr("doctor.certificate", user=user, serial=serial_hex(cert)[:12], until=until)
        if days < 0:
            ok, line = False, line + tr("doctor.cert_expired")
        elif days < CERT_WARN_DAYS:
            warn, line = True, line + tr("doctor.cert_expires", days=int(days))
        if not has_key:
            ok, line = False, line + tr("doctor.cert_no_key")
        if revoked_in(crls, cert, chain[1:]) is not None:
            ok, line = False, line + tr("doctor.cert_revoked")
        if pin and fingerprint_sha256(chain[-1]) != pin:
            ok, line = False, line + tr("doctor.cert_other_ca")
        verdicts.append(line)
    return Check("certificate", ok, "; ".join(verdicts), warn=warn and ok)


def check_city_ca(ws: Workspace) -> Check:
    """The city CA certificate sync stored in the profile, against the pinned ``ca_fingerprint``."""
    from app.signing.certificates import fingerprint_sha256, load_certificate

    pin = _config(ws).get(config.CA_FINGERPRINT)
    path = ws.profile / CA_FILE
    if not path.exists():
        return Check("city_ca", True, tr("doctor.ca_missing"),
                     warn=bool(_signers(ws)))
    cert = load_certificate(path.read_bytes())
    found = fingerprint_sha256(cert)
    if pin and found != pin:
        return Check("city_ca", False, tr("doctor.ca_mismatch", found=found[:16], pin=pin[:16]))
    if cert.not_valid_after_utc < clock.now():
        return Check("city_ca", False, tr("doctor.ca_expired"))
    if not pin:
        return Check("city_ca", True, tr("doctor.ca_unpinned", found=found[:16]),
                     warn=True)
    return Check("city_ca", True, tr("doctor.ca_ok", found=found[:16]))


def check_revocation_list(ws: Workspace) -> Check:
    from cryptography import x509

    found = _crls(ws.profile)
    if not found:
        needed = bool(_signers(ws))
        return Check("revocation_list", True, tr("doctor.no_crl"),
                     warn=needed)
    now = clock.now()
    newest: x509.CertificateRevocationList | None = None
    for path, crl in found:
        if not isinstance(crl, x509.CertificateRevocationList):
            return Check("revocation_list", False, tr("doctor.crl_damaged", name=path.name))
        if newest is None or crl.last_update_utc > newest.last_update_utc:
            newest = crl
    assert newest is not None
    age = (now - newest.last_update_utc).total_seconds() / 86400
    issued = timefmt.moment_long(newest.last_update_utc)
    text = tr("doctor.crl", issued=issued, days=f"{age:.0f}")
    next_update = newest.next_update_utc
    if next_update is not None and next_update < now:
        return Check("revocation_list", False, text + tr("doctor.crl_stale"))
    return Check("revocation_list", True, text, warn=age > CRL_WARN_DAYS)


def check_letter_numbers(ws: Workspace) -> Check:
    """Numbers left in this device's leased blocks for this year (per office and classification)."""
    from app.letters import numbering

    with ws.db.read() as s:
        left = numbering.all_remaining(s, clock.today().year)
    needed = bool(_signers(ws))
    if not left:
        return Check("letter_numbers", True, tr("doctor.no_numbers"), warn=needed)
    total = sum(left.values())
    lowest_key, lowest = min(left.items(), key=lambda kv: kv[1])
    text = tr("doctor.numbers", total=total, blocks=len(left), kind=lowest_key[1], office=lowest_key[0], fewest=lowest)
    if lowest == 0:
        return Check("letter_numbers", not needed, text + tr("doctor.numbers_out"), warn=not needed)
    return Check("letter_numbers", True, text, warn=lowest < NUMBERS_WARN)


CHECKS: list[Callable[[Workspace], Check]] = [
    check_user, check_config, check_database, check_encryption, check_audit, check_queue, check_catalog, check_disk,
    check_keyring, check_city_ca, check_certificate, check_revocation_list, check_letter_numbers,
]


def run(ws: Workspace, extra: list[Callable[[Workspace], Check]] | None = None,
        cfg: config.Config | None = None) -> list[Check]:
    """Every check in order, then ``extra`` (e.g. the network checks); ``cfg`` defaults to the profile's."""
    token = _CONFIG.set(cfg or config.load(ws.profile))
    results = []
    try:
        for check in CHECKS + (extra or []):
            try:
                results.append(check(ws))
            except Exception as err:  # a check that crashes is itself a finding
                results.append(Check(check.__name__.removeprefix("check_"), False,
                                     f"{type(err).__name__}: {err}"))
    finally:
        _CONFIG.reset(token)
    return results
