"""PAdES letters: sign offline, validate with pyHanko and poppler's pdfsig, tamper, revoke, upgrade."""

from __future__ import annotations

import datetime as dt
import io
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from asn1crypto import tsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp

from app.i18n import tr
from app.letters.render import RenderedLetter
from app.signing.certificates import CityCA, RevokedEntry, build_csr, to_pem
from app.signing.pades import PdfSigningError, UnsignedPdf, _context, sign_pdf, upgrade_pdf, verify_pdf
from app.signing.tsa import DUMMY_SERIAL, LOKET_TSA_POLICY_OID, CityTimeStamper, TimeStampResponse
from signing_helpers import IDENTITY, LETTER_NUMBER, need_tool, pdfsig

MakeTsa = Callable[..., tuple[CityTimeStamper, list[int]]]


def _tamper(pdf: bytes, signed_until: int) -> bytes:
    """Flip one byte inside the signed range, outside the /Contents hex string (the page content)."""
    pos = pdf.index(b"stream", 2000) + 20  # inside a compressed content/font stream of revision 1
    assert pos < signed_until
    return pdf[:pos] + bytes([pdf[pos] ^ 0x01]) + pdf[pos + 1:]


def test_signed_letter_validates(signed_pdf: bytes, ca: CityCA, letter: RenderedLetter) -> None:
    result = verify_pdf(signed_pdf, [ca.certificate])
    assert result.valid and result.intact and result.trusted and not result.revoked, result.problems
    assert result.signer_name == IDENTITY.name and result.signer_nip == IDENTITY.nip
    assert result.letter_number == LETTER_NUMBER
    assert result.tier == "B-B"
    assert result.summary.startswith("INTACT:TRUSTED")
    assert result.signing_time is not None
    assert abs(result.signing_time - dt.datetime.now(dt.UTC)) < dt.timedelta(hours=1)
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    sig = reader.embedded_regular_signatures[0]
    assert sig.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    assert "/Reason" in sig.sig_object
    assert result.as_dict()["signing_time"]


def test_pdfsig_accepts_the_signature(signed_pdf: bytes, nss_db: str, tmp_path: Path) -> None:
    out = pdfsig(signed_pdf, nss_db, tmp_path)
    assert "Signature is Valid." in out, out
    assert "Certificate is Trusted." in out, out
    assert "ETSI.CAdES.detached" in out


def test_one_byte_tamper_fails_everywhere(signed_pdf: bytes, ca: CityCA, nss_db: str, tmp_path: Path) -> None:
    reader = PdfFileReader(io.BytesIO(signed_pdf))
    byte_range = reader.embedded_regular_signatures[0].sig_object["/ByteRange"]
    tampered = _tamper(signed_pdf, int(byte_range[1]))
    result = verify_pdf(tampered, [ca.certificate])
    assert not result.valid and not result.intact
    assert result.problems
    out = pdfsig(tampered, nss_db, tmp_path)
    assert "Signature is Valid." not in out, out
    assert "Digest Mismatch" in out or "Signature is Invalid" in out, out


def test_unknown_root_is_not_trusted(signed_pdf: bytes) -> None:
    stranger = CityCA.create(curve=ec.SECP256R1())
    result = verify_pdf(signed_pdf, [stranger.certificate])
    assert result.intact and not result.trusted and not result.valid


def test_revoked_certificate(signed_pdf: bytes, ca: CityCA, signer_cert: x509.Certificate) -> None:
    crl = ca.build_crl([RevokedEntry(signer_cert.serial_number, dt.datetime.now(dt.UTC),
                                     x509.ReasonFlags.key_compromise)], crl_number=2)
    result = verify_pdf(signed_pdf, [ca.certificate], [crl])
    assert result.revoked and not result.trusted and not result.valid
    assert verify_pdf(signed_pdf, [ca.certificate], [ca.build_crl([], crl_number=3)]).valid


def test_pdfsig_sees_a_revocation_from_its_nss_db(signed_pdf: bytes, ca: CityCA, signer_cert: x509.Certificate,
                                                 tmp_path: Path) -> None:
    need_tool("crlutil")
    folder = tmp_path / "nss-revoked"
    folder.mkdir()
    (folder / "ca.pem").write_bytes(to_pem(ca.certificate))
    crl = ca.build_crl([RevokedEntry(signer_cert.serial_number, dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1),
                                     x509.ReasonFlags.key_compromise)], crl_number=9)
    (folder / "crl.der").write_bytes(crl.public_bytes(serialization.Encoding.DER))
    db = f"sql:{folder}"
    subprocess.run(["certutil", "-N", "-d", db, "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", db, "-n", "root", "-t", "CT,C,C", "-a", "-i",
                    str(folder / "ca.pem")], check=True)
    subprocess.run(["crlutil", "-I", "-i", str(folder / "crl.der"), "-t", "1", "-d", db], check=True)
    out = pdfsig(signed_pdf, db, tmp_path)
    assert "Signature is Valid." in out and "Certificate has been Revoked." in out, out


