"""The shape of a pushed op, checked before it touches the database.

Every op is checked for types, lengths and characters before its handler runs; a bad op is refused alone
with errno 107 (VALIDATION) and the other ops of the batch go on. What is checked here is what any op of a
kind must look like on the wire; what a value means for a service (a NIK's form, a field's rules) is the
core's intake check (app/domain/intake.py ``check_intake``), which the handlers call.

Client times. The server records its own receipt time next to every time a laptop sends (``received_at``);
a laptop's time is kept for the history when it is plausible. A time that is not an ISO 8601 timestamp of
at most 40 characters makes the op malformed (refused, 107). A well-formed time before :data:`SERVICE_EPOCH`
(nothing in Loket is older than the service) or later than the server's clock plus :data:`CLOCK_SLACK` plus
the device's own clock offset when the request declares it (header ``X-Loket-Clock``: the device's clock when
it sent the request; offsets beyond :data:`MAX_DECLARED_OFFSET` are ignored) is not stored: the op is applied
and the server's receipt time stands in for it. A laptop whose clock was wrong while it worked offline loses
none of that work, and the history never shows a time from 2001.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, get_args

from sync.protocol import Errno, Op, OpKind

SERVICE_EPOCH = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
CLOCK_SLACK = dt.timedelta(minutes=10)
MAX_DECLARED_OFFSET = dt.timedelta(days=2)
MAX_TEXT = 2000  # any string of a payload, unless named below
# A case field's value: the catalogue's own max_length holds each field (the intake check every handler runs);
# this is the longest any field of the catalogue may have (BAMUS's frozen table of accepted proposals).
MAX_FIELD_TEXT = 400_000
MAX_DEPTH = 4
MAX_ITEMS = 200  # keys of an object, items of a list
MAX_PDF_B64 = 5 * 1024 * 1024 * 4 // 3 + 8  # approvals.MAX_PDF, base64-encoded
MAX_VERSION = 2**31 - 1
KINDS = frozenset(get_args(OpKind))
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_FIELD = re.compile(r"payload(?:\.case)?\.fields\.[a-z][a-z0-9_]{0,39}")  # case.create's and case.edit's
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class BadOp(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.errno = Errno.VALIDATION
        self.message = message


def check_op(op: Op, now: dt.datetime, offset: dt.timedelta = dt.timedelta(0)) -> None:
    """Raise :class:`BadOp` unless ``op`` is well formed. ``offset``: the device's declared clock offset."""
    kind = op.get("kind")
    if not isinstance(kind, str) or len(kind) > 24:
        raise BadOp("kind must be a short text")
    if kind not in KINDS:
        return  # the applier answers an unknown kind with its own errno
    case_id = op.get("case_id")
    if not (case_id is None and kind == "case.create") and not _is_uuid(case_id):
        raise BadOp("case_id must be a UUID")
    base = op.get("base_version")
    if base is not None and (type(base) is not int or not 0 <= base <= MAX_VERSION):
        raise BadOp("base_version must be a small whole number")
    payload = op.get("payload")
    if not isinstance(payload, dict):
        raise BadOp("payload must be an object")
    _walk(payload, 0, "payload", allow_pdf=kind == "approval")
    latest = now + CLOCK_SLACK + max(-MAX_DECLARED_OFFSET, min(offset, MAX_DECLARED_OFFSET))
    if "at" in payload and not _time(payload["at"], "at", latest):
        payload["at"] = None  # implausible: the receipt time stands in (the request hash is already taken)
    CHECKS[str(kind)](payload, latest)


def declared_offset(header: str | None, now: dt.datetime) -> dt.timedelta:
    """The device's clock offset from the ``X-Loket-Clock`` header (zero when absent or unreadable)."""
    when = _parse_time(header) if header and len(header) <= 40 else None
    if when is None:
        return dt.timedelta(0)
    return max(-MAX_DECLARED_OFFSET, min(when - now, MAX_DECLARED_OFFSET))


# ---- generic ----------------------------------------------------------------------------------------
def _walk(value: Any, depth: int, where: str, *, allow_pdf: bool = False) -> None:
    if depth > MAX_DEPTH:
        raise BadOp(f"{where}: nested too deeply")
    if isinstance(value, str):
        if len(value) > MAX_TEXT:  # the smallest limit: which one holds is looked up only for a longer text
            limit = MAX_PDF_B64 if allow_pdf and where == "payload.pdf" else (
                MAX_FIELD_TEXT if _FIELD.fullmatch(where) else MAX_TEXT)
            if len(value) > limit:
                raise BadOp(f"{where}: text too long")
        if _CONTROL.search(value):
            raise BadOp(f"{where}: control characters are not allowed")
    elif isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise BadOp(f"{where}: too many keys")
        for key, item in value.items():
            if not isinstance(key, str) or not key or len(key) > 64 or _CONTROL.search(key):
                raise BadOp(f"{where}: bad key")
            if type(item) is str and len(item) <= MAX_TEXT and depth < MAX_DEPTH:  # most values: checked here
                if _CONTROL.search(item):
                    raise BadOp(f"{where}.{key}: control characters are not allowed")
                continue
            _walk(item, depth + 1, f"{where}.{key}", allow_pdf=allow_pdf)
    elif isinstance(value, list):
        if len(value) > MAX_ITEMS:
            raise BadOp(f"{where}: too many items")
        for item in value:
            _walk(item, depth + 1, f"{where}[]")
    elif isinstance(value, bool) or value is None:
        pass
    elif isinstance(value, int):
        if abs(value) > 2**53:
            raise BadOp(f"{where}: number out of range")
    elif isinstance(value, float):
        if value != value or abs(value) > 2**53:
            raise BadOp(f"{where}: number out of range")
    else:
        raise BadOp(f"{where}: unsupported value")


