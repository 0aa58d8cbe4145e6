"""The city's RFC 3161 timestamping authority, usable directly by pyHanko.

pyHanko's ``DummyTimeStamper`` is RSA-only and a test device (random serials, a borrowed policy OID). This
one signs the ``TSTInfo`` with the TSA's ECDSA key, takes serial numbers from a callback (the server passes
its database counter, so serials are unique and persistent across restarts and instances), states the city's
own policy OID, and checks requests the way RFC 3161 asks (hash algorithm, imprint length, policy,
extensions), answering a refusal with a proper PKIStatus and failInfo.

Use it two ways:

* in process, as a :class:`pyhanko.sign.timestamps.api.TimeStamper` (``pades.upgrade_pdf`` does that);
* over HTTP: :meth:`CityTimeStamper.respond` turns a DER ``TimeStampReq`` (``application/timestamp-query``)
  into a DER ``TimeStampResp`` (``application/timestamp-reply``).

pyHanko asks every ``TimeStamper`` for a "dummy" token to estimate the signature size; that one is built
locally with a fixed large serial and never consumes a number from the counter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

from asn1crypto import algos, cms, core, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.timestamps.common_utils import handle_tsp_response

# Placeholder private-enterprise arc (1.3.6.1.4.1.<PEN>): replace 99999 with the city's IANA PEN before
# production. .1 = Loket, .3 = timestamping, .1 = policy version 1.
LOKET_TSA_POLICY_OID = "1.3.6.1.4.1.99999.1.3.1"

_DIGEST_LENGTHS = {"sha256": 32, "sha384": 48, "sha512": 64}
_ECDSA_WITH = {"sha256": "sha256_ecdsa", "sha384": "sha384_ecdsa", "sha512": "sha512_ecdsa"}
_PYCA_HASH: dict[str, Callable[[], hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512}
DUMMY_SERIAL = 2**63 - 1  # ≥ any counter value the server will reach, so size estimates are upper bounds


class TimeStampResponse(tsp.TimeStampResp):  # type: ignore[misc]
    """``TimeStampResp`` with the token OPTIONAL, as RFC 3161 §2.4.2 has it (asn1crypto makes it mandatory,
    which leaves no way to encode a refusal). Parse TSA replies with this class."""

    _fields = [("status", tsp.PKIStatusInfo), ("time_stamp_token", cms.ContentInfo, {"optional": True})]


def _attr(kind: str, value: object) -> cms.CMSAttribute:
    return simple_cms_attribute(kind, value)  # type: ignore[no-untyped-call]


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _to_asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


class CityTimeStamper(TimeStamper):
    """An RFC 3161 TSA with an ECDSA key.

    :param tsa_cert: the TSA certificate (EKU timeStamping, critical), issued by the city CA.
    :param tsa_key: its private key (P-256 or P-384).
    :param next_serial: returns a new, never-before-used positive serial each call (a DB sequence).
    :param extra_certs: certificates to embed with the TSA's (normally the city root), so validators can
        build the path from the token alone.
    :param clock: returns an aware UTC datetime; injectable for tests.
    :param policy: the TSA policy OID stated in every token.
    :param accuracy_seconds: the accuracy the TSA promises (its clock is NTP-disciplined on the server).
    """

    def __init__(self, tsa_cert: x509.Certificate, tsa_key: ec.EllipticCurvePrivateKey,
                 next_serial: Callable[[], int], *, extra_certs: Sequence[x509.Certificate] = (),
                 clock: Callable[[], dt.datetime] = _utcnow, policy: str = LOKET_TSA_POLICY_OID,
                 accuracy_seconds: int = 1) -> None:
        super().__init__(include_nonce=True)  # type: ignore[no-untyped-call]
        if tsa_key.public_key() != tsa_cert.public_key():
            raise ValueError("the TSA key does not match the TSA certificate")
        self._cert = _to_asn1(tsa_cert)
        self._key = tsa_key
        self._extra = [_to_asn1(c) for c in extra_certs]
        self._next_serial = next_serial
        self._clock = clock
        self.policy = policy
        self._accuracy = accuracy_seconds

    # -- request handling -----------------------------------------------------------------------------
    def _refuse(self, fail_info: str, text: str) -> tsp.TimeStampResp:
        status = tsp.PKIStatusInfo({
            "status": tsp.PKIStatus("rejection"),
            "status_string": [text],
            "fail_info": tsp.PKIFailureInfo({fail_info}),
        })
        return TimeStampResponse({"status": status})

    def _check(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp | None:
        imprint = req["message_imprint"]
        algorithm = imprint["hash_algorithm"]["algorithm"].native
        if algorithm not in _DIGEST_LENGTHS:
            return self._refuse("bad_alg", f"hash algorithm {algorithm} is not accepted")
        if len(imprint["hashed_message"].native) != _DIGEST_LENGTHS[algorithm]:
            return self._refuse("bad_data_format", "the message imprint has the wrong length")
        policy = req["req_policy"].native
        if policy is not None and policy != self.policy:
            return self._refuse("unaccepted_policy", f"policy {policy} is not offered")
        if req["extensions"].native:
            return self._refuse("unaccepted_extensions", "request extensions are not supported")
        return None

    def _token(self, req: tsp.TimeStampReq, serial: int, now: dt.datetime) -> cms.ContentInfo:
        imprint = req["message_imprint"]
        md = imprint["hash_algorithm"]["algorithm"].native
        info: dict[str, object] = {
            "version": "v1",
            "policy": tsp.ObjectIdentifier(self.policy),
            "message_imprint": imprint,
            "serial_number": serial,
            "gen_time": core.GeneralizedTime(now.astimezone(dt.UTC)),
            "accuracy": tsp.Accuracy({"seconds": self._accuracy}),
            "tsa": asn1_x509.GeneralName(name="directory_name", value=self._cert.subject),
        }
        if req["nonce"].native is not None:
            info["nonce"] = req["nonce"]
        tst_bytes = tsp.TSTInfo(info).dump()

        digest = hashes.Hash(_PYCA_HASH[md]())
        digest.update(tst_bytes)
        signed_attrs = cms.CMSAttributes([
            _attr("content_type", "tst_info"),
            _attr("signing_time", cms.Time({"utc_time": core.UTCTime(now)})),
            # ESS signing-certificate-v2 (RFC 5816): binds the token to this exact TSA certificate.
            _attr("signing_certificate_v2", as_signing_certificate_v2(self._cert, md)),
            _attr("message_digest", digest.finalize()),
        ])
        signature = self._key.sign(signed_attrs.dump(), ec.ECDSA(_PYCA_HASH[md]()))
        digest_alg = algos.DigestAlgorithm({"algorithm": md})
        signer_info = cms.SignerInfo({
            "version": "v1",
            "sid": cms.SignerIdentifier({"issuer_and_serial_number": cms.IssuerAndSerialNumber({
                "issuer": self._cert.issuer, "serial_number": self._cert.serial_number})}),
            "digest_algorithm": digest_alg,
            "signature_algorithm": algos.SignedDigestAlgorithm({"algorithm": _ECDSA_WITH[md]}),
            "signed_attrs": signed_attrs,
            "signature": signature,
        })
        # certReq: we always include the TSA certificate (and the root); small, and saves validators a fetch.
        signed_data = cms.SignedData({
            "version": "v3",
            "digest_algorithms": cms.DigestAlgorithms((digest_alg,)),
            "encap_content_info": cms.EncapsulatedContentInfo({
                "content_type": cms.ContentType("tst_info"),
                "content": cms.ParsableOctetString(tst_bytes)}),
            "certificates": [self._cert, *self._extra],
            "signer_infos": [signer_info],
        })
        return cms.ContentInfo({"content_type": cms.ContentType("signed_data"), "content": signed_data})

    def issue(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        """Answer one request: a granted token with the next serial, or a rejection (no serial used)."""
        refused = self._check(req)
        if refused is not None:
            return refused
        serial = int(self._next_serial())
        if serial <= 0:
            raise ValueError("TSA serial numbers must be positive")
        token = self._token(req, serial, self._clock())
        return tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": tsp.PKIStatus("granted")}),
                                  "time_stamp_token": token})

    def respond(self, request_der: bytes) -> bytes:
        """HTTP entry point: DER TimeStampReq in, DER TimeStampResp out (never raises on bad input)."""
        try:
            req = tsp.TimeStampReq.load(request_der)
            req.native  # noqa: B018 - forces a full parse so malformed requests fail here
        except (ValueError, TypeError):
            return bytes(self._refuse("bad_request", "the request could not be parsed").dump())
        return bytes(self.issue(req).dump())

    # -- pyHanko's TimeStamper interface --------------------------------------------------------------
    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return self.issue(req)

    async def async_dummy_response(self, md_algorithm: str) -> cms.ContentInfo:
        # pyHanko uses this token only to estimate sizes and to learn the TSA's certificates; building it
        # locally keeps the persistent serial counter free of numbers that were never issued.
        try:
            cached: cms.ContentInfo = self._dummy_response_cache[md_algorithm]
            return cached
        except KeyError:
            pass
        digest = b"\0" * _DIGEST_LENGTHS.get(md_algorithm, 64)
        nonce, req = self.request_cms(digest, md_algorithm)  # type: ignore[no-untyped-call]
        resp = tsp.TimeStampResp({"status": tsp.PKIStatusInfo({"status": tsp.PKIStatus("granted")}),
                                  "time_stamp_token": self._token(req, DUMMY_SERIAL, self._clock())})
        dummy = handle_tsp_response(resp, nonce)
        self._register_dummy(md_algorithm, dummy)  # type: ignore[no-untyped-call]
        return dummy
