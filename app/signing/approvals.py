"""Signed approval events: what the signer approved, bound to the case version and the letter's bytes.

Contract
--------
* An :class:`ApprovalEvent` names the case (id, version, content hash), the letter (template version,
  SHA-256 of the rendered PDF, number), the signer's certificate serial, the device and its monotonic
  counter, the previous event's hash (the device's own chain; ``None`` for its first event) and the
  delegation in force (or ``None``).
* The signed bytes are the RFC 8785 (JCS) canonical JSON of :meth:`ApprovalEvent.payload`, produced by the
  ``rfc8785`` package, so the server re-derives exactly the bytes the laptop signed.
* :func:`sign_event` makes an ECDSA (SHA-256) DER signature, base64 in :class:`SignedApproval`;
  :func:`verify_event` re-derives the canonical bytes from the received fields and checks the signature
  against the certificate (whose serial must be the one the event names).
* :func:`event_hash` is SHA-256 over the canonical *event* bytes, not over the signature: ECDSA signatures
  are malleable (anyone can turn ``s`` into ``n − s``), so a hash that covered them could be changed by a
  third party without the signer.
* ``pdf_sha256`` is the hash of the rendered letter before the PAdES signature; the signed PDF is an
  incremental update, so those bytes remain its exact prefix (see :func:`rendered_prefix_matches`).
* :func:`check_successor` checks one link of a device's chain (hash link, counter strictly increasing).
* A :class:`RecommendationEvent` (``loket.recommendation``) is a signing step before the chain's last: the
  same binding to case version and content, the chain step and office instead of a letter, signed the same
  way (:func:`sign_recommendation`, :func:`verify_event`) and linked into the same device chain.

Integers must stay below 2**53 (JCS numbers are IEEE doubles); serials and hashes are strings.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Self

import rfc8785
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from app.errors import UserFacingError
from app.i18n import register

EVENT_TYPE = "loket.approval"
EVENT_VERSION = 1
SIGNATURE_ALG = "ES256"
MAX_SAFE_INT = 2**53 - 1
_HEX64 = re.compile(r"[0-9a-f]{64}")
_SERIAL = re.compile(r"[0-9a-f]{1,40}")

register({
    "approval.invalid": {
        "id": "Persetujuan elektronik tidak sah: {reason}.",
        "en": "The electronic approval is not valid: {reason}.",
    },
})


class InvalidApproval(UserFacingError):
    key = "approval.invalid"


def approval_content(case_id: str, service: str, office: str, nik: str | None, name: str,
                     fields: str | Mapping[str, Any]) -> dict[str, Any]:
    """What a signer approves of a case: its identity, the citizen and the fields (stored JSON text or a
    mapping). A pure function of the case's values, so the laptop that signs and the server that checks the
    approval compute the same thing from their own records; its :func:`content_hash` is in the approval event."""
    values = json.loads(fields) if isinstance(fields, str) else dict(fields)
    return {"id": case_id, "service": service, "office": office, "nik": nik, "name": name, "fields": values}


def content_hash(case_content: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of the RFC 8785 canonical JSON of the case content the signer saw."""
    return hashlib.sha256(rfc8785.dumps(dict(case_content))).hexdigest()


class _ChainEvent:
    """What every signed event of a device's chain shares: the signed JSON object (type and version
    included), its RFC 8785 bytes, its hash and a strict parse. Subclasses are frozen dataclasses naming
    their ``TYPE``."""

    __slots__ = ()
    TYPE: ClassVar[str]

    def payload(self) -> dict[str, Any]:
        """The JSON object that is canonicalised and signed (type and version included)."""
        out: dict[str, Any] = {"type": self.TYPE, "v": EVENT_VERSION}
        for f in fields(self):  # type: ignore[arg-type]
            out[f.name] = getattr(self, f.name)
        return out

    def canonical_bytes(self) -> bytes:
        return rfc8785.dumps(self.payload())

    @property
    def hash(self) -> str:
        return hashlib.sha256(self.canonical_bytes()).hexdigest()

    @classmethod
    def from_payload(cls, payload: Mapping[str, Any]) -> Self:
        """Strict parse: exact key set, exact types; raises :class:`InvalidApproval`."""
        if not isinstance(payload, Mapping):
            raise InvalidApproval(reason="the event is not an object")
        if payload.get("type") != cls.TYPE or payload.get("v") != EVENT_VERSION:
            raise InvalidApproval(reason=f"unknown event type/version {payload.get('type')}/{payload.get('v')}")
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        extra, missing = set(payload) - names - {"type", "v"}, names - set(payload)
        if extra or missing:
            raise InvalidApproval(reason=f"unexpected fields {sorted(extra)}, missing {sorted(missing)}")
        try:
            return cls(**{name: payload[name] for name in names})
        except TypeError as err:
            raise InvalidApproval(reason=str(err)) from None


