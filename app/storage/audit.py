"""The hash-chained audit log: append in the caller's transaction, verify the whole chain."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.orm import Session

GENESIS = "0" * 64
INSERT_SQL = (
    "INSERT INTO audit (at, actor, device, action, entity, entity_id, detail, prev_hash, hash) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


@dataclass(frozen=True, slots=True)
class AuditRecord:
    at: str
    actor: str
    device: str
    action: str
    entity: str
    entity_id: str
    detail: str  # JSON text


# The hashed body is the JSON array of the record's fields, as
# ``json.dumps(fields, ensure_ascii=False, separators=(",", ":"))`` writes it. The fields are all text, so the
# array is joined from encoded strings directly: the same bytes, without the encoder's per-call setup (a bulk
# import hashes one entry per case). Anything that is not text goes through the encoder.
_ENCODE = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_ENCODE_STR = json.encoder.encode_basestring


def entry_hash(prev: str, r: AuditRecord) -> str:
    fields = (r.at, r.actor, r.device, r.action, r.entity, r.entity_id, r.detail)
    if all(type(f) is str for f in fields):
        body = "[" + ",".join(map(_ENCODE_STR, fields)) + "]"
    else:
        body = _ENCODE(list(fields))
    return hashlib.sha256(f"{prev}|{body}".encode()).hexdigest()


def last_hash(session: Session) -> str:
    row = session.execute(text("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1")).first()
    return row[0] if row else GENESIS


def append(session: Session, records: Sequence[AuditRecord]) -> None:
    """Chain ``records`` after the last entry. Call inside a write (BEGIN IMMEDIATE) transaction.

    A bulk registration's entries differ only in the case id: the encoded text around it is made once per
    distinct (moment, actor, device, action, entity, detail) and the hashed bytes are those of
    :func:`entry_hash`."""
    prev = last_hash(session)
    rows = []
    around: dict[tuple[object, ...], tuple[str, str] | None] = {}
    for r in records:
        key = (r.at, r.actor, r.device, r.action, r.entity, r.detail)
        if key in around:
            parts = around[key]
        else:
            parts = around[key] = _around(key)
        if parts is not None and type(r.entity_id) is str:
            h = hashlib.sha256(f"{prev}|{parts[0]}{_ENCODE_STR(r.entity_id)}{parts[1]}".encode()).hexdigest()
        else:
            h = entry_hash(prev, r)
        rows.append((r.at, r.actor, r.device, r.action, r.entity, r.entity_id, r.detail, prev, h))
        prev = h
    session.connection().exec_driver_sql(INSERT_SQL, rows)


def _around(key: tuple[object, ...]) -> tuple[str, str] | None:
    """The hashed body's text before and after the entity id (None unless every field is text)."""
    if not all(type(f) is str for f in key):
        return None
    texts = [_ENCODE_STR(str(f)) for f in key]
    return "[" + ",".join(texts[:5]) + ",", "," + texts[5] + "]"


@dataclass(frozen=True, slots=True)
class ChainReport:
    entries: int
    broken_at: int | None  # seq of the first entry that does not fit


def verify(session: Session) -> ChainReport:
    prev = GENESIS
    count = 0
    result = session.execute(
        text("SELECT seq, at, actor, device, action, entity, entity_id, detail, prev_hash, hash "
             "FROM audit ORDER BY seq")
    )
    for row in result:
        count += 1
        record = AuditRecord(*row[1:8])
        if row.prev_hash != prev or entry_hash(prev, record) != row.hash:
            return ChainReport(count, row.seq)
        prev = row.hash
    return ChainReport(count, None)
