"""The city CA: CSR → signing certificate chained to the root, TSA certificate, CRLs, PEM round trips."""

from __future__ import annotations

import datetime as dt

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.signing.certificates import (
    EKU_DOCUMENT_SIGNING,
    CityCA,
    CsrRejected,
    RevokedEntry,
    SignerIdentity,
    build_csr,
    chain_is_issued_by,
    fingerprint_sha256,
    load_certificate,
    load_crl,
    load_csr,
    revoked_in,
    serial_hex,
    to_pem,
)
from signing_helpers import CRL_URL, IDENTITY


def test_csr_subject(signer_key: ec.EllipticCurvePrivateKey) -> None:
    csr = load_csr(to_pem(build_csr(signer_key, IDENTITY)))
    subject = csr.subject
    assert subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == IDENTITY.name
    assert subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == IDENTITY.nip
    assert subject.get_attributes_for_oid(NameOID.TITLE)[0].value == "Lurah"
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)[0].value == IDENTITY.office
    assert subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == "Pemerintah Kota Malang"
    assert subject.get_attributes_for_oid(NameOID.COUNTRY_NAME)[0].value == "ID"
    assert SignerIdentity.from_name(subject) == IDENTITY
    assert csr.is_signature_valid


def test_root_ca(ca: CityCA) -> None:
    root = ca.certificate
    assert root.issuer == root.subject
    basic = root.extensions.get_extension_for_class(x509.BasicConstraints)
    assert basic.critical and basic.value.ca
    usage = root.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.key_cert_sign and usage.crl_sign
    years = (root.not_valid_after_utc - root.not_valid_before_utc).days / 365.25
    assert 9.9 < years < 10.1
    assert isinstance(root.public_key(), ec.EllipticCurvePublicKey)
    assert len(fingerprint_sha256(root)) == 64


def test_signing_certificate_chains_to_root(ca: CityCA, signer_cert: x509.Certificate,
                                            signer_key: ec.EllipticCurvePrivateKey) -> None:
    signer_cert.verify_directly_issued_by(ca.certificate)
    assert chain_is_issued_by([signer_cert, ca.certificate])
    assert signer_cert.public_key() == signer_key.public_key()
    usage = signer_cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert usage.critical
    assert usage.value.digital_signature and usage.value.content_commitment  # nonRepudiation
    assert not usage.value.key_cert_sign
    assert not signer_cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    eku = signer_cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert not eku.critical and EKU_DOCUMENT_SIGNING in eku.value
    points = signer_cert.extensions.get_extension_for_class(x509.CRLDistributionPoints).value
    assert points[0].full_name[0].value == CRL_URL
    assert signer_cert.not_valid_after_utc <= ca.certificate.not_valid_after_utc
    assert serial_hex(signer_cert) == format(signer_cert.serial_number, "x")


def test_csr_without_proof_of_possession_is_refused(ca: CityCA,
                                                    signer_key: ec.EllipticCurvePrivateKey) -> None:
    der = bytearray(build_csr(signer_key, IDENTITY).public_bytes(serialization.Encoding.DER))
    der[-5] ^= 0x01  # inside the signature value
    with pytest.raises(CsrRejected):
        ca.issue_signing_certificate(load_csr(bytes(der)))


def test_csr_with_rsa_key_is_refused(ca: CityCA) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    csr = x509.CertificateSigningRequestBuilder().subject_name(IDENTITY.subject()).sign(key, hashes.SHA256())
    with pytest.raises(CsrRejected):
        ca.issue_signing_certificate(csr)


def test_server_can_impose_the_subject(ca: CityCA, signer_key: ec.EllipticCurvePrivateKey) -> None:
    lying = SignerIdentity("Someone Else", "1" * 18, "Wali Kota", "Sekretariat Daerah")
    imposed = ca.issue_signing_certificate(build_csr(signer_key, lying), subject=IDENTITY.subject())
    assert SignerIdentity.from_name(imposed.subject) == IDENTITY


def test_tsa_certificate(ca: CityCA, tsa_parts: tuple[x509.Certificate, ec.EllipticCurvePrivateKey]) -> None:
    cert, _ = tsa_parts
    cert.verify_directly_issued_by(ca.certificate)
    eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    assert eku.critical and list(eku.value) == [ExtendedKeyUsageOID.TIME_STAMPING]


def test_crl_lists_revocations_with_reasons(ca: CityCA, signer_cert: x509.Certificate) -> None:
    when = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
    crl = ca.build_crl([RevokedEntry(signer_cert.serial_number, when, x509.ReasonFlags.key_compromise),
                        RevokedEntry(12345, when)], crl_number=7)
    crl = load_crl(to_pem(crl))
    assert crl.is_signature_valid(ca.certificate.public_key())  # type: ignore[arg-type]
    assert crl.extensions.get_extension_for_class(x509.CRLNumber).value.crl_number == 7
    entry = crl.get_revoked_certificate_by_serial_number(signer_cert.serial_number)
    assert entry is not None and entry.revocation_date_utc == when
    assert entry.extensions.get_extension_for_class(x509.CRLReason).value.reason is \
        x509.ReasonFlags.key_compromise
    assert revoked_in([crl], signer_cert, [ca.certificate]) is not None
    other_ca = CityCA.create(curve=ec.SECP256R1())
    forged = other_ca.build_crl([RevokedEntry(signer_cert.serial_number, when)], crl_number=1)
    assert revoked_in([forged], signer_cert, [ca.certificate]) is None  # not signed by our CA


def test_ca_pem_round_trip(ca: CityCA) -> None:
    key_pem = ca.key_pem(b"correct horse battery staple")
    assert b"ENCRYPTED" in key_pem
    again = CityCA.load(ca.certificate_pem(), key_pem, b"correct horse battery staple", crl_url=CRL_URL)
    assert again.certificate == ca.certificate
    assert load_certificate(ca.certificate.public_bytes(serialization.Encoding.DER)) == ca.certificate
    assert fingerprint_sha256(again.certificate) == fingerprint_sha256(ca.certificate)
