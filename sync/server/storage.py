"""The server's schema (SQLAlchemy Core; the same code on SQLite and PostgreSQL) and engine setup.

The tables here describe the newest schema; the database gets there through the migrations under
``sync/server/migrations/`` (``create_schema`` runs them; how to add one: ``sync/server/migrate.py``).

The changes feed (``sync/server/feed.py``): every change to a case records, on the case's row, its position
``(feed_xid, feed_seq)``. On PostgreSQL ``feed_xid`` is the writing transaction (``pg_current_xact_id()``) and
``feed_seq`` comes from the sequence ``feed_numbers`` (no row lock: pushes commit side by side); a pull returns
only rows of transactions older than every transaction still running. On SQLite, where writers take turns,
``feed_xid`` stays 0 and ``feed_seq`` is taken from the single row of ``feed_counter``. Rows written before the
feed recorded transactions have ``feed_xid`` 0 and keep their numbers.
"""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Engine,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
)
from sqlalchemy.pool import StaticPool

metadata = MetaData()

offices = Table(
    "offices", metadata,
    Column("code", String(40), primary_key=True),
    Column("name", String(120), nullable=False),
    Column("level", String(16), nullable=False),
    Column("parent", String(40)),
)

users = Table(
    "users", metadata,
    Column("username", String(64), primary_key=True),
    Column("full_name", String(120), nullable=False),
    Column("role", String(20), nullable=False),
    Column("office", String(40), ForeignKey("offices.code"), nullable=False),
    Column("nip", String(18)),
    Column("position", String(120)),
    Column("active", Boolean, nullable=False, default=True),
    Column("created_at", String(32), nullable=False),
)

enrolment_codes = Table(
    "enrolment_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("expires_at", String(32), nullable=False),
    Column("used_at", String(32)),
    Column("device_id", String(36)),
)

devices = Table(
    "devices", metadata,
    Column("id", String(36), primary_key=True),
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("name", String(120)),
    Column("created_at", String(32), nullable=False),
    Column("last_seen", String(32)),
    Column("revoked_at", String(32)),
    Column("revoke_reason", Text),
    Column("revoke_reason_code", String(16)),  # app.signing.certificates.REVOCATION_REASONS
)

