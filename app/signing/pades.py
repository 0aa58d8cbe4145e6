"""PAdES letter signatures: sign offline (B-B), verify, upgrade on the server (timestamp + validation data).

Contract
--------
* :func:`sign_pdf` — laptop, Tier 1: a PAdES B-B signature (``ETSI.CAdES.detached``, SHA-256) made with the
  in-memory device key and its chain, with a visible stamp in the box :func:`app.letters.render.render_letter`
  returned. The key never leaves the process: pyHanko calls back into :class:`KeySigner` for the one raw
  ECDSA operation. The signed PDF is an incremental update, so the rendered bytes stay an exact prefix of it.
* :func:`verify_pdf` — anyone: checks integrity, the chain to the given trust roots (plus optional CRLs, plus
  any validation data embedded in the PDF), and document timestamps; returns :class:`VerificationResult`.
  ``valid`` is the bottom line: intact, trusted, not revoked, nothing but LTA updates after signing, and
  every document timestamp intact and trusted.
* :func:`upgrade_pdf` — server, Tier 2: embeds validation data (certificates, CRLs) for the signature, then
  a document timestamp from a ``TimeStamper`` (normally :class:`app.signing.tsa.CityTimeStamper`) plus the
  TSA's validation data. pyHanko then reports the signature ``INTACT:TRUSTED,EXTENDED_WITH_LTA_UPDATES``.

Threading: these functions drive pyHanko's asyncio API through ``asyncio.run`` and so must not be called
from inside a running event loop. On the server, call them from a sync (``def``) route or through
``run_in_threadpool``; in the GUI, from the signing worker.

Revocation is judged at the time a trusted timestamp proves: pyHanko's plain validator judges at the current
time, so when a CRL lists the signer's certificate, the earliest trusted timestamp covering the signature (the
server's document timestamp, or a signature timestamp) is compared with the revocation time (and a lost key's
invalidity date); only when it precedes them is the signature validated again at that moment and reported
valid, with ``signed_before_revocation`` and the revocation's time and reason.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.pdf_utils import content, generic, layout
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import fields, signers
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.general import SigningError
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation import add_validation_info, validate_pdf_signature, validate_pdf_timestamp
from pyhanko.stamp import StaticStampStyle
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.registry import SimpleCertificateStore

from app import timefmt
from app.errors import UserFacingError
from app.i18n import register, tr
from app.letters.model import Rect
from app.letters.render import letter_number_from_keywords, render_stamp
from app.signing.certificates import SignerIdentity, entry_details, reason_for_flag, revoked_in

log = logging.getLogger(__name__)
SIGNATURE_FIELD = "TandaTanganElektronik"
REASON_PREFIX = "Persetujuan surat nomor "
DEFAULT_LOCATION = "Kota Malang"

register({
    "pdf.unreadable": {
        "id": "Berkas PDF tidak bisa dibaca: {reason}.",
        "en": "The PDF could not be read: {reason}.",
    },
    "pdf.unsigned": {
        "id": "PDF ini tidak memuat tanda tangan elektronik.",
        "en": "This PDF carries no electronic signature.",
    },
    "pdf.sign_failed": {
        "id": "Surat tidak bisa ditandatangani: {reason}.",
        "en": "The letter could not be signed: {reason}.",
    },
    # what a verification found wrong (said to people: the CLI's text, the GUI)
    "verify.unreadable": {"id": "PDF tidak bisa dibaca (rusak atau bukan PDF)",
                          "en": "unreadable PDF (damaged or not a PDF)"},
    "verify.none": {"id": "tidak ada tanda tangan", "en": "no signature"},
    "verify.unvalidated": {"id": "tanda tangan tidak bisa diperiksa (rusak)",
                           "en": "signature could not be validated (damaged)"},
    "verify.digest": {"id": "dokumen diubah setelah ditandatangani (isi tidak cocok)",
                      "en": "the document was changed after signing (digest mismatch)"},
    "verify.value": {"id": "nilai tanda tangan tidak sah", "en": "the signature value is not valid"},
    "verify.modified": {"id": "dokumen diubah setelah ditandatangani ({level})",
                        "en": "the document was modified after signing ({level})"},
    "verify.revoked": {"id": "sertifikat penandatangan sudah dicabut", "en": "the signer's certificate is revoked"},
    "verify.untrusted": {"id": "sertifikat penandatangan tidak dipercaya ({why})",
                         "en": "the signer's certificate is not trusted ({why})"},
    "verify.ts_unvalidated": {"id": "cap waktu dokumen tidak bisa diperiksa (rusak)",
                              "en": "document timestamp could not be validated (damaged)"},
    "verify.ts_invalid": {"id": "cap waktu dokumen tidak sah ({why})", "en": "document timestamp not valid ({why})"},
    "verify.revoked_unproven": {
        "id": "sertifikat penandatangan dicabut ({reason}, {when}) dan tidak ada cap waktu tepercaya yang membuktikan "
              "surat ditandatangani sebelumnya",
        "en": "the signer's certificate is revoked ({reason}, {when}) and no trusted timestamp proves the letter "
              "was signed before that"},
    "verify.at_ts_unvalidated": {"id": "tanda tangan tidak bisa diperiksa pada waktu cap waktunya",
                                 "en": "the signature could not be validated at its timestamp's time"},
    "verify.at_ts_invalid": {"id": "tanda tangan tidak sah pada waktu cap waktunya ({why})",
                             "en": "the signature is not valid at its timestamp's time ({why})"},
})


class PdfSigningError(UserFacingError):
    key = "pdf.sign_failed"


class UnreadablePdf(UserFacingError):
    key = "pdf.unreadable"


class UnsignedPdf(UserFacingError):
    key = "pdf.unsigned"


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


_HASHES: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}


class KeySigner(signers.Signer):
    """A pyHanko signer over an in-memory ``cryptography`` EC key (no PKCS#8 bytes kept around).

    ``chain`` is the signer's certificate first, then its issuers; all are embedded in the CMS so any
    reader that trusts the root can build the path.
    """

    def __init__(self, key: ec.EllipticCurvePrivateKey, chain: Sequence[x509.Certificate]) -> None:
        if not chain:
            raise ValueError("the certificate chain is empty")
        if chain[0].public_key() != key.public_key():
            raise PdfSigningError(reason="the certificate does not belong to this key")
        certs = [_asn1(c) for c in chain]
        self._key = key
        registry = SimpleCertificateStore.from_certs(certs)  # type: ignore[no-untyped-call]
        super().__init__(signing_cert=certs[0], cert_registry=registry,
                         embed_roots=True)

    async def async_sign_raw(self, data: bytes, digest_algorithm: str, dry_run: bool = False) -> bytes:
        algorithm = _HASHES[digest_algorithm.lower()]()
        return self._key.sign(data, ec.ECDSA(algorithm))


class _PdfBytesPage(content.PdfContent):
    """Import page 0 of an in-memory PDF as a form XObject (pyHanko's own class wants a file name)."""

    def __init__(self, pdf: bytes) -> None:
        super().__init__()
        self._pdf = pdf

    def render(self) -> bytes:
        writer = self._ensure_writer
        xobj = writer.import_page_as_xobject(PdfFileReader(io.BytesIO(self._pdf)), page_ix=0)
        name = "/LoketStamp"
        self.resources.xobject[name] = xobj
        x1, y1, x2, y2 = xobj.get_object()["/BBox"]
        self.box = layout.BoxConstraints(width=abs(x1 - x2), height=abs(y1 - y2))
        return name.encode("ascii") + b" Do"


def sign_pdf(pdf: bytes, key: ec.EllipticCurvePrivateKey, chain: Sequence[x509.Certificate], *,
             box: Rect, letter_number: str, location: str = DEFAULT_LOCATION,
             field_name: str = SIGNATURE_FIELD, now: dt.datetime | None = None) -> bytes:
    """Sign ``pdf`` (PAdES B-B) with a visible stamp in ``box``; returns the signed PDF.

    ``letter_number`` goes into the signature's /Reason so verifiers can read it even from a PDF whose
    metadata was stripped. ``now`` only sets the time printed on the stamp (the CMS signing-time is
    pyHanko's clock); both are the device's claim until the server's timestamp.
    """
    identity = SignerIdentity.from_name(chain[0].subject)
    issuer = chain[0].issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    stamp_pdf = render_stamp(box.x2 - box.x1, box.y2 - box.y1, signer_name=identity.name or "-",
                             nip=identity.nip or "-", signed_at=now or dt.datetime.now(dt.UTC),
                             issuer=str(issuer[0].value) if issuer else "CA Pemerintah Kota Malang")
    # The stamp PDF is drawn at the box's exact size: no margins, no scaling, fully opaque.
    style = StaticStampStyle(
        background=_PdfBytesPage(stamp_pdf), border_width=0, background_opacity=1.0,
        background_layout=layout.SimpleBoxLayoutRule(
            x_align=layout.AxisAlignment.ALIGN_MID, y_align=layout.AxisAlignment.ALIGN_MID,
            margins=layout.Margins(0, 0, 0, 0), inner_content_scaling=layout.InnerScaling.STRETCH_FILL))
    meta = signers.PdfSignatureMetadata(
        field_name=field_name, reason=f"{REASON_PREFIX}{letter_number}", location=location,
        name=identity.name or None, md_algorithm="sha256", subfilter=fields.SigSeedSubFilter.PADES)
    spec = fields.SigFieldSpec(sig_field_name=field_name, on_page=box.page, box=box.box())
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
        pdf_signer = signers.PdfSigner(meta, signer=KeySigner(key, chain), stamp_style=style,
                                       new_field_spec=spec)
        out = pdf_signer.sign_pdf(writer)
    except (SigningError, ValueError, KeyError) as err:
        raise PdfSigningError(reason=str(err)) from err
    return bytes(out.getvalue())


# -- verification -------------------------------------------------------------------------------------

@dataclass
class VerificationResult:
    """What :func:`verify_pdf` found. ``problems`` are short English diagnostics for logs and the API."""

    valid: bool = False
    intact: bool = False
    trusted: bool = False
    revoked: bool = False
    signer_name: str | None = None
    signer_nip: str | None = None
    signer_serial: str | None = None  # hex, as approval events name the certificate
    signing_time: dt.datetime | None = None  # the signer's own claim (device clock)
    timestamp_time: dt.datetime | None = None  # the TSA's time, when there is a timestamp
    letter_number: str | None = None
    tier: str = "none"  # "B-B", "B-T" or "B-LT"
    signatures: int = 0
    document_timestamps: int = 0
    summary: str = ""
    problems: list[str] = field(default_factory=list)
    # The certificate's revocation, when a CRL lists it: when, why (the city's reason code and the RFC 5280
    # name) and, for a lost key, since when it was out of hand. ``signed_before_revocation``: a trusted
    # timestamp proves the signature existed before that, so the letter stays valid.
    revoked_at: dt.datetime | None = None
    revocation_reason: str | None = None
    revocation_reason_rfc: str | None = None
    invalid_since: dt.datetime | None = None
    signed_before_revocation: bool = False

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        for key in ("signing_time", "timestamp_time", "revoked_at", "invalid_since"):
            value = out[key]
            out[key] = value.isoformat() if value else None
        return out


def _dss_material(reader: PdfFileReader) -> tuple[list[bytes], list[asn1_x509.Certificate]]:
    """CRLs and certificates embedded in the PDF's /DSS (left by :func:`upgrade_pdf`)."""
    crls: list[bytes] = []
    certs: list[asn1_x509.Certificate] = []
    try:
        dss = reader.root.get("/DSS")
        if dss is None:
            return crls, certs
        dss = dss.get_object()
        for ref in dss.get("/CRLs", generic.ArrayObject()):
            crls.append(ref.get_object().data)
        for ref in dss.get("/Certs", generic.ArrayObject()):
            certs.append(asn1_x509.Certificate.load(ref.get_object().data))
    except (KeyError, ValueError, TypeError):
        pass
    return crls, certs


def _load_crls(ders: Sequence[bytes]) -> list[x509.CertificateRevocationList]:
    out = []
    for der in ders:
        try:
            out.append(x509.load_der_x509_crl(der))
        except ValueError:
            continue
    return out


def _context(trust_roots: Sequence[x509.Certificate], crls: Sequence[x509.CertificateRevocationList],
             extra_crls: Sequence[bytes] = (), other_certs: Sequence[Any] = ()) -> ValidationContext:
    crl_der = [c.public_bytes(serialization.Encoding.DER) for c in crls] + list(extra_crls)
    return ValidationContext(trust_roots=[_asn1(r) for r in trust_roots], crls=crl_der,
                             other_certs=list(other_certs), allow_fetching=False,
                             revocation_mode="soft-fail")


def verify_pdf(pdf: bytes, trust_roots: Sequence[x509.Certificate],
               crls: Sequence[x509.CertificateRevocationList] = ()) -> VerificationResult:
    """Verify the letter's (first) signature and any document timestamps. Never raises for a bad PDF:
    an unreadable or unsigned file gives ``valid=False`` with the reason in ``problems``.
    """
    result = VerificationResult()
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_regular_signatures
        timestamps = reader.embedded_timestamp_signatures
    except Exception as err:  # pyHanko raises many types for a damaged file; all mean "unreadable"
        log.info("%s: %s", "verify.unreadable", err)
        result.problems.append(tr("verify.unreadable"))
        return result
    result.signatures, result.document_timestamps = len(signatures), len(timestamps)
    info = reader.trailer_view.get("/Info")
    try:
        keywords = str(info.get_object().get("/Keywords", "")) if info is not None else ""
    except (KeyError, ValueError, TypeError):
        keywords = ""
    result.letter_number = letter_number_from_keywords(keywords)
    if not signatures:
        result.problems.append(tr("verify.none"))
        return result
    dss_crls, dss_certs = _dss_material(reader)
    vc = _context(trust_roots, crls, dss_crls, dss_certs)
    sig = signatures[0]
    reason = sig.sig_object.get("/Reason")
    if reason and not result.letter_number and str(reason).startswith(REASON_PREFIX):
        result.letter_number = str(reason)[len(REASON_PREFIX):]
    try:
        status = validate_pdf_signature(sig, vc)
    except Exception as err:  # a mangled CMS blob surfaces as assorted parse errors
        log.info("%s: %s", "verify.unvalidated", err)
        result.problems.append(tr("verify.unvalidated"))
        return result
    result.intact, result.trusted, result.revoked = status.intact, status.trusted, status.revoked
    result.summary = status.summary()
    result.signing_time = status.signer_reported_dt
    cert = status.signing_cert
    signer_cert = x509.load_der_x509_certificate(cert.dump())
    identity = SignerIdentity.from_name(signer_cert.subject)
    result.signer_name, result.signer_nip = identity.name, identity.nip
    result.signer_serial = format(cert.serial_number, "x")
    if not status.intact:
        result.problems.append(tr("verify.digest"))
    elif not status.valid:
        result.problems.append(tr("verify.value"))
    known = [*crls, *(_load_crls(dss_crls))]
    entry = revoked_in(known, signer_cert, trust_roots)
    if entry is not None:
        result.revoked = True
        result.revoked_at, flag, result.invalid_since = entry_details(entry)
        result.revocation_reason, result.revocation_reason_rfc = reason_for_flag(flag).code, flag.name
    level = status.modification_level
    if level is not None and level > ModificationLevel.LTA_UPDATES:
        result.problems.append(tr("verify.modified", level=level.name))
    ts_ok, proven = _document_timestamps(result, sig, timestamps, vc)
    if status.timestamp_validity is not None:
        result.timestamp_time = status.timestamp_validity.timestamp
        if status.timestamp_validity.trusted:
            proven = min(p for p in (proven, status.timestamp_validity.timestamp) if p is not None)
    if result.timestamp_time is None:
        result.timestamp_time = proven
    stamped = result.timestamp_time is not None and ts_ok
    has_dss = reader.root.get("/DSS") is not None
    result.tier = "B-LT" if stamped and has_dss else "B-T" if stamped else "B-B"
    trusted = status.trusted and not result.revoked
    if result.revoked and result.revoked_at is None:  # pyHanko saw it in a CRL our own check could not read
        result.problems.append(tr("verify.revoked"))
    elif result.revoked:
        trusted = _trusted_before_revocation(result, sig, proven if ts_ok else None, trust_roots, known, dss_certs)
    elif not status.trusted and status.intact and status.valid:
        result.problems.append(tr("verify.untrusted", why=status.trust_problem_indic))
    result.trusted = trusted
    result.valid = (status.intact and status.valid and trusted and ts_ok
                    and (level is None or level <= ModificationLevel.LTA_UPDATES))
    return result


def _document_timestamps(result: VerificationResult, sig: Any, timestamps: Sequence[Any],
                         vc: ValidationContext) -> tuple[bool, dt.datetime | None]:
    """Validate every document timestamp; returns (all good, earliest trusted time of one covering ``sig``)."""
    ok, proven = True, None
    for ts in timestamps:
        try:
            ts_status = validate_pdf_timestamp(ts, vc)
        except Exception as err:
            log.info("%s: %s", "verify.ts_unvalidated", err)
            result.problems.append(tr("verify.ts_unvalidated"))
            ok = False
            continue
        if not (ts_status.intact and ts_status.valid and ts_status.trusted):
            ok = False
            result.problems.append(tr("verify.ts_invalid", why=ts_status.summary()))
        elif ts.signed_revision > sig.signed_revision and (proven is None or ts_status.timestamp < proven):
            proven = ts_status.timestamp
    return ok, proven


def _trusted_before_revocation(result: VerificationResult, sig: Any, proven: dt.datetime | None,
                               trust_roots: Sequence[x509.Certificate], crls: Sequence[x509.CertificateRevocationList],
                               other_certs: Sequence[asn1_x509.Certificate]) -> bool:
    """A revoked signer's letter is valid only when a trusted timestamp proves it existed before the revocation
    (and before a lost key's invalidity date). Then the path is validated again at that moment with pyHanko's
    point-in-time validation (``moment``, with the later CRL accepted retroactively), so trust, validity
    periods and the CRL are all judged as they stood when the timestamp was made."""
    assert result.revoked_at is not None
    cutoff = min(t for t in (result.revoked_at, result.invalid_since) if t is not None)
    if proven is None or proven >= cutoff:
        result.problems.append(tr("verify.revoked_unproven", reason=result.revocation_reason,
                                  when=timefmt.moment_long(cutoff)))
        return False
    crl_der = [c.public_bytes(serialization.Encoding.DER) for c in crls]
    vc = ValidationContext(trust_roots=[_asn1(r) for r in trust_roots], crls=crl_der, other_certs=list(other_certs),
                           allow_fetching=False, revocation_mode="hard-fail", moment=proven,
                           retroactive_revinfo=True)
    try:
        status = validate_pdf_signature(sig, vc)
    except Exception as err:
        log.info("%s: %s", "verify.at_ts_unvalidated", err)
        result.problems.append(tr("verify.at_ts_unvalidated"))
        return False
    if not (status.intact and status.valid and status.trusted) or status.revoked:
        result.problems.append(tr("verify.at_ts_invalid", why=status.summary()))
        return False
    result.signed_before_revocation = True
    return True


def document_timestamp_time(pdf: bytes) -> dt.datetime | None:
    """The time of the earliest document timestamp in ``pdf``, read without validating it: for the server's
    own stored letters (whose hashes it keeps), to say on the public page when a letter was timestamped."""
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        times = [ts.signed_data["encap_content_info"]["content"].parsed["gen_time"].native
                 for ts in reader.embedded_timestamp_signatures]
    except Exception:  # a damaged file has no provable time
        return None
    return min(times) if times else None


# -- server-side upgrade ------------------------------------------------------------------------------

def upgrade_pdf(pdf: bytes, timestamper: TimeStamper, trust_roots: Sequence[x509.Certificate],
                crls: Sequence[x509.CertificateRevocationList] = (),
                other_certs: Sequence[x509.Certificate] = ()) -> bytes:
    """Tier 2 on the server: validation data for the signature, then a document timestamp (+ its data).

    ``trust_roots`` must include the root of both the signer's and the TSA's chains; ``other_certs`` may
    add intermediates that are not embedded. Raises :class:`UnsignedPdf` when there is nothing to upgrade.
    """
    reader = PdfFileReader(io.BytesIO(pdf), strict=False)
    if not reader.embedded_regular_signatures:
        raise UnsignedPdf()
    vc = _context(trust_roots, crls, other_certs=[_asn1(c) for c in other_certs])
    with_dss = add_validation_info(reader.embedded_regular_signatures[0], vc)
    writer = IncrementalPdfFileWriter(with_dss, strict=False)
    out = signers.PdfTimeStamper(timestamper).timestamp_pdf(writer, "sha256", validation_context=vc)
    return bytes(out.getvalue())
