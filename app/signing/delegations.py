"""Delegations: a head lets another signer sign for the office for a while (Plh., Plt., a.n.).

The grant is RFC 8785 canonical JSON signed with the head's device key, so the server (and anyone with the
head's certificate) can check that the head really granted it. Validity is a UTC time window; the server
judges it by its own clock when an approval arrives.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from app.errors import UserFacingError
from app.i18n import register
from app.letters.model import Delegation

KINDS = {"plh": Delegation.PLH, "plt": Delegation.PLT, "an": Delegation.AN}

register({
    "delegation.invalid": {"id": "Pelimpahan wewenang tidak sah: {reason}.",
                           "en": "The delegation is not valid: {reason}."},
    "delegation.none": {"id": "Anda tidak berwenang menandatangani untuk {office} (tidak ada pelimpahan yang berlaku).",
                        "en": "You may not sign for {office} (no delegation in force)."},
})


class InvalidDelegation(UserFacingError):
    key = "delegation.invalid"


@dataclass(frozen=True, slots=True)
class DelegationGrant:
    id: str
    grantor: str
    delegate: str
    office: str
    kind: str  # plh | plt | an
    valid_from: str  # ISO 8601 UTC
    valid_until: str
    grantor_cert_serial: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise InvalidDelegation(reason=f"unknown kind {self.kind!r}")
        if self.grantor == self.delegate:
            raise InvalidDelegation(reason="a head cannot delegate to themselves")
        if parse_time(self.valid_until) <= parse_time(self.valid_from):
            raise InvalidDelegation(reason="it ends before it starts")

    def canonical_bytes(self) -> bytes:
        return rfc8785.dumps({"type": "loket.delegation", "v": 1, **asdict(self)})

    def active(self, at: dt.datetime) -> bool:
        return parse_time(self.valid_from) <= at <= parse_time(self.valid_until)

    @property
    def prefix(self) -> Delegation:
        return KINDS[self.kind]

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> DelegationGrant:
        names = set(cls.__dataclass_fields__)
        if set(data) != names:
            raise InvalidDelegation(reason="unexpected or missing fields")
        return cls(**{k: str(data[k]) for k in names})


def parse_time(value: str) -> dt.datetime:
    try:
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidDelegation(reason=f"bad time {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def sign_grant(grant: DelegationGrant, key: ec.EllipticCurvePrivateKey) -> str:
    return base64.b64encode(key.sign(grant.canonical_bytes(), ec.ECDSA(hashes.SHA256()))).decode()


def verify_grant(grant: DelegationGrant, signature: str, grantor: x509.Certificate) -> None:
    if format(grantor.serial_number, "x") != grant.grantor_cert_serial:
        raise InvalidDelegation(reason="signed with another certificate")
    public = grantor.public_key()
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise InvalidDelegation(reason="the grantor's key is not an EC key")
    try:
        public.verify(base64.b64decode(signature, validate=True), grant.canonical_bytes(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError):
        raise InvalidDelegation(reason="the grantor's signature does not match") from None
