"""The sync protocol, shared by the client and the server: paths, headers, payload shapes, error numbers.

Push:   POST {API}/push      {"ops": [Op…]}                   → {"results": [OpResult…]}
Pull:   GET  {API}/changes?since=CURSOR&limit=N              → {"changes": [CaseSnapshot…], "cursor", "more"}
Blobs:  HEAD/GET {API}/blobs/{sha256}; PUT {API}/blobs/{sha256}?offset=N (append a chunk; resumable)
Enrol:  POST {API}/enroll    {"code", "device_name", "csr_pem"?} → {"user", "device_id", "token", …}
Ping:   GET  {API}/ping                                       → {"server_time", "version"}

Every op carries a client-made UUID; the server stores (device, op_id) → (request hash, response) in the
same transaction as the op's effect, so a replay gets the first answer and a reused id with another body
is refused (errno 409). Cursors are server positions in the change feed, never clocks: a string the laptop
stores as it is and sends back (see :func:`parse_cursor` for its form). Errors are always
``{"errno", "error", "message", "details"}`` with the stable numbers below.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from enum import IntEnum
from typing import Any, Literal, TypedDict

API = "/api/v1"


class Paths:
    """Every path of the protocol, written once: the client requests ``Paths.X.format(...)`` under ``API``, the
    server routes ``API + Paths.X`` (the ``{name}`` placeholders are FastAPI's path parameters as they are).
    CRL and VERIFY are public and outside ``API``."""

    PING = "/ping"
    ENROLL = "/enroll"
    PUSH = "/push"
    CHANGES = "/changes"
    CASE = "/cases/{case_id}"
    CERTIFICATE = "/certificate"
    LEASES = "/leases"
    CHAIN = "/chain"
    DELEGATIONS = "/delegations"
    DELEGATION = "/delegations/{delegation_id}"
    CA = "/ca"
    BLOB = "/blobs/{sha256}"
    BLOB_STATUS = "/blobs/{sha256}/status"
    CRL = "/crl"
    VERIFY = "/verify/{case_id}"

PROTOCOL_VERSION = 2  # 2: the pull cursor is a string, "SEQ" or "XID:SEQ" (it was an integer)
AUTH_HEADER = "Authorization"
DEVICE_HEADER = "X-Loket-Device"
CLOCK_HEADER = "X-Loket-Clock"  # optional on push: the device's clock (ISO 8601) when it sent the request
RETRY_AFTER = "Retry-After"
USER_AGENT = "Loket"
PUSH_BATCH = 500
PULL_LIMIT = 2000
TRUST_MAX_AGE = 3600.0  # seconds: a laptop online refreshes the CA certificate and revocation list this often
BLOB_CHUNK = 1024 * 1024
# Body limits, checked before a body is read (HTTP 413, errno TOO_LARGE). Without a valid token a request
# may carry only ANON_BODY bytes; a blob chunk at most MAX_CHUNK; a push at most PUSH_BODY (signed letters
# travel inside approval ops: the laptop keeps a request under ~8 MB); anything else API_BODY.
ANON_BODY = 64 * 1024
MAX_CHUNK = 8 * 1024 * 1024
PUSH_BODY = 32 * 1024 * 1024
API_BODY = 1024 * 1024


# The feed's cursor: a position (transaction, sequence) in the server's change feed. A case changed by
# transaction XID got sequence number SEQ; the feed is ordered by (XID, SEQ). Written "SEQ" when XID is 0
# (a SQLite server, and every change made before the feed recorded transactions: the integer cursors laptops
# saved under protocol 1 are exactly these) and "XID:SEQ" otherwise. The laptop never interprets it beyond
# ordering two cursors (its history pass stops at the feed's cursor).
def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (the only place plain ``http://`` may go: a local demo server)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


START_CURSOR = "0"
_CURSOR = re.compile(r"(?:([0-9]{1,19}):)?([0-9]{1,19})")
_CURSOR_MAX = 2**63 - 1


def parse_cursor(text: str) -> tuple[int, int]:
    """``(xid, seq)`` of a cursor; ValueError when it is not one (too long, not digits, out of range)."""
    found = _CURSOR.fullmatch(text) if isinstance(text, str) else None
    if found is None:
        raise ValueError("not a feed cursor")
    xid, seq = int(found.group(1) or 0), int(found.group(2))
    if xid > _CURSOR_MAX or seq > _CURSOR_MAX:
        raise ValueError("not a feed cursor")
    return xid, seq


def format_cursor(xid: int, seq: int) -> str:
    return str(seq) if xid == 0 else f"{xid}:{seq}"


class Errno(IntEnum):
    """Stable wire error numbers: the client maps them to exceptions and messages."""

    BAD_REQUEST = 100
    UNAUTHENTICATED = 101
    DEVICE_REVOKED = 102
    ENROLMENT_CODE_INVALID = 103
    FORBIDDEN = 104
    NOT_FOUND = 105
    OP_ID_REUSED = 106
    VALIDATION = 107
    TRANSITION_REFUSED = 108
    UNKNOWN_OP = 109
    CASE_EXISTS = 110
    BLOB_MISMATCH = 111
    BLOB_OFFSET = 112
    TOO_LARGE = 113  # HTTP 413: a body, a chunk or a document over its limit
    INVALID_REQUEST = 114  # HTTP 422: the body or query does not fit the API's schema
    USER_EXISTS = 115
    APPROVAL_INVALID = 120
    APPROVAL_STALE = 121
    CERTIFICATE_REVOKED = 122
    NUMBER_OUTSIDE_LEASE = 123
    APPROVAL_STEP = 124  # a signing step out of the service's approval chain order (not this signer's turn)
    REG_NO_TAKEN = 125  # a registration number another case already has (two devices counting on their own)
    SERVICE_UNAVAILABLE = 201
    TOO_MANY_REQUESTS = 202
    INTERNAL = 999


# Each error number with the HTTP status it is sent with, in one place (the server's ApiError takes its status
# from here). Numbers that only appear inside a push's per-op results carry the status they would have alone.
HTTP_STATUS: dict[Errno, int] = {
    Errno.BAD_REQUEST: 400,
    Errno.UNAUTHENTICATED: 401,
    Errno.DEVICE_REVOKED: 403,
    Errno.ENROLMENT_CODE_INVALID: 403,
    Errno.FORBIDDEN: 403,
    Errno.NOT_FOUND: 404,
    Errno.OP_ID_REUSED: 409,
    Errno.VALIDATION: 422,
    Errno.TRANSITION_REFUSED: 409,
    Errno.UNKNOWN_OP: 400,
    Errno.CASE_EXISTS: 409,
    Errno.BLOB_MISMATCH: 422,
    Errno.BLOB_OFFSET: 409,
    Errno.TOO_LARGE: 413,
    Errno.INVALID_REQUEST: 422,
    Errno.USER_EXISTS: 409,
    Errno.APPROVAL_INVALID: 422,
    Errno.APPROVAL_STALE: 409,
    Errno.CERTIFICATE_REVOKED: 403,
    Errno.NUMBER_OUTSIDE_LEASE: 409,
    Errno.APPROVAL_STEP: 409,
    Errno.REG_NO_TAKEN: 409,
    Errno.SERVICE_UNAVAILABLE: 503,
    Errno.TOO_MANY_REQUESTS: 429,
    Errno.INTERNAL: 500,
}


OpKind = Literal["case.create", "case.edit", "case.transition", "attachment.add", "conflict.resolve",
                 "approval", "recommendation"]
OpStatus = Literal["applied", "rejected"]


class Op(TypedDict):
    op_id: str
    kind: str
    case_id: str | None
    base_version: int | None
    payload: dict[str, Any]


class OpResult(TypedDict, total=False):
    op_id: str
    status: OpStatus
    errno: int
    message: str
    version: int
    conflicts: list[dict[str, Any]]
    case: dict[str, Any]  # the server's record, when an op was refused or merged with conflicts
    chain: dict[str, Any]  # the device's approval chain head, when an approval broke the chain


class ErrorBody(TypedDict):
    errno: int
    error: str
    message: str
    details: dict[str, Any]


# One encoder made once (``json.dumps`` with options builds a new one per call, twice per pushed op). Its output
# is exactly ``json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)``: request hashes
# recorded by earlier versions still match.
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical(value: Any) -> bytes:
    """Deterministic JSON bytes (sorted keys, no spaces) for hashing requests."""
    return _CANONICAL.encode(value).encode()


def op_hash(op: Op | dict[str, Any]) -> str:
    """The request hash of one op: what makes a replay 'the same op'."""
    body = {k: op.get(k) for k in ("op_id", "kind", "case_id", "base_version", "payload")}
    return hashlib.sha256(canonical(body)).hexdigest()


def error_body(errno: Errno, message: str, details: dict[str, Any] | None = None) -> ErrorBody:
    return {"errno": int(errno), "error": errno.name.lower(), "message": message, "details": details or {}}
