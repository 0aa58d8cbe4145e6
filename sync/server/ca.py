"""The server's city CA and timestamping authority: created at ``init``, kept under ``--data/ca``.

Every server instance behind a load balancer reads the same files (a shared, owner-only folder). The
CA key may be encrypted with the passphrase in ``LOKET_CA_PASSPHRASE``; serial numbers of timestamps and
CRLs come from the shared database, so instances never repeat one.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from app.fileio import write_atomic
from app.signing.certificates import REVOCATION_REASONS, CityCA, RevokedEntry, load_certificate
from app.signing.tsa import CityTimeStamper
from sync.server import storage as t


def _passphrase() -> bytes | None:
    value = os.environ.get("LOKET_CA_PASSPHRASE")
    return value.encode() if value else None


def next_counter(engine: Engine, name: str, conn: Connection | None = None) -> int:
    """A database-wide counter (TSA serials, CRL numbers), safe across instances. Pass ``conn`` when called
    inside a write transaction (SQLite has one writer: a second connection would wait for the first)."""
    if conn is not None:
        return _bump(conn, name)
    with engine.begin() as own:
        return _bump(own, name)


def _bump(conn: Connection, name: str) -> int:
    for _ in range(3):
        got = conn.execute(update(t.counters).where(t.counters.c.name == name)
                           .values(value=t.counters.c.value + 1).returning(t.counters.c.value)).first()
        if got is not None:
            return int(got[0])
        try:
            with conn.begin_nested():
                conn.execute(t.counters.insert().values(name=name, value=1))
            return 1
        except IntegrityError:
            continue
    raise RuntimeError(f"counter {name} unavailable")


@dataclass
class Authority:
    ca: CityCA
    tsa_cert: x509.Certificate
    tsa_key: ec.EllipticCurvePrivateKey
    engine: Engine

    @classmethod
    def ensure(cls, folder: Path, engine: Engine, public_url: str) -> Authority:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        crl_url = f"{public_url.rstrip('/')}/crl"
        password = _passphrase()
        ca_cert, ca_key = folder / "ca.pem", folder / "ca-key.pem"
        tsa_cert, tsa_key = folder / "tsa.pem", folder / "tsa-key.pem"
        if not ca_cert.exists():
            ca = CityCA.create(crl_url=crl_url)
            write_atomic(ca_key, ca.key_pem(password))
            write_atomic(ca_cert, ca.certificate_pem(), mode=0o644)
        ca = CityCA.load(ca_cert.read_bytes(), ca_key.read_bytes(), password, crl_url=crl_url)
        if not tsa_cert.exists():
            key = ec.generate_private_key(ec.SECP256R1())
            enc: serialization.KeySerializationEncryption = (
                serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption())
            write_atomic(tsa_key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                    enc))
            write_atomic(tsa_cert, ca.issue_tsa_certificate(key.public_key()).public_bytes(
                serialization.Encoding.PEM), mode=0o644)
        loaded = serialization.load_pem_private_key(tsa_key.read_bytes(), password=password)
        assert isinstance(loaded, ec.EllipticCurvePrivateKey)
        return cls(ca, load_certificate(tsa_cert.read_bytes()), loaded, engine)

    @property
    def root(self) -> x509.Certificate:
        return self.ca.certificate

    def timestamper(self, conn: Connection | None = None) -> CityTimeStamper:
        return CityTimeStamper(self.tsa_cert, self.tsa_key, lambda: next_counter(self.engine, "tsa_serial", conn),
                               extra_certs=[self.root])

    def crl(self, conn: Connection | None = None) -> x509.CertificateRevocationList:
        """The current CRL: every revoked certificate with its time, RFC 5280 reason and invalidity date."""
        c = t.certificates.c
        query = (select(c.serial, c.revoked_at, c.revoke_reason_code, c.invalid_since)
                 .where(c.revoked_at.is_not(None)))
        if conn is not None:
            rows = list(conn.execute(query))
        else:
            with self.engine.connect() as own:
                rows = list(own.execute(query))
        entries = [RevokedEntry(int(r.serial, 16), _time(r.revoked_at), _flag(r.revoke_reason_code),
                                _time(r.invalid_since) if r.invalid_since else None) for r in rows]
        return self.ca.build_crl(entries, crl_number=next_counter(self.engine, "crl_number", conn))


def _time(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _flag(code: str | None) -> x509.ReasonFlags:
    reason = REVOCATION_REASONS.get(code or "")
    return reason.flag if reason else x509.ReasonFlags.unspecified