def _is_uuid(value: Any) -> bool:
    return isinstance(value, str) and bool(_UUID.match(value))


def _text(payload: dict[str, Any], key: str, limit: int, *, optional: bool = True) -> None:
    value = payload.get(key)
    if value is None and optional:
        return
    if not isinstance(value, str) or len(value) > limit:
        raise BadOp(f"{key} must be text of at most {limit} characters")


def _text_map(value: Any, key: str, *, nulls: bool) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        raise BadOp(f"{key} must be an object")
    for name, item in value.items():
        if item is None and nulls:
            continue
        if not isinstance(item, str):
            raise BadOp(f"{key}.{name} must be text")


def _parse_time(value: str) -> dt.datetime | None:
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)


def _time(value: Any, key: str, latest: dt.datetime) -> bool:
    """False for a well-formed but implausible time (the caller drops it); raises on a malformed one."""
    if value is None:
        return True
    when = _parse_time(value) if isinstance(value, str) and len(value) <= 40 else None
    if when is None:
        raise BadOp(f"{key} must be an ISO 8601 time")
    return SERVICE_EPOCH <= when <= latest


# ---- per kind ---------------------------------------------------------------------------------------
def _create(payload: dict[str, Any], latest: dt.datetime) -> None:
    case = payload.get("case")
    if not isinstance(case, dict):
        raise BadOp("case must be an object")
    if case.get("id") is not None and not _is_uuid(case["id"]):
        raise BadOp("case id must be a UUID")
    _text(case, "service", 16, optional=False)
    _text(case, "nik", 32)
    _text(case, "name", 200, optional=False)
    _text_map(case.get("fields"), "fields", nulls=False)
    if not _time(case.get("created_at"), "created_at", latest):
        case["created_at"] = None
    due = case.get("due_date")
    if due is not None and (not isinstance(due, str) or not _DATE.match(due) or _parse_time(due) is None):
        raise BadOp("due_date must be a date (YYYY-MM-DD)")


def _edit(payload: dict[str, Any], _latest: dt.datetime) -> None:
    _text_map(payload.get("fields"), "fields", nulls=True)
    _text(payload, "nik", 32)
    _text(payload, "name", 200)


NIK_FIELDS = frozenset({"tanggal_lahir", "jenis_kelamin"})  # app.domain.nik: what a NIK says of its holder


def _transition(payload: dict[str, Any], _latest: dt.datetime) -> None:
    from app.domain import handover, registration

    _text(payload, "action", 16, optional=False)
    _text(payload, "reason", 1000)
    reg_no, code = payload.get("reg_no"), payload.get("access_code")
    if reg_no is not None and (not isinstance(reg_no, str) or len(reg_no) > registration.MAX_REG_NO
                               or not registration.REG_NO_PATTERN.match(reg_no)):
        raise BadOp("reg_no must be a registration number such as SKD-2026-KLJ08-0042")
    if code is not None and (not isinstance(code, str) or not registration.ACCESS_PATTERN.match(code)):
        raise BadOp("access_code must be 8 to 16 characters of the receipt's alphabet")
    record = payload.get("handover")
    if record is not None:
        if payload.get("action") != "issue" or not isinstance(record, dict):
            raise BadOp("handover belongs to an issue step and must be an object")
        found = handover.problems({k: v for k, v in record.items() if k != "at"})
        if found or not isinstance(record.get("at", ""), str) or len(record.get("at") or "") > 40:
            raise BadOp("handover must name the collector, the relation (sendiri, keluarga, kuasa) and the ID "
                        "shown")
    confirmed = payload.get("nik_confirmed")
    if confirmed is None:
        return
    from app.domain.nik import REASON_MAX, REASON_MIN

    if payload.get("action") != "submit" or not isinstance(confirmed, dict) or set(confirmed) != {"fields",
                                                                                                  "reason"}:
        raise BadOp("nik_confirmed is an object {fields, reason} of a submit")
    fields = confirmed["fields"]
    if not isinstance(fields, list) or not fields or len(fields) > len(NIK_FIELDS) or \
            not all(isinstance(f, str) and f in NIK_FIELDS for f in fields):
        raise BadOp("nik_confirmed.fields must name the birth date and/or sex")
    reason = confirmed["reason"]
    if not isinstance(reason, str) or not REASON_MIN <= len(reason.strip()) <= REASON_MAX:
        raise BadOp(f"nik_confirmed.reason must be text of {REASON_MIN} to {REASON_MAX} characters")


def _attachment(payload: dict[str, Any], _latest: dt.datetime) -> None:
    from app.storage.blobs import MAX_ATTACHMENT_BYTES

    _text(payload, "doc_code", 40, optional=False)
    if not isinstance(payload.get("sha256"), str) or not _SHA256.match(payload["sha256"]):
        raise BadOp("sha256 must be 64 lowercase hex digits")
    _text(payload, "filename", 255)
    _text(payload, "mime", 64)
    size = payload.get("size", 0)
    if type(size) is not int or not 0 <= size <= MAX_ATTACHMENT_BYTES:
        raise BadOp("size must be a whole number within the attachment limit")


def _resolve(payload: dict[str, Any], _latest: dt.datetime) -> None:
    if not _is_uuid(payload.get("conflict_id")):
        raise BadOp("conflict_id must be a UUID")
    _text(payload, "value", MAX_TEXT)


def _approval(payload: dict[str, Any], _latest: dt.datetime) -> None:
    if not isinstance(payload.get("event"), dict):
        raise BadOp("event must be an object")
    _text(payload, "signature", 400, optional=False)


CHECKS = {"case.create": _create, "case.edit": _edit, "case.transition": _transition,
          "attachment.add": _attachment, "conflict.resolve": _resolve, "approval": _approval,
          "recommendation": _approval}
