"""The server's city CA and timestamping authority: created once, kept in the database.

The first instance to start on an empty database makes the CA and stores it in ``city_authority`` (one row,
id 1); an instance starting at the same moment loses the insert race and uses the winner's, so every instance
behind a load balancer — whatever its ``--data`` folder — signs with the one city CA. A data folder of
release 0.1.0 (``--data/ca/*.pem``) is imported instead of making a new CA. The keys are encrypted with the
passphrase in ``LOKET_CA_PASSPHRASE`` when it is set (then every instance needs the same one); serial
numbers of timestamps and CRLs come from the shared database, so instances never repeat one.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import Connection, Engine, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.signing.certificates import REVOCATION_REASONS, CityCA, RevokedEntry, load_certificate
from sync.server import storage as t

if TYPE_CHECKING:
    from app.signing.tsa import CityTimeStamper

log = logging.getLogger("loket.server.ca")


def _passphrase() -> bytes | None:
    value = os.environ.get("LOKET_CA_PASSPHRASE")
    return value.encode() if value else None


def next_counter(engine: Engine, name: str, conn: Connection | None = None) -> int:
    """A database-wide counter (TSA serials, CRL numbers), safe across instances. Pass ``conn`` when called
    inside a write transaction (SQLite has one writer: a second connection would wait for the first). On
    PostgreSQL the number is taken in a transaction of its own, committed at once: bumped inside an
    approval's transaction, the counter's row stayed locked through the letter's upgrade until that commit,
    and every other approval waited for it. A number taken by an approval that then fails is a gap."""
    if conn is not None and conn.dialect.name != "postgresql":
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


class AuthorityError(RuntimeError):
    """The stored city CA cannot be used by this instance (a different passphrase)."""


def _stored(engine: Engine) -> dict[str, str] | None:
    with engine.connect() as conn:
        row = conn.execute(select(t.city_authority).where(t.city_authority.c.id == 1)).first()
    return dict(row._mapping) if row is not None else None


def _store(engine: Engine, row: dict[str, str]) -> dict[str, str]:
    """Insert the city CA unless another instance got there first; either way, the one stored."""
    try:
        with engine.begin() as conn:
            conn.execute(t.city_authority.insert().values(id=1, created_at=clock.now_iso(), **row))
        log.info("city CA stored in the database (%s)", row["origin"])
    except IntegrityError:
        log.info("another instance stored the city CA first; using it")
    stored = _stored(engine)
    assert stored is not None
    return stored


def _from_folder(folder: Path) -> dict[str, str] | None:
    """The CA files a 0.1.0 server kept in its data folder (same passphrase), to be moved into the database."""
    names = ("ca.pem", "ca-key.pem", "tsa.pem", "tsa-key.pem")
    if not all((folder / n).is_file() for n in names):
        return None
    ca_cert, ca_key, tsa_cert, tsa_key = ((folder / n).read_text(encoding="ascii") for n in names)
    log.info("importing the city CA from %s", folder)
    return {"ca_cert_pem": ca_cert, "ca_key_pem": ca_key, "tsa_cert_pem": tsa_cert, "tsa_key_pem": tsa_key,
            "origin": "imported"}


def _fresh(crl_url: str, password: bytes | None) -> dict[str, str]:
    if password is None:
        log.warning("LOKET_CA_PASSPHRASE is not set: the city CA key is stored unencrypted in the database")
    ca = CityCA.create(crl_url=crl_url)
    key = ec.generate_private_key(ec.SECP256R1())
    enc: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption())
    return {"ca_cert_pem": ca.certificate_pem().decode(), "ca_key_pem": ca.key_pem(password).decode(),
            "tsa_cert_pem": ca.issue_tsa_certificate(key.public_key()).public_bytes(
                serialization.Encoding.PEM).decode(),
            "tsa_key_pem": key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                             enc).decode(),
            "origin": "created"}


@dataclass
class Authority:
    ca: CityCA
    tsa_cert: x509.Certificate
    tsa_key: ec.EllipticCurvePrivateKey
    engine: Engine

    @classmethod
    def ensure(cls, folder: Path, engine: Engine, public_url: str) -> Authority:
        """The city CA of this database: stored, else imported from ``folder`` (0.1.0), else made now."""
        crl_url = f"{public_url.rstrip('/')}/crl"
        password = _passphrase()
        row = _stored(engine)
        if row is None:
            row = _store(engine, _from_folder(folder) or _fresh(crl_url, password))
        try:
            ca = CityCA.load(row["ca_cert_pem"].encode(), row["ca_key_pem"].encode(), password, crl_url=crl_url)
            tsa_key = serialization.load_pem_private_key(row["tsa_key_pem"].encode(), password=password)
        except (ValueError, TypeError) as err:
            raise AuthorityError("the city CA key in the database cannot be read with this instance's "
                                 f"LOKET_CA_PASSPHRASE (every instance needs the same one): {err}") from None
        assert isinstance(tsa_key, ec.EllipticCurvePrivateKey)
        return cls(ca, load_certificate(row["tsa_cert_pem"].encode()), tsa_key, engine)

    @property
    def root(self) -> x509.Certificate:
        return self.ca.certificate

    def timestamper(self, conn: Connection | None = None) -> CityTimeStamper:
        from app.signing.tsa import CityTimeStamper  # pyHanko: loaded by the first timestamp, not at start

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
