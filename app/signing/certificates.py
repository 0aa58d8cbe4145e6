"""Certificates: the signer's CSR, and the city CA (used by the server) that certifies signers and its TSA.

Contract
--------
* :func:`build_csr` — on the laptop, with the unlocked device key: subject CN = name, serialNumber = NIP,
  title = position, OU = office, O = Pemerintah Kota Malang, C = ID.
* :class:`CityCA` — on the server: :meth:`CityCA.create` makes the self-signed root (ECDSA P-384 by default,
  10 years); :meth:`CityCA.issue_signing_certificate` checks the CSR's proof of possession and issues a
  document-signing certificate (keyUsage digitalSignature + nonRepudiation, critical);
  :meth:`CityCA.issue_tsa_certificate` issues the timestamping certificate (critical EKU timeStamping only);
  :meth:`CityCA.build_crl` signs a CRL. Serial numbers are random 159-bit values unless the caller passes
  its own (the server may keep them in its database).
* Everything round-trips through PEM: :func:`to_pem`, :func:`load_certificate`, :func:`load_crl`,
  :meth:`CityCA.key_pem` / :meth:`CityCA.load`.
* Time values are timezone-aware UTC datetimes; pass ``now`` for reproducible tests.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.errors import UserFacingError
from app.i18n import register

ORGANIZATION = "Pemerintah Kota Malang"
COUNTRY = "ID"
ROOT_COMMON_NAME = "Loket Root CA Pemerintah Kota Malang"
TSA_COMMON_NAME = "Loket Timestamping Authority Pemerintah Kota Malang"
# id-kp-documentSigning (RFC 9336). Optional: readers that do not know it ignore a non-critical EKU.
EKU_DOCUMENT_SIGNING = x509.ObjectIdentifier("1.3.6.1.5.5.7.3.36")
CA_YEARS = 10
SIGNER_DAYS = 2 * 365
TSA_DAYS = 5 * 365

register({
    "csr.invalid": {
        "id": "Permintaan sertifikat (CSR) ditolak: {reason}.",
        "en": "The certificate request (CSR) was refused: {reason}.",
    },
})


class CsrRejected(UserFacingError):
    key = "csr.invalid"


@dataclass(frozen=True, slots=True)
class SignerIdentity:
    """Who the certificate names. ``nip`` is the 18-digit civil-servant number (NIP)."""

    name: str
    nip: str
    position: str
    office: str

    def subject(self) -> x509.Name:
        return x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, self.office),
            x509.NameAttribute(NameOID.TITLE, self.position),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, self.nip),
            x509.NameAttribute(NameOID.COMMON_NAME, self.name),
        ])

    @classmethod
    def from_name(cls, name: x509.Name) -> SignerIdentity:
        def one(oid: x509.ObjectIdentifier) -> str:
            attrs = name.get_attributes_for_oid(oid)
            return str(attrs[0].value) if attrs else ""

        return cls(name=one(NameOID.COMMON_NAME), nip=one(NameOID.SERIAL_NUMBER),
                   position=one(NameOID.TITLE), office=one(NameOID.ORGANIZATIONAL_UNIT_NAME))


@dataclass(frozen=True, slots=True)
class RevokedEntry:
    """One line of a CRL: serial, when, why (``x509.ReasonFlags``; ``unspecified`` when unknown), and for a
    lost or compromised key the moment it may have left the signer's hands (``invalid_since``, the CRL
    entry's invalidityDate) when that is earlier than the revocation."""

    serial: int
    revoked_at: dt.datetime
    reason: x509.ReasonFlags = x509.ReasonFlags.unspecified
    invalid_since: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class RevocationReason:
    """A reason the city's admins give, in their words, and the RFC 5280 CRL reason code it carries."""

    code: str
    flag: x509.ReasonFlags
    label_id: str
    label_en: str