cases = Table(
    "cases", metadata,
    Column("id", String(36), primary_key=True),
    Column("service", String(16), nullable=False),
    Column("office", String(40), nullable=False),
    Column("signer_office", String(40), nullable=False),
    Column("nik", String(16)),
    Column("name", String(120), nullable=False),
    Column("fields", Text, nullable=False),
    Column("field_versions", Text, nullable=False),  # {key: [version, device]} of each field's last change
    Column("status", String(16), nullable=False),
    Column("version", Integer, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("updated_at", String(32), nullable=False),
    Column("created_by", String(64), nullable=False),
    Column("device", String(36), nullable=False),
    Column("due_date", String(10), nullable=False),
    Column("letter_number", String(80)),
    Column("letter_sha256", String(64)),
    Column("reason", Text),
    Column("deleted", Boolean, nullable=False, default=False),
    Column("feed_xid", BigInteger, nullable=False, server_default="0"),  # see the module's docstring
    Column("feed_seq", BigInteger, nullable=False),
    Column("received_at", String(32)),  # the server's clock when the case arrived (created_at is the laptop's)
    Column("reg_no", String(40)),  # the readable registration number on the citizen's receipt
    Column("access_code", String(16)),  # the receipt's code for the citizen's status page
    Index("ix_srv_cases_office_feed", "office", "feed_xid", "feed_seq"),
    Index("ix_srv_cases_reg_no", "reg_no", unique=True),
    Index("ix_srv_cases_signer_feed", "signer_office", "feed_xid", "feed_seq"),
)

case_events = Table(
    "case_events", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("action", String(16), nullable=False),
    Column("from_status", String(16)),
    Column("to_status", String(16)),
    Column("actor", String(64), nullable=False),
    Column("device", String(36), nullable=False),
    Column("reason", Text),
    Column("at", String(32), nullable=False),
    Column("received_at", String(32), nullable=False),
    Column("details", Text),  # JSON: the hand-over record of an issue step (who collected the letter)
)

attachments = Table(
    "attachments", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("doc_code", String(40), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("filename", String(255), nullable=False),
    Column("size", Integer, nullable=False),
    Column("mime", String(64), nullable=False),
    Column("added_by", String(64), nullable=False),
    Column("added_at", String(32), nullable=False),
    Column("device", String(36)),  # the adding device: its attachment leads to the bytes only if it holds them
)

conflicts = Table(
    "conflicts", metadata,
    Column("id", String(36), primary_key=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("field", String(40), nullable=False),
    Column("base_version", Integer),
    Column("server_value", Text),
    Column("client_value", Text),
    Column("server_device", String(36)),
    Column("client_device", String(36), nullable=False),
    Column("op_id", String(36), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("resolved_at", String(32)),
    Column("resolution", Text),
    Column("resolved_by", String(64)),
)

idempotency = Table(
    "idempotency", metadata,
    Column("device", String(36), primary_key=True),
    Column("op_id", String(36), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
)

blobs = Table(
    "blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("size", BigInteger, nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False),
)

blob_owners = Table(  # devices that hold a blob's bytes: they uploaded them, or could read them already
    "blob_owners", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("device_id", String(36), primary_key=True),
    Column("created_at", String(32), nullable=False),
)

blob_parts = Table(  # an upload in progress, one row per chunk received, per device; expires (core.UPLOAD_TTL)
    "blob_parts", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("device_id", String(36), primary_key=True),
    Column("offset", BigInteger, primary_key=True),
    Column("size", Integer, nullable=False),
    Column("data", LargeBinary, nullable=False),
    Column("created_at", String(32), nullable=False, index=True),
)

feed_counter = Table(  # the feed's numbers on SQLite (PostgreSQL: the sequence feed_numbers, s0010_feed_xid)
    "feed_counter", metadata,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

certificates = Table(
    "certificates", metadata,
    Column("serial", String(40), primary_key=True),  # lower-case hex
    Column("username", String(64), ForeignKey("users.username"), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("pem", Text, nullable=False),
    Column("not_after", String(32), nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
    Column("revoke_reason", Text),
    Column("revoke_reason_code", String(16)),  # carried in the CRL entry as its RFC 5280 reason
    Column("invalid_since", String(32)),  # a lost key: when it left the signer's hands (CRL invalidityDate)
)

number_counters = Table(
    "number_counters", metadata,
    Column("office", String(40), primary_key=True),
    Column("classification", String(40), primary_key=True),
    Column("year", Integer, primary_key=True),
    Column("next", Integer, nullable=False),
)

leases = Table(
    "leases", metadata,
    Column("id", String(36), primary_key=True),
    Column("office", String(40), nullable=False),
    Column("classification", String(40), nullable=False),
    Column("year", Integer, nullable=False),
    Column("device_id", String(36), nullable=False, index=True),
    Column("first", Integer, nullable=False),
    Column("last", Integer, nullable=False),
    Column("created_at", String(32), nullable=False),
)

approvals = Table(
    "approvals", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("letter_number", String(80), nullable=False, unique=True),
    Column("event", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Column("event_hash", String(64), nullable=False),
    Column("device_id", String(36), nullable=False),
    Column("device_counter", BigInteger, nullable=False),
    Column("cert_serial", String(40), nullable=False),
    Column("signer", String(64), nullable=False),
    Column("signed_sha256", String(64), nullable=False),
    Column("letter_sha256", String(64), nullable=False),
    Column("accepted_at", String(32), nullable=False),
)

# The signed steps of a case's approval chain before the last (a Lurah's recommendation before the Camat signs
# the letter): the next step is derived from these and the case version (app.domain.chain).
approval_steps = Table(
    "approval_steps", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("step", Integer, nullable=False),
    Column("office", String(40), nullable=False),
    Column("case_version", Integer, nullable=False),
    Column("event", Text, nullable=False),
    Column("signature", Text, nullable=False),
    Column("event_hash", String(64), nullable=False, unique=True),
    Column("device_id", String(36), nullable=False),
    Column("device_counter", BigInteger, nullable=False),
    Column("cert_serial", String(40), nullable=False),
    Column("signer", String(64), nullable=False),
    Column("full_name", String(120), nullable=False),
    Column("position", String(160), nullable=False),
    Column("nip", String(18)),
    Column("delegation_id", String(36)),
    Column("at", String(32), nullable=False),
    Column("accepted_at", String(32), nullable=False),
)

delegations = Table(
    "delegations", metadata,
    Column("id", String(36), primary_key=True),
    Column("grantor", String(64), ForeignKey("users.username"), nullable=False),
    Column("delegate", String(64), ForeignKey("users.username"), nullable=False, index=True),
    Column("office", String(40), nullable=False),
    Column("kind", String(8), nullable=False),
    Column("valid_from", String(32), nullable=False),
    Column("valid_until", String(32), nullable=False),
    Column("grantor_cert_serial", String(40), nullable=False),
    Column("signature", Text, nullable=False),
    Column("created_at", String(32), nullable=False),
    Column("revoked_at", String(32)),
)

device_chains = Table(
    "device_chains", metadata,
    Column("device_id", String(36), primary_key=True),
    Column("counter", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)

# Every genuine approval event a device's chain has passed through (accepted or stale): a counter holds one
# event, an event is received once. The link itself may break (a lost op, a laptop restored from a backup);
# the server then re-anchors and keeps a record of the break.
chain_events = Table(
    "chain_events", metadata,
    Column("device_id", String(36), primary_key=True),
    Column("counter", BigInteger, primary_key=True),
    Column("event_hash", String(64), nullable=False),
    Column("received_at", String(32), nullable=False),
    Index("ix_chain_events_hash", "device_id", "event_hash", unique=True),
)

chain_breaks = Table(
    "chain_breaks", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("device_id", String(36), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # relinked | late | first (see approvals._advance_chain)
    Column("counter", BigInteger, nullable=False),
    Column("event_hash", String(64), nullable=False),
    Column("prev_hash", String(64)),  # the predecessor the event names
    Column("head_counter", BigInteger, nullable=False),  # the server's head before it (0: none)
    Column("head_hash", String(64)),
    Column("at", String(32), nullable=False),
)

# Letter numbers a signer genuinely signed (the event's signature verified) whose approval the server refused:
# void for ever. The public page tells a citizen holding such a letter why, and where to ask.
void_numbers = Table(
    "void_numbers", metadata,
    Column("letter_number", String(80), primary_key=True),
    Column("case_id", String(36), nullable=False, index=True),
    Column("device_id", String(36), nullable=False),
    Column("reason", String(24), nullable=False),  # a code of sync/server/void_numbers.py REASONS
    Column("errno", Integer, nullable=False),
    Column("at", String(32), nullable=False),
)

counters = Table(
    "counters", metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

server_meta = Table(
    "server_meta", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

city_authority = Table(
    "city_authority", metadata,
    Column("id", Integer, primary_key=True),  # always 1: one city CA per database, whichever instance made it
    Column("ca_cert_pem", Text, nullable=False),
    Column("ca_key_pem", Text, nullable=False),  # PKCS#8, encrypted under LOKET_CA_PASSPHRASE when it is set
    Column("tsa_cert_pem", Text, nullable=False),
    Column("tsa_key_pem", Text, nullable=False),
    Column("origin", String(16), nullable=False),  # "created", or "imported" from a 0.1.0 --data/ca folder
    Column("created_at", String(32), nullable=False),
)

enrol_attempts = Table(
    "enrol_attempts", metadata,  # failed /enroll attempts per client address and time window
    Column("address", String(64), primary_key=True),
    Column("window_start", BigInteger, primary_key=True),  # epoch seconds
    Column("failures", Integer, nullable=False),
)

# Messages to citizens (sync/server/notify.py): written in the transaction that returns, rejects or approves a
# case, sent later outside it. ``channel`` is ``email`` or ``phone`` (WhatsApp or SMS, as the server's settings
# say); the address is read from the case when the message is sent, so no copy of it is kept here.
notify_outbox = Table(
    "notify_outbox", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", String(36), ForeignKey("cases.id"), nullable=False, index=True),
    Column("kind", String(16), nullable=False),  # returned | rejected | ready
    Column("channel", String(8), nullable=False),  # email | phone
    Column("case_version", Integer, nullable=False),
    Column("status", String(12), nullable=False),  # pending | sending | sent | failed | cancelled
    Column("attempts", Integer, nullable=False),
    Column("next_at", String(32), nullable=False),  # when a pending row may be tried (backoff)
    Column("claimed_by", String(64)),
    Column("claimed_until", String(32)),  # a sender that died: its claim runs out and another takes the row
    Column("last_error", String(300)),
    Column("sent_via", String(12)),  # email | whatsapp | sms
    Column("created_at", String(32), nullable=False),
    Column("sent_at", String(32)),
    Index("ix_notify_outbox_due", "status", "next_at"),
    Index("ix_notify_outbox_once", "case_id", "case_version", "kind", "channel", unique=True),
)

status_attempts = Table(
    "status_attempts", metadata,  # wrong access codes on /status per client address or registration number
    Column("key", String(64), primary_key=True),  # "ip:<address>" or "reg:<reg_no>"
    Column("window_start", BigInteger, primary_key=True),  # epoch seconds
    Column("failures", Integer, nullable=False),
)


# SQLite's defaults (a 2 MiB page cache per connection, a checkpoint every 1,000 WAL pages) made each push of
# 500 new cases read the random-key indexes' pages again and copy them back into the database file at almost
# every commit: a push of 100,000 cases took 22.4 s with them, 15.0 s with these. The cache is filled only
# as pages are read; the WAL grows to about 40 MB between checkpoints.
SQLITE_CACHE_KIB = 32 * 1024
SQLITE_CHECKPOINT_PAGES = 10_000


def make_engine(url: str, pool_size: int | None = None) -> Engine:
    """An engine for ``url``; SQLite gets WAL, FULL sync, foreign keys and BEGIN IMMEDIATE writers.
    ``pool_size``: PostgreSQL connections kept open (at least as many as requests served at once)."""
    if url.startswith("sqlite"):
        _owner_only(url)
        kwargs: dict[str, object] = {"connect_args": {"check_same_thread": False, "timeout": 30}}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            for pragma in ("busy_timeout = 30000", "journal_mode = WAL", "synchronous = FULL",
                           "foreign_keys = ON", f"cache_size = -{SQLITE_CACHE_KIB}",
                           f"wal_autocheckpoint = {SQLITE_CHECKPOINT_PAGES}"):
                cur.execute(f"PRAGMA {pragma}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _begin(conn):  # type: ignore[no-untyped-def]
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    # No ping before each use of a pooled connection (a round trip on every request): when PostgreSQL restarts,
    # the first request that meets a dead connection is answered 503 (the laptop retries) and SQLAlchemy drops
    # the whole pool; connections are also renewed hourly.
    size = pool_size or 16
    return create_engine(url, pool_size=size, max_overflow=max(4, size // 4), pool_recycle=3600)


def _owner_only(url: str) -> None:
    """The database file (and so its -wal and -shm, which SQLite creates with the file's mode) is 0600."""
    path = url.split(":///", 1)[1].split("?", 1)[0] if ":///" in url else ""
    if not path or path == ":memory:":
        return
    os.close(os.open(path, os.O_CREAT | os.O_RDWR, 0o600))
    os.chmod(path, 0o600)


def create_schema(engine: Engine) -> None:
    """Bring the database to the newest schema (Alembic migrations; see ``sync/server/migrate.py``)."""
    from sync.server.migrate import upgrade

    upgrade(engine)
    with engine.begin() as conn:
        if conn.execute(feed_counter.select()).first() is None:
            conn.execute(feed_counter.insert().values(id=1, value=0))


def insert_many(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """``conn.execute(table.insert(), rows)``; on SQLite the driver's own executemany of the same rows (each with
    the first row's keys, plain values): SQLAlchemy's handling of each row's parameters cost more than the insert
    (a push of 500 new cases)."""
    if conn.dialect.name != "sqlite" or not rows:
        conn.execute(table.insert(), rows)
        return
    keys = list(rows[0])
    conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(keys)}) VALUES ({', '.join('?' * len(keys))})",
                         [tuple(row[k] for k in keys) for row in rows])
