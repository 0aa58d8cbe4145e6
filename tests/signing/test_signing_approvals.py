"""Approval events: RFC 8785 canonical bytes, ECDSA signature, strict parsing, the per-device hash chain."""

from __future__ import annotations

import base64
import dataclasses
import json

import pytest
import rfc8785
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature

from app.letters.render import RenderedLetter
from app.signing.approvals import (
    ApprovalEvent,
    InvalidApproval,
    SignedApproval,
    check_successor,
    content_hash,
    event_hash,
    rendered_prefix_matches,
    sign_event,
    verify_event,
)
from app.signing.certificates import CityCA, build_csr, serial_hex
from signing_helpers import IDENTITY, LETTER_NUMBER

CASE = {"id": "0b9e2f1c-3d4a-4e5f-8a7b-1c2d3e4f5a6b", "service": "SKD", "nik": "3573015708900002",
        "name": "RINA KUSUMAWATI",
        "fields": {"alamat": "Jl. Ahmad Yani Utara Gg. III No. 12", "sejak": "2019-01-02"}}


def _event(cert: x509.Certificate, letter: RenderedLetter, **changes: object) -> ApprovalEvent:
    values: dict[str, object] = dict(
        case_id=CASE["id"], case_version=4, content_hash=content_hash(CASE), template_version=1,
        pdf_sha256=letter.sha256, letter_number=LETTER_NUMBER, signer_cert_serial=serial_hex(cert),
        device_id="dev-7f3a", device_counter=17, prev_event_hash=None, delegation_id=None)
    values.update(changes)
    return ApprovalEvent(**values)  # type: ignore[arg-type]


def test_sign_and_verify_over_the_wire(signer_key: ec.EllipticCurvePrivateKey, signer_cert: x509.Certificate,
                                       letter: RenderedLetter) -> None:
    signed = sign_event(_event(signer_cert, letter), signer_key)
    wire = json.dumps(signed.to_dict(), ensure_ascii=False, indent=2)  # any formatting on the wire
    received = SignedApproval.from_dict(json.loads(wire))
    assert received.event.canonical_bytes() == signed.event.canonical_bytes()
    assert received.event.canonical_bytes() == rfc8785.dumps(json.loads(wire)["event"])
    verify_event(received, signer_cert)
    verify_event(received, signer_cert.public_key())  # type: ignore[arg-type]
    assert event_hash(received) == event_hash(signed.event) == received.event_hash


def test_content_hash_is_canonical() -> None:
    reordered = json.loads(json.dumps({k: CASE[k] for k in reversed(list(CASE))}))
    assert content_hash(reordered) == content_hash(CASE)
    assert content_hash({**CASE, "name": "RINA K."}) != content_hash(CASE)


@pytest.mark.parametrize("field, value", [
    ("case_version", 5), ("pdf_sha256", "0" * 64), ("letter_number", "400.12.2.2/0016/35.73.01.1001/2026"),
    ("device_counter", 18), ("delegation_id", "del-1"), ("prev_event_hash", "a" * 64)])
def test_modified_event_is_refused(signer_key: ec.EllipticCurvePrivateKey, signer_cert: x509.Certificate,
                                   letter: RenderedLetter, field: str, value: object) -> None:
    signed = sign_event(_event(signer_cert, letter), signer_key)
    wire = signed.to_dict()
    wire["event"][field] = value
    with pytest.raises(InvalidApproval):
        verify_event(SignedApproval.from_dict(wire), signer_cert)


def test_forged_signatures_are_refused(signer_key: ec.EllipticCurvePrivateKey, signer_cert: x509.Certificate,
                                       letter: RenderedLetter, ca: CityCA) -> None:
    event = _event(signer_cert, letter)
    mallory = ec.generate_private_key(ec.SECP256R1())
    with pytest.raises(InvalidApproval):
        verify_event(sign_event(event, mallory), signer_cert)
    # Mallory with her own certificate cannot claim Siti's serial...
    mallory_cert = ca.issue_signing_certificate(build_csr(mallory, IDENTITY))
    with pytest.raises(InvalidApproval):
        verify_event(sign_event(event, mallory), mallory_cert)
    # ...and garbage signatures are refused, not crashed on.
    for bad in ("", "not base64!", base64.b64encode(b"\x30\x02\x01\x01").decode()):
        with pytest.raises(InvalidApproval):
            verify_event(SignedApproval(event, bad), signer_cert)


def test_chain_hash_ignores_signature_malleability(signer_key: ec.EllipticCurvePrivateKey,
                                                   signer_cert: x509.Certificate,
                                                   letter: RenderedLetter) -> None:
    signed = sign_event(_event(signer_cert, letter), signer_key)
    r, s = decode_dss_signature(base64.b64decode(signed.signature))
    n = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551  # P-256 group order
    twin = SignedApproval(signed.event, base64.b64encode(encode_dss_signature(r, n - s)).decode())
    verify_event(twin, signer_cert)  # still a valid signature...
    assert twin.event_hash == signed.event_hash  # ...and the chain does not notice: hash is over the event


def test_strict_parsing(signer_key: ec.EllipticCurvePrivateKey, signer_cert: x509.Certificate,
                        letter: RenderedLetter) -> None:
    wire = sign_event(_event(signer_cert, letter), signer_key).to_dict()
    for mutate in (lambda e: e.update(extra=1), lambda e: e.pop("delegation_id"),
                   lambda e: e.update(case_version=True), lambda e: e.update(device_counter=2**53),
                   lambda e: e.update(pdf_sha256="ABC"), lambda e: e.update(v=2)):
        copy = json.loads(json.dumps(wire))
        mutate(copy["event"])
        with pytest.raises(InvalidApproval):
            SignedApproval.from_dict(copy)
    with pytest.raises(InvalidApproval):
        SignedApproval.from_dict({**wire, "alg": "none"})


def test_device_chain(signer_cert: x509.Certificate, letter: RenderedLetter) -> None:
    first = _event(signer_cert, letter, device_counter=1)
    check_successor(None, first)
    second = _event(signer_cert, letter, device_counter=2, prev_event_hash=first.hash, case_id="case-2")
    check_successor(first, second)
    with pytest.raises(InvalidApproval):
        check_successor(None, second)
    with pytest.raises(InvalidApproval):  # replayed counter
        check_successor(first, dataclasses.replace(second, device_counter=1))
    with pytest.raises(InvalidApproval):  # a link to something else
        check_successor(first, dataclasses.replace(second, prev_event_hash="b" * 64))


def test_pdf_hash_binds_the_signed_letter(letter: RenderedLetter, signed_pdf: bytes) -> None:
    assert signed_pdf.startswith(letter.pdf)
    assert rendered_prefix_matches(signed_pdf, letter.sha256)
    assert not rendered_prefix_matches(signed_pdf, "0" * 64)