# The city's words for why a signer's certificate ends, mapped to RFC 5280 §5.3.1 CRLReason values.
REVOCATION_REASONS: dict[str, RevocationReason] = {r.code: r for r in (
    RevocationReason("mutasi", x509.ReasonFlags.affiliation_changed, "mutasi jabatan", "transferred to another post"),
    RevocationReason("pensiun", x509.ReasonFlags.cessation_of_operation, "pensiun / berhenti bertugas",
                     "retired or left service"),
    RevocationReason("hilang", x509.ReasonFlags.key_compromise, "perangkat atau kunci hilang / bocor",
                     "device or key lost or compromised"),
    RevocationReason("ganti", x509.ReasonFlags.superseded, "kunci diganti (perangkat baru)",
                     "key replaced (new device)"),
    RevocationReason("diberhentikan", x509.ReasonFlags.privilege_withdrawn, "kewenangan dicabut",
                     "signing authority withdrawn"),
    RevocationReason("lainnya", x509.ReasonFlags.unspecified, "alasan lain", "other reason"),
)}


def reason_for_flag(flag: x509.ReasonFlags | None) -> RevocationReason:
    """The city's reason for a CRL reason flag (``lainnya`` for codes the city does not use)."""
    for reason in REVOCATION_REASONS.values():
        if reason.flag is flag:
            return reason
    return REVOCATION_REASONS["lainnya"]


def entry_details(entry: x509.RevokedCertificate) -> tuple[dt.datetime, x509.ReasonFlags, dt.datetime | None]:
    """(revocation time, reason, invalidity date or None) of one CRL entry, all aware UTC."""
    reason = x509.ReasonFlags.unspecified
    since: dt.datetime | None = None
    for ext in entry.extensions:
        if isinstance(ext.value, x509.CRLReason):
            reason = ext.value.reason
        elif isinstance(ext.value, x509.InvalidityDate):
            since = ext.value.invalidity_date_utc
    return entry.revocation_date_utc, reason, since


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def build_csr(key: ec.EllipticCurvePrivateKey, identity: SignerIdentity) -> x509.CertificateSigningRequest:
    """A CSR for the device key; its signature is the proof of possession the CA checks."""
    return (x509.CertificateSigningRequestBuilder()
            .subject_name(identity.subject())
            .sign(key, hashes.SHA256()))


def to_pem(obj: x509.Certificate | x509.CertificateSigningRequest | x509.CertificateRevocationList) -> bytes:
    return obj.public_bytes(serialization.Encoding.PEM)


def load_certificate(data: bytes) -> x509.Certificate:
    """PEM or DER."""
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_certificate(data)
    return x509.load_der_x509_certificate(data)


def load_certificates(data: bytes) -> list[x509.Certificate]:
    return x509.load_pem_x509_certificates(data)


def load_csr(data: bytes) -> x509.CertificateSigningRequest:
    try:
        if b"-----BEGIN" in data:
            return x509.load_pem_x509_csr(data)
        return x509.load_der_x509_csr(data)
    except ValueError as err:
        raise CsrRejected(reason=f"unreadable ({err})") from None


def load_crl(data: bytes) -> x509.CertificateRevocationList:
    if b"-----BEGIN" in data:
        return x509.load_pem_x509_crl(data)
    return x509.load_der_x509_crl(data)


def fingerprint_sha256(cert: x509.Certificate) -> str:
    """Lower-case hex SHA-256 of the DER certificate (what the verify page and admin screens show)."""
    return cert.fingerprint(hashes.SHA256()).hex()


def public_key_sha256(key: ec.EllipticCurvePublicKey | x509.Certificate) -> str:
    """SHA-256 of the SubjectPublicKeyInfo: identifies a device key across certificate renewals."""
    public = key.public_key() if isinstance(key, x509.Certificate) else key
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(spki).hexdigest()


def serial_hex(cert: x509.Certificate) -> str:
    """The serial number as lower-case hex: how approval events and the server name a certificate."""
    return format(cert.serial_number, "x")