@dataclass(frozen=True, slots=True)
class ApprovalEvent(_ChainEvent):
    TYPE: ClassVar[str] = EVENT_TYPE

    case_id: str
    case_version: int
    content_hash: str
    template_version: int
    pdf_sha256: str
    letter_number: str
    signer_cert_serial: str  # lower-case hex, as certificates.serial_hex gives it
    device_id: str
    device_counter: int  # strictly increasing per device
    prev_event_hash: str | None
    delegation_id: str | None = None

    def __post_init__(self) -> None:
        problems = _problems(self)
        if problems:
            raise InvalidApproval(reason="; ".join(problems))



def _problems(e: ApprovalEvent) -> list[str]:
    out: list[str] = []
    for name in ("case_version", "template_version", "device_counter"):
        value = getattr(e, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SAFE_INT:
            out.append(f"{name} must be an integer from 1 to 2**53-1")
    for name in ("case_id", "letter_number", "device_id"):
        value = getattr(e, name)
        if not isinstance(value, str) or not value.strip():
            out.append(f"{name} must be a non-empty string")
    for name in ("content_hash", "pdf_sha256"):
        value = getattr(e, name)
        if not isinstance(value, str) or not _HEX64.fullmatch(value):
            out.append(f"{name} must be 64 lower-case hex digits")
    if e.prev_event_hash is not None and (not isinstance(e.prev_event_hash, str)
                                          or not _HEX64.fullmatch(e.prev_event_hash)):
        out.append("prev_event_hash must be 64 lower-case hex digits or null")
    if not isinstance(e.signer_cert_serial, str) or not _SERIAL.fullmatch(e.signer_cert_serial):
        out.append("signer_cert_serial must be lower-case hex")
    if e.delegation_id is not None and (not isinstance(e.delegation_id, str) or not e.delegation_id):
        out.append("delegation_id must be a non-empty string or null")
    return out


@dataclass(frozen=True, slots=True)
class SignedApproval:
    event: ApprovalEvent
    signature: str  # base64 of the DER ECDSA signature over event.canonical_bytes()

    @property
    def event_hash(self) -> str:
        return self.event.hash

    def to_dict(self) -> dict[str, Any]:
        """Wire form: ``{"event": {...}, "alg": "ES256", "signature": "<base64>"}``."""
        return {"event": self.event.payload(), "alg": SIGNATURE_ALG, "signature": self.signature}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignedApproval:
        if not isinstance(data, Mapping) or set(data) != {"event", "alg", "signature"}:
            raise InvalidApproval(reason="expected exactly the keys event, alg, signature")
        if data["alg"] != SIGNATURE_ALG or not isinstance(data["signature"], str):
            raise InvalidApproval(reason=f"unsupported algorithm {data.get('alg')}")
        return cls(ApprovalEvent.from_payload(data["event"]), data["signature"])


RECOMMENDATION_TYPE = "loket.recommendation"


@dataclass(frozen=True, slots=True)
class RecommendationEvent(_ChainEvent):
    """A signing step before the chain's last (a Lurah's endorsement before the Camat signs the letter): bound
    to the case version and content like an approval, with the chain step and the office it is taken for, no
    letter number and no PDF. It joins the device's hash chain (same counter and previous-event hash)."""

    TYPE: ClassVar[str] = RECOMMENDATION_TYPE

    case_id: str
    case_version: int
    content_hash: str
    step: int  # 1-based position in the service's approval chain
    office: str  # the office the step is taken for
    signer_cert_serial: str
    device_id: str
    device_counter: int
    prev_event_hash: str | None
    delegation_id: str | None = None

    def __post_init__(self) -> None:
        problems = _recommendation_problems(self)
        if problems:
            raise InvalidApproval(reason="; ".join(problems))


def _recommendation_problems(e: RecommendationEvent) -> list[str]:
    out: list[str] = []
    for name in ("case_version", "step", "device_counter"):
        value = getattr(e, name)
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= MAX_SAFE_INT:
            out.append(f"{name} must be an integer from 1 to 2**53-1")
    for name in ("case_id", "office", "device_id"):
        value = getattr(e, name)
        if not isinstance(value, str) or not value.strip() or len(value) > 64:
            out.append(f"{name} must be a non-empty string")
    if not isinstance(e.content_hash, str) or not _HEX64.fullmatch(e.content_hash):
        out.append("content_hash must be 64 lower-case hex digits")
    if e.prev_event_hash is not None and (not isinstance(e.prev_event_hash, str)
                                          or not _HEX64.fullmatch(e.prev_event_hash)):
        out.append("prev_event_hash must be 64 lower-case hex digits or null")
    if not isinstance(e.signer_cert_serial, str) or not _SERIAL.fullmatch(e.signer_cert_serial):
        out.append("signer_cert_serial must be lower-case hex")
    if e.delegation_id is not None and (not isinstance(e.delegation_id, str) or not e.delegation_id):
        out.append("delegation_id must be a non-empty string or null")
    return out


@dataclass(frozen=True, slots=True)
class SignedRecommendation:
    event: RecommendationEvent
    signature: str  # base64 of the DER ECDSA signature over event.canonical_bytes()

    def to_dict(self) -> dict[str, Any]:
        return {"event": self.event.payload(), "alg": SIGNATURE_ALG, "signature": self.signature}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SignedRecommendation:
        if not isinstance(data, Mapping) or set(data) != {"event", "alg", "signature"}:
            raise InvalidApproval(reason="expected exactly the keys event, alg, signature")
        if data["alg"] != SIGNATURE_ALG or not isinstance(data["signature"], str):
            raise InvalidApproval(reason=f"unsupported algorithm {data.get('alg')}")
        return cls(RecommendationEvent.from_payload(data["event"]), data["signature"])


def sign_recommendation(event: RecommendationEvent, key: ec.EllipticCurvePrivateKey) -> SignedRecommendation:
    der = key.sign(event.canonical_bytes(), ec.ECDSA(hashes.SHA256()))
    return SignedRecommendation(event, base64.b64encode(der).decode("ascii"))


def sign_event(event: ApprovalEvent, key: ec.EllipticCurvePrivateKey) -> SignedApproval:
    """Sign the canonical bytes with the device key (inside ``KeyStore.unlocked``)."""
    der = key.sign(event.canonical_bytes(), ec.ECDSA(hashes.SHA256()))
    return SignedApproval(event, base64.b64encode(der).decode("ascii"))


def verify_event(signed: SignedApproval | SignedRecommendation,
                 signer: x509.Certificate | ec.EllipticCurvePublicKey) -> None:
    """Raise :class:`InvalidApproval` unless ``signed`` was signed by ``signer``'s key.

    With a certificate, the event must also name that certificate's serial. Whether the certificate is
    trusted, unrevoked and belongs to the acting user is the caller's (server's) check.
    """
    if isinstance(signer, x509.Certificate):
        serial = format(signer.serial_number, "x")
        if serial != signed.event.signer_cert_serial:
            raise InvalidApproval(reason=f"the event names certificate {signed.event.signer_cert_serial}, "
                                  f"not {serial}")
        public = signer.public_key()
    else:
        public = signer
    if not isinstance(public, ec.EllipticCurvePublicKey):
        raise InvalidApproval(reason="the signer's key is not an EC key")
    try:
        der = base64.b64decode(signed.signature.encode("ascii"), validate=True)
        public.verify(der, signed.event.canonical_bytes(), ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, binascii.Error, ValueError, UnicodeEncodeError):
        raise InvalidApproval(reason="the signature does not match the event") from None


def event_hash(event: ApprovalEvent | SignedApproval) -> str:
    """The chain hash of an event (SHA-256 hex of its canonical bytes; the signature is not included)."""
    return event.event.hash if isinstance(event, SignedApproval) else event.hash


def check_successor(previous: ApprovalEvent | None, event: ApprovalEvent) -> None:
    """Check one link of a device's chain; raises :class:`InvalidApproval`."""
    if previous is None:
        if event.prev_event_hash is not None:
            raise InvalidApproval(reason="the first event of a device must not name a previous event")
        return
    if event.device_id != previous.device_id:
        raise InvalidApproval(reason="events of different devices do not chain")
    if event.prev_event_hash != previous.hash:
        raise InvalidApproval(reason="the previous-event hash does not match (broken chain)")
    if event.device_counter <= previous.device_counter:
        raise InvalidApproval(reason="the device counter did not increase")


def rendered_prefix_matches(signed_pdf: bytes, pdf_sha256: str) -> bool:
    """True when some revision boundary (``%%EOF``) of ``signed_pdf`` ends bytes hashing to ``pdf_sha256``.

    Lets the server tie a PAdES-signed letter to the rendered bytes an approval event names.
    """
    start = 0
    while True:
        pos = signed_pdf.find(b"%%EOF", start)
        if pos < 0:
            return False
        end = pos + 5
        for eol in (b"\r\n", b"\n", b"\r", b""):
            if signed_pdf.startswith(eol, end) and \
                    hashlib.sha256(signed_pdf[:end + len(eol)]).hexdigest() == pdf_sha256:
                return True
        start = end