def test_revocation_is_seen_without_a_crl_distribution_point(letter: RenderedLetter, ca: CityCA) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    bare = CityCA(ca.key, ca.certificate)  # no CRL URL in the certificates it issues
    cert = bare.issue_signing_certificate(build_csr(key, IDENTITY))
    pdf = sign_pdf(letter.pdf, key, [cert, ca.certificate], box=letter.signature_box, letter_number="1")
    crl = ca.build_crl([RevokedEntry(cert.serial_number, dt.datetime.now(dt.UTC))], crl_number=4)
    assert not verify_pdf(pdf, [ca.certificate], [crl]).valid


def test_wrong_key_for_the_certificate_is_refused(letter: RenderedLetter, signer_cert: x509.Certificate,
                                                 ca: CityCA) -> None:
    with pytest.raises(PdfSigningError):
        sign_pdf(letter.pdf, ec.generate_private_key(ec.SECP256R1()), [signer_cert, ca.certificate],
                 box=letter.signature_box, letter_number=LETTER_NUMBER)


def test_unsigned_and_garbage(letter: RenderedLetter, ca: CityCA, make_tsa: MakeTsa) -> None:
    assert verify_pdf(letter.pdf, [ca.certificate]).problems == [tr("verify.none")]
    assert not verify_pdf(b"%PDF-1.4 garbage", [ca.certificate]).valid
    with pytest.raises(UnsignedPdf):
        upgrade_pdf(letter.pdf, make_tsa()[0], [ca.certificate])


def test_server_upgrade_adds_timestamp_and_validation_data(signed_pdf: bytes, ca: CityCA, make_tsa: MakeTsa,
                                                           nss_db: str, tmp_path: Path) -> None:
    tsa, serials = make_tsa(start=1000)
    crl = ca.build_crl([], crl_number=5)
    upgraded = upgrade_pdf(signed_pdf, tsa, [ca.certificate], [crl])
    assert upgraded.startswith(signed_pdf)
    assert serials == [1000]  # one token issued; pyHanko's size-estimate token used no serial

    reader = PdfFileReader(io.BytesIO(upgraded))
    assert "/DSS" in reader.root
    vc = _context([ca.certificate], [crl])
    status = validate_pdf_signature(reader.embedded_regular_signatures[0], vc)
    summary = status.summary()
    assert summary.startswith("INTACT:TRUSTED") and "EXTENDED_WITH_LTA_UPDATES" in summary, summary
    [doc_ts] = reader.embedded_timestamp_signatures
    ts_status = validate_pdf_timestamp(doc_ts, _context([ca.certificate], [crl]))
    assert ts_status.intact and ts_status.valid and ts_status.trusted
    tst_info = doc_ts.signed_data["encap_content_info"]["content"].parsed
    assert tst_info["policy"].dotted == LOKET_TSA_POLICY_OID
    assert tst_info["serial_number"].native == 1000

    result = verify_pdf(upgraded, [ca.certificate])
    assert result.valid and result.tier == "B-LT" and result.document_timestamps == 1, result
    assert result.timestamp_time is not None
    # poppler still validates signature #1 (it cannot check document timestamps; see FACTS.md)
    out = pdfsig(upgraded, nss_db, tmp_path)
    assert out.count("Signature is Valid.") >= 1 and "Certificate is Trusted." in out, out


def test_tampered_upgrade_is_caught(signed_pdf: bytes, ca: CityCA, make_tsa: MakeTsa) -> None:
    upgraded = upgrade_pdf(signed_pdf, make_tsa()[0], [ca.certificate])
    pos = len(upgraded) - 200  # inside the timestamp revision's trailer area covered by the token
    flipped = upgraded[:pos] + bytes([upgraded[pos] ^ 0x20]) + upgraded[pos + 1:]
    assert not verify_pdf(flipped, [ca.certificate]).valid


def test_tsa_serials_and_refusals(make_tsa: MakeTsa) -> None:
    tsa, serials = make_tsa(start=41)
    nonce, req = tsa.request_cms(b"\x11" * 32, "sha256")
    first = TimeStampResponse.load(tsa.respond(req.dump()))
    second = TimeStampResponse.load(tsa.respond(req.dump()))
    assert first["status"]["status"].native == "granted"
    infos = [r["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
             for r in (first, second)]
    numbers = [i["serial_number"].native for i in infos]
    assert numbers == [41, 42] == serials
    info = first["time_stamp_token"]["content"]["encap_content_info"]["content"].parsed
    assert info["nonce"].native == nonce
    assert info["accuracy"]["seconds"].native == 1

    _, bad_alg = tsa.request_cms(b"\x11" * 20, "sha1")
    _, bad_len = tsa.request_cms(b"\x11" * 31, "sha256")
    other_policy = tsp.TimeStampReq({**req.native, "req_policy": "1.2.3.4"})
    for bad, info_name in ((bad_alg, "bad_alg"), (bad_len, "bad_data_format"),
                           (other_policy, "unaccepted_policy")):
        resp = TimeStampResponse.load(tsa.respond(bad.dump()))
        assert resp["status"]["status"].native == "rejection"
        assert info_name in resp["status"]["fail_info"].native
    assert TimeStampResponse.load(tsa.respond(b"\x30\x03junk"))["status"]["status"].native == "rejection"
    assert serials == [41, 42]  # refusals consume no serial
    assert DUMMY_SERIAL > 2**62