class CityCA:
    """The city's root CA: key + self-signed certificate. The server keeps the key; laptops get the cert."""

    def __init__(self, key: ec.EllipticCurvePrivateKey, certificate: x509.Certificate,
                 crl_url: str | None = None) -> None:
        """``crl_url``: where the server publishes the CRL; written into every signing certificate so that
        validators (pyHanko, Adobe) look for revocation data at all."""
        if key.public_key() != certificate.public_key():
            raise ValueError("the CA key does not match the CA certificate")
        self.key = key
        self.certificate = certificate
        self.crl_url = crl_url

    # -- creation and persistence ---------------------------------------------------------------------
    @classmethod
    def create(cls, *, common_name: str = ROOT_COMMON_NAME, curve: ec.EllipticCurve | None = None,
               years: int = CA_YEARS, now: dt.datetime | None = None, crl_url: str | None = None) -> CityCA:
        """A new self-signed root CA (P-384 unless ``curve`` says otherwise)."""
        key = ec.generate_private_key(curve or ec.SECP384R1())
        now = now or _utcnow()
        name = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "Dinas Komunikasi dan Informatika"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ])
        ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
        cert = (x509.CertificateBuilder()
                .subject_name(name).issuer_name(name)
                .public_key(key.public_key())
                .serial_number(x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(now + dt.timedelta(days=365 * years + years // 4))
                .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
                .add_extension(x509.KeyUsage(digital_signature=False, content_commitment=False,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=True, crl_sign=True,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(ski, critical=False)
                .sign(key, _hash_for(key)))
        return cls(key, cert, crl_url)

    @classmethod
    def load(cls, cert_pem: bytes, key_pem: bytes, password: bytes | None = None,
             crl_url: str | None = None) -> CityCA:
        key = serialization.load_pem_private_key(key_pem, password=password)
        if not isinstance(key, ec.EllipticCurvePrivateKey):
            raise ValueError("the city CA key must be an EC key")
        return cls(key, load_certificate(cert_pem), crl_url)

    def key_pem(self, password: bytes | None = None) -> bytes:
        """The CA key as PKCS#8 PEM, encrypted when ``password`` is given (the server should give one)."""
        enc: serialization.KeySerializationEncryption = (
            serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption())
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, enc)

    def certificate_pem(self) -> bytes:
        return to_pem(self.certificate)

    # -- issuing --------------------------------------------------------------------------------------
    def _builder(self, subject: x509.Name, public_key: ec.EllipticCurvePublicKey, serial: int | None,
                 now: dt.datetime, days: int) -> x509.CertificateBuilder:
        not_after = min(now + dt.timedelta(days=days), self.certificate.not_valid_after_utc)
        aki = x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key())
        return (x509.CertificateBuilder()
                .subject_name(subject).issuer_name(self.certificate.subject)
                .public_key(public_key)
                .serial_number(serial or x509.random_serial_number())
                .not_valid_before(now - dt.timedelta(minutes=5))
                .not_valid_after(not_after)
                .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
                .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
                .add_extension(aki, critical=False))

    def issue_signing_certificate(self, csr: x509.CertificateSigningRequest, *,
                                  subject: x509.Name | None = None, serial: int | None = None,
                                  days: int = SIGNER_DAYS, now: dt.datetime | None = None,
                                  document_signing_eku: bool = True,
                                  crl_url: str | None = None) -> x509.Certificate:
        """Certify a signer's device key.

        The CSR must carry a valid self-signature (proof of possession) over an ECDSA P-256/P-384 key.
        ``subject`` lets the server impose the name it knows (from its user records) instead of trusting
        the CSR's; ``crl_url`` (default: the CA's) adds a CRL distribution point. Without one, pyHanko
        does not look at CRLs for the certificate at all.
        Raises :class:`CsrRejected`.
        """
        if not csr.is_signature_valid:
            raise CsrRejected(reason="the signature does not match the key (no proof of possession)")
        public = csr.public_key()
        if not isinstance(public, ec.EllipticCurvePublicKey) or public.curve.name not in ("secp256r1",
                                                                                            "secp384r1"):
            raise CsrRejected(reason="the key must be ECDSA P-256 or P-384")
        name = subject or csr.subject
        if not name.get_attributes_for_oid(NameOID.COMMON_NAME):
            raise CsrRejected(reason="the subject has no name (CN)")
        builder = (self._builder(name, public, serial, now or _utcnow(), days)
                   .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                                key_encipherment=False, data_encipherment=False,
                                                key_agreement=False, key_cert_sign=False, crl_sign=False,
                                                encipher_only=False, decipher_only=False), critical=True))
        if document_signing_eku:
            # documentSigning for readers that know RFC 9336; emailProtection because NSS (poppler's pdfsig,
            # Firefox's viewer) and Adobe refuse a signing certificate whose EKU lacks it.
            builder = builder.add_extension(
                x509.ExtendedKeyUsage([EKU_DOCUMENT_SIGNING, ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                critical=False)
        crl_url = crl_url or self.crl_url
        if crl_url:
            builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
                full_name=[x509.UniformResourceIdentifier(crl_url)], relative_name=None, reasons=None,
                crl_issuer=None)]), critical=False)
        return builder.sign(self.key, _hash_for(self.key))

    def issue_tsa_certificate(self, public_key: ec.EllipticCurvePublicKey, *,
                              common_name: str = TSA_COMMON_NAME, serial: int | None = None,
                              days: int = TSA_DAYS, now: dt.datetime | None = None) -> x509.Certificate:
        """The timestamping authority's certificate: critical EKU timeStamping only (RFC 3161 §2.3)."""
        subject = x509.Name([
            x509.NameAttribute(NameOID.COUNTRY_NAME, COUNTRY),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ORGANIZATION),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ])
        return (self._builder(subject, public_key, serial, now or _utcnow(), days)
                .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                             key_encipherment=False, data_encipherment=False,
                                             key_agreement=False, key_cert_sign=False, crl_sign=False,
                                             encipher_only=False, decipher_only=False), critical=True)
                .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
                .sign(self.key, _hash_for(self.key)))

    def build_crl(self, revoked: Iterable[RevokedEntry], *, crl_number: int,
                  now: dt.datetime | None = None,
                  next_update: dt.timedelta = dt.timedelta(days=7)) -> x509.CertificateRevocationList:
        """A CRL listing ``revoked`` with reasons and dates; ``crl_number`` must grow with each CRL."""
        now = now or _utcnow()
        builder = (x509.CertificateRevocationListBuilder()
                   .issuer_name(self.certificate.subject)
                   .last_update(now).next_update(now + next_update)
                   .add_extension(x509.CRLNumber(crl_number), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(self.key.public_key()),
                                  critical=False))
        for entry in revoked:
            rb = (x509.RevokedCertificateBuilder()
                  .serial_number(entry.serial)
                  .revocation_date(entry.revoked_at))
            if entry.reason is not x509.ReasonFlags.unspecified:
                rb = rb.add_extension(x509.CRLReason(entry.reason), critical=False)
            if entry.invalid_since is not None and entry.invalid_since < entry.revoked_at:
                since = entry.invalid_since.astimezone(dt.UTC).replace(tzinfo=None)
                rb = rb.add_extension(x509.InvalidityDate(since), critical=False)
            builder = builder.add_revoked_certificate(rb.build())
        return builder.sign(self.key, _hash_for(self.key))


