"""The signer's dealings with the server: a certificate for the device key, number blocks, trust material."""

from __future__ import annotations

import datetime as dt
from typing import Any

from cryptography import x509

from app import clock
from app.domain.catalog import ServiceType
from app.domain.offices import OfficeLevel
from app.domain.roles import Role
from app.fileio import write_atomic
from app.letters import numbering
from app.letters.model import today_wib
from app.services.delegations import delegated_offices
from app.services.workspace import Actor, Workspace
from app.signing.certificates import SignerIdentity, build_csr, load_certificate
from app.signing.keystore import KeyStore
from app.storage.models import NumberLease
from sync.client import SyncClient
from sync.errors import SyncError
from sync.protocol import Paths

BLOCK = 50  # letter numbers a signer's device asks for at a time
REG_BLOCK = 100  # registration numbers a counter's device asks for: two offline days of a busy kelurahan


def create_signing_key(ws: Workspace, actor: Actor, pin: str, client: SyncClient, *, replace: bool = False) -> str:
    """Make the device key under ``pin``, have the city CA certify it (CSR = proof of possession), keep the
    chain. Returns the certificate serial (hex)."""
    store = KeyStore(ws.profile, ws.device_id, actor.username)
    store.create_key(pin, replace=replace, nip=actor.nip)
    office = ws.offices.get(actor.office)
    identity = SignerIdentity(actor.full_name, actor.nip or "", actor.position or "",
                              office.display_name if office else actor.office)
    with store.unlocked(pin) as key:
        csr = build_csr(key, identity)
    from cryptography.hazmat.primitives import serialization

    answer = client.post(Paths.CERTIFICATE, {"csr_pem": csr.public_bytes(serialization.Encoding.PEM).decode()})
    cert = load_certificate(answer["certificate_pem"].encode())
    chain = [cert] + [load_certificate(p.encode()) for p in answer.get("chain_pem", [])]
    store.save_chain(chain)
    refresh_trust(ws, client)
    return str(answer["serial"])


def refresh_trust(ws: Workspace, client: SyncClient) -> None:
    """Fetch the city CA certificate and its current revocation list (public data) into the profile. When IT
    pinned the CA's fingerprint (``loket.toml``), a server presenting another CA is refused."""
    from app import config
    from app.signing.certificates import fingerprint_sha256

    material = client.get(Paths.CA)
    pinned = config.load(ws.profile).get(config.CA_FINGERPRINT)
    if pinned and fingerprint_sha256(load_certificate(material["ca_pem"].encode())) != pinned:
        raise SyncError("sync.ca_mismatch")
    write_atomic(ws.profile / "ca.pem", material["ca_pem"].encode())
    write_atomic(ws.profile / "crl.pem", material["crl_pem"].encode())


def signable_services(ws: Workspace, actor: Actor, office_code: str | None = None) -> list[ServiceType]:
    """Services whose letters ``office_code`` (the actor's own office by default) issues."""
    office_code = office_code or actor.office
    office = ws.offices.get(office_code)
    if office is None:
        return []
    out = []
    for service in ws.catalog:
        last = service.approval_chain[-1].office
        own = last == "self" and service.office_level is office.level and (
            not service.owner_office or service.owner_office == office_code)
        from_below = (last == "parent" and office.level is OfficeLevel.KECAMATAN
                      and service.office_level is OfficeLevel.KELURAHAN)
        if own or from_below or last == office_code:
            out.append(service)
    return out


def ensure_leases(ws: Workspace, actor: Actor, client: SyncClient, year: int | None = None) -> int:
    """Ask for a new block wherever fewer than ``numbering.LOW_WATER`` numbers are left. Returns blocks got.
    A petugas' device gets registration numbers (:mod:`app.services.registration`), a signer's letter numbers."""
    year = year or today_wib().year
    if actor.role is Role.PETUGAS:
        return _ensure_registration_lease(ws, actor, client, year)
    if actor.role is not Role.PENANDATANGAN:
        return 0
    got = 0
    with ws.db.read() as s:
        offices = [actor.office] + delegated_offices(s, actor.username)
    for office in offices:
        for classification in sorted({sv.classification for sv in signable_services(ws, actor, office)}):
            with ws.db.read() as s:
                left = numbering.remaining(s, office, classification, year, actor.username)
            if left >= numbering.LOW_WATER:
                continue
            lease: dict[str, Any] = client.post(Paths.LEASES, {"classification": classification, "year": year,
                                                            "count": BLOCK, "office": office})
            with ws.db.write() as s:
                if s.get(NumberLease, lease["id"]) is None:
                    s.add(NumberLease(id=lease["id"], username=actor.username, office=lease["office"],
                                      classification=classification, year=year, first=lease["first"],
                                      last=lease["last"], next=lease["first"], created_at=clock.now_iso()))
            got += 1
    return got


def _ensure_registration_lease(ws: Workspace, actor: Actor, client: SyncClient, year: int) -> int:
    from app.services import registration

    with ws.db.read() as s:
        left = registration.remaining(s, actor.office, year)
    if left >= numbering.LOW_WATER:
        return 0
    lease: dict[str, Any] = client.post(Paths.LEASES, {"classification": registration.REG_SERIES, "year": year,
                                                       "count": REG_BLOCK, "office": actor.office})
    with ws.db.write() as s:
        if s.get(NumberLease, lease["id"]) is None:
            s.add(NumberLease(id=lease["id"], username=actor.username, office=lease["office"],
                              classification=registration.REG_SERIES, year=year, first=lease["first"],
                              last=lease["last"], next=lease["first"], created_at=clock.now_iso()))
    return 1


def certificate_status(ws: Workspace, actor: Actor) -> dict[str, Any]:
    """``keys status``: never the key, only whether there is one and what its certificate says."""
    store = KeyStore(ws.profile, ws.device_id, actor.username)
    out: dict[str, Any] = {"has_key": store.has_key(), "certificate_serial": None, "not_after": None,
                           "revoked": None}
    try:
        cert = store.load_chain()[0]
    except Exception:
        return out
    out["certificate_serial"] = format(cert.serial_number, "x")
    out["not_after"] = cert.not_valid_after_utc.isoformat()
    crl_path = ws.profile / "crl.pem"
    if crl_path.exists():
        crl = x509.load_pem_x509_crl(crl_path.read_bytes())
        entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
        out["revoked"] = entry is not None
        if entry is not None:
            from app.signing.certificates import entry_details, reason_for_flag

            revoked_at, flag, since = entry_details(entry)
            out["revoked_at"], out["revocation_reason"] = revoked_at.isoformat(), reason_for_flag(flag).code
            if since is not None:
                out["invalid_since"] = since.isoformat()
        out["crl_age_hours"] = round((dt.datetime.now(dt.UTC) - crl.last_update_utc).total_seconds() / 3600, 1)
    return out