def _hash_for(key: ec.EllipticCurvePrivateKey) -> hashes.SHA256 | hashes.SHA384:
    return hashes.SHA384() if key.curve.key_size >= 384 else hashes.SHA256()


def revoked_in(crls: Sequence[x509.CertificateRevocationList], cert: x509.Certificate,
               issuers: Sequence[x509.Certificate]) -> x509.RevokedCertificate | None:
    """The CRL entry revoking ``cert`` in any of ``crls`` signed by one of ``issuers``, else ``None``.

    Independent of pyHanko's revocation logic (which ignores CRLs for certificates without a CRL
    distribution point), so a revocation the caller knows about is never missed.
    """
    for crl in crls:
        for issuer in issuers:
            if crl.issuer != cert.issuer or issuer.subject != crl.issuer:
                continue
            public = issuer.public_key()
            if not isinstance(public, ec.EllipticCurvePublicKey) or not crl.is_signature_valid(public):
                continue
            entry = crl.get_revoked_certificate_by_serial_number(cert.serial_number)
            if entry is not None:
                return entry
    return None


def chain_is_issued_by(chain: Sequence[x509.Certificate]) -> bool:
    """True when each certificate in ``chain`` (leaf first) is signed by the next one."""
    try:
        for child, parent in zip(chain, chain[1:], strict=False):
            child.verify_directly_issued_by(parent)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
