"""The laptop's side of sync, in SQL: outbox reads and acknowledgements, applying the server's records.

A server record never overwrites a case that still has ops waiting to be pushed: those ops carry the
person's newer work, and the case comes back through the feed as soon as the server has them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session

from app.storage import meta, repo
from app.storage.models import Attachment, Case, Conflict, OutboxOp

# The payload of an op whose body is built from the case row when it is pushed (a new case's ``case.create``).
BY_REFERENCE = ""
# What a create op tells the server about the new case (the server assigns the rest).
CREATE_COLUMNS = ("id", "service", "office", "nik", "name", "fields", "status", "version", "created_at",
                  "updated_at", "created_by", "device", "due_date")
_CREATE_SELECT = f"SELECT {', '.join(CREATE_COLUMNS)} FROM cases WHERE id IN "
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def _create_body(row: Sequence[Any]) -> dict[str, Any]:
    case = dict(zip(CREATE_COLUMNS, row, strict=True))
    case["fields"] = json.loads(case["fields"])
    return {"case": case}


def _create_bodies(conn: Any, case_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for part in _chunks(list(case_ids)):
        for row in conn.exec_driver_sql(_CREATE_SELECT + f"({','.join('?' * len(part))})", tuple(part)):
            found[row[0]] = _create_body(row)
    return found


def op_bodies(session: Session, ops: Sequence[OutboxOp]) -> list[dict[str, Any]]:
    """The body of each op as pushed: a create op that refers to its case is built from the case row (one
    query for the batch), every other op is its stored JSON."""
    refs = [o.case_id for o in ops if o.payload == BY_REFERENCE and o.case_id]
    rows = _create_bodies(session.connection(), refs) if refs else {}
    out = []
    for o in ops:
        if o.payload == BY_REFERENCE:
            body = rows.get(o.case_id or "") or {"case": {"id": o.case_id}}
            out.append({**body, "case": dict(body["case"])})
        else:
            out.append(json.loads(o.payload))
    return out


def freeze_created(session: Session, case_id: str) -> None:
    """Write out the body of a not yet acknowledged create op of ``case_id`` that refers to the row, from the
    row as it is now (call before the row changes)."""
    conn = session.connection()
    waiting = conn.exec_driver_sql("SELECT seq FROM outbox WHERE case_id = ? AND kind = 'case.create' "
                                   "AND payload = ? AND state != 'done'", (case_id, BY_REFERENCE)).first()
    if waiting is None:
        return
    body = _create_bodies(conn, [case_id]).get(case_id)
    if body is not None:
        conn.exec_driver_sql("UPDATE outbox SET payload = ? WHERE seq = ?", (_ENCODER.encode(body), waiting[0]))


def pending_ops(session: Session, actors: Sequence[str], limit: int = 500, after: int | None = None) -> list[OutboxOp]:
    """The next ops to push, for ``actors`` (the enrolled users), in the order they were made on this laptop.

    That one order keeps every dependency the server checks, whoever made the ops: a case's own steps (an
    attachment before the submit that needs it, a submit before the verification that follows it) and each
    signer's approval chain across cases (an approval names the signer's previous event, which may belong to
    a case made, verified or synced at another time). Ranking cases by priority broke the second. Blob bytes
    go separately, after every op. ``after``: only ops made after the op of that ``seq`` (the next batch read
    while the ops before it are still on their way to the server, not yet marked)."""
    stmt = (select(OutboxOp)
            .where(OutboxOp.state == "pending", OutboxOp.actor.in_(list(actors)), OutboxOp.kind != "blob")
            .order_by(OutboxOp.seq).limit(limit))
    if after is not None:
        stmt = stmt.where(OutboxOp.seq > after)
    return list(session.scalars(stmt))


def pending_blobs(session: Session, actor: str, limit: int = 50) -> list[OutboxOp]:
    stmt = (select(OutboxOp).where(OutboxOp.state == "pending", OutboxOp.actor == actor, OutboxOp.kind == "blob")
            .order_by(OutboxOp.seq).limit(limit))
    return list(session.scalars(stmt))


def actors_with_pending(session: Session) -> list[str]:
    return [r[0] for r in session.execute(select(OutboxOp.actor).where(OutboxOp.state == "pending").distinct())]


def mark_ops(session: Session, marks: list[tuple[str, str, int | None, str | None]], at: str | None = None) -> None:
    """Record the server's answers: ``(op_id, state, errno, error)`` each, in one executemany; a refused op
    (state ``rejected``) notes ``at`` as the time it was refused."""
    if marks:
        session.connection().exec_driver_sql(
            "UPDATE outbox SET state = ?, errno = ?, error = ?, attempts = attempts + 1, "
            "refused_at = CASE WHEN ? = 'rejected' THEN ? ELSE refused_at END WHERE op_id = ?",
            [(state, errno, error, state, at, op_id) for op_id, state, errno, error in marks])


def count_failure(session: Session, op_ids: list[str]) -> dict[str, int]:
    """Note one more attempt the server failed on (no answer) for each op; returns the attempts so far."""
    conn = session.connection()
    conn.exec_driver_sql("UPDATE outbox SET attempts = attempts + 1 WHERE op_id = ?", [(i,) for i in op_ids])
    found: dict[str, int] = {}
    for part in _chunks(op_ids):
        found.update({r[0]: int(r[1]) for r in conn.exec_driver_sql(
            f"SELECT op_id, attempts FROM outbox WHERE op_id IN ({','.join('?' * len(part))})", tuple(part))})
    return found


def has_pending(session: Session, case_id: str) -> bool:
    return session.execute(select(OutboxOp.seq).where(OutboxOp.case_id == case_id, OutboxOp.state == "pending",
                                                      OutboxOp.kind != "blob").limit(1)).first() is not None


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


_UPSERT_COLUMNS = ("id", "service", "office", "nik", "name", "fields", "status", "version", "server_version",
                   "created_at", "updated_at", "created_by", "device", "due_date", "letter_number",
                   "letter_sha256", "reason", "steps", "next_office", "reg_no", "access_code")
_UPSERT = (f"INSERT INTO cases ({', '.join(_UPSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_UPSERT_COLUMNS))}) "
           "ON CONFLICT(id) DO UPDATE SET "
           + ", ".join(f"{c} = excluded.{c}" for c in _UPSERT_COLUMNS[1:]))
_EVENT = ("INSERT INTO case_events (case_id, action, from_status, to_status, actor, device, reason, details, at, "
          "received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_DEVICE = ("INSERT INTO device_names (id, name) VALUES (?, ?) "
           "ON CONFLICT(id) DO UPDATE SET name = excluded.name WHERE name != excluded.name")
_ATTACH = ("INSERT OR IGNORE INTO attachments (case_id, doc_code, sha256, filename, size, mime, added_at, "
           "added_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
_CONFLICT = ("INSERT OR IGNORE INTO conflicts (id, case_id, field, server_value, client_value, client_device, "
             "created_at, state) VALUES (?, ?, ?, ?, ?, ?, ?, 'open')")


def _json(value: Any) -> str:
    # One encoder made once: ``json.dumps`` with options builds a new one per call, which was a sixth of a
    # first pull's time (every case's fields are encoded again for the column).
    return _ENCODER.encode(value)


def apply_snapshots(session: Session, snaps: list[dict[str, Any]], compare: bool = True) -> int:
    """Make local cases equal to the server's records, a page at a time (a few executemany calls).

    A case that still has ops waiting keeps its local content and its server version. A case the laptop holds
    already takes only the columns that differ (the cases a laptop has just pushed come back in the feed with
    the server's time and device and a version): writing every column rewrote all the list index entries and
    fired the search index's trigger for each row, whose name had not changed. ``compare=False`` skips that
    look (a first pull into an empty store has nothing to compare). Returns how many cases were written."""
    if not snaps:
        return 0
    conn = session.connection()
    ids = [str(s["id"]) for s in snaps]
    waiting = _waiting(conn, ids)
    gone = [s["id"] for s in snaps if s.get("deleted")]
    fresh = [s for s in snaps if s["id"] not in waiting and not s.get("deleted")]
    for part in _chunks(gone):
        conn.exec_driver_sql(f"DELETE FROM cases WHERE id IN ({','.join('?' * len(part))})", tuple(part))
    # A held case keeps its server_version too: it is the base of the next edit's op (the version its content
    # derives from); noting a newer one would let that edit pass for having seen changes it never got.
    if not fresh:
        return len(gone)
    rows = [(s["id"], s["service"], s["office"], s.get("nik"), s["name"], _json(s["fields"]), s["status"],
             s["version"], s["version"], s["created_at"], s["updated_at"], s["created_by"], s["device"],
             s["due_date"], s.get("letter_number"), s.get("letter_sha256"), s.get("reason"),
             _json(s["steps"]) if s.get("steps") else None, s.get("next_office"), s.get("reg_no"),
             s.get("access_code")) for s in fresh]
    if compare:
        rows = _update_held(conn, rows)
    if rows:
        with repo.search_indexed_in_bulk(session, len(rows)):
            conn.exec_driver_sql(_UPSERT, rows)
    fresh_ids = [s["id"] for s in fresh]
    for part in _chunks(fresh_ids):
        marks = ",".join("?" * len(part))
        conn.exec_driver_sql(f"DELETE FROM conflicts WHERE state = 'open' AND case_id IN ({marks})", tuple(part))
    creators = {str(s["device"]): str(s["device_name"])[:120] for s in fresh if s.get("device_name")}
    _write_histories(conn, fresh, creators)
    found = [(c["id"], s["id"], c["field"], json.dumps(c["server_value"], ensure_ascii=False),
              json.dumps(c["client_value"], ensure_ascii=False), c.get("client_device"), c["created_at"])
             for s in fresh for c in s.get("conflicts", ())]
    if found:
        conn.exec_driver_sql(_CONFLICT, found)
    return len(fresh) + len(gone)


def _update_held(conn: Any, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Write the rows (values in ``_UPSERT_COLUMNS`` order) of cases the store holds already, each as an
    ``UPDATE`` of the columns that differ (none: nothing written), one executemany per set of columns; returns
    the rows of cases it does not hold, to be inserted. An index or a trigger is touched only where one of
    its columns is written: a row whose name is unchanged keeps its search index entries."""
    wanted = {r[0]: r for r in rows}
    by_columns: dict[tuple[int, ...], list[tuple[Any, ...]]] = {}
    for part in _chunks(list(wanted)):
        marks = ",".join("?" * len(part))
        for local in conn.exec_driver_sql(f"SELECT {', '.join(_UPSERT_COLUMNS)} FROM cases WHERE id IN ({marks})",
                                          tuple(part)):
            row = wanted.pop(local[0])
            changed = tuple(i for i in range(1, len(row)) if row[i] != local[i])
            if changed:
                by_columns.setdefault(changed, []).append(tuple(row[i] for i in changed) + (row[0],))
    for changed, values in by_columns.items():
        sets = ", ".join(f"{_UPSERT_COLUMNS[i]} = ?" for i in changed)
        conn.exec_driver_sql(f"UPDATE cases SET {sets} WHERE id = ?", values)
    return list(wanted.values())


def _waiting(conn: Any, ids: list[str]) -> set[str]:
    """The cases among ``ids`` with ops still waiting to be pushed (they keep their local content)."""
    found: set[str] = set()
    for part in _chunks(ids):
        marks = ",".join("?" * len(part))
        found.update(r[0] for r in conn.exec_driver_sql(
            f"SELECT DISTINCT case_id FROM outbox WHERE state = 'pending' AND kind != 'blob' "
            f"AND case_id IN ({marks})", tuple(part)))
    return found


def _write_histories(conn: Any, items: list[dict[str, Any]], names: dict[str, str]) -> None:
    """Each item's events replace the case's (a light record, which has no "events" key, keeps what is there)
    and its documents are added; ``names``: devices' names to note beside those the events carry."""
    for part in _chunks([s["id"] for s in items if "events" in s]):
        marks = ",".join("?" * len(part))
        conn.exec_driver_sql(f"DELETE FROM case_events WHERE case_id IN ({marks})", tuple(part))
    events = [(s["id"], e["action"], e.get("from"), e.get("to"), e["actor"], e["device"], e.get("reason"),
               _json(e["details"]) if e.get("details") else None, e["at"], e.get("received_at"))
              for s in items for e in s.get("events", ())]
    if events:
        conn.exec_driver_sql(_EVENT, events)
    names = {**{str(e["device"]): str(e["device_name"])[:120] for s in items for e in s.get("events", ())
                if e.get("device_name")}, **names}
    if names:
        conn.exec_driver_sql(_DEVICE, sorted(names.items()))
    docs = [(s["id"], d["doc_code"], d["sha256"], d["filename"], d["size"], d["mime"], d["added_at"], d["added_by"])
            for s in items for d in s.get("documents", ())]
    if docs:
        conn.exec_driver_sql(_ATTACH, docs)


def apply_histories(session: Session, items: list[dict[str, Any]]) -> int:
    """A history page (``GET /changes?history=true``): each case's events and documents, for the cases this
    laptop has and that have no ops waiting (those get their whole record from the pull after their push).
    Never creates or deletes a case. Returns how many cases' histories were written."""
    conn = session.connection()
    ids = [str(s["id"]) for s in items if not s.get("deleted")]
    have: set[str] = set()
    for part in _chunks(ids):
        have.update(r[0] for r in conn.exec_driver_sql(
            f"SELECT id FROM cases WHERE id IN ({','.join('?' * len(part))})", tuple(part)))
    have -= _waiting(conn, sorted(have))
    kept = [s for s in items if s["id"] in have]
    _write_histories(conn, kept, {})
    return len(kept)


def apply_snapshot(session: Session, snap: dict[str, Any]) -> bool:
    """One server record (an answer to a refused op); see :func:`apply_snapshots`."""
    return apply_snapshots(session, [snap]) == 1


def open_conflicts(session: Session) -> list[Conflict]:
    return list(session.scalars(select(Conflict).where(Conflict.state == "open").order_by(Conflict.created_at)))


def missing_blobs(session: Session, have: Any, limit: int = 200) -> list[str]:
    """Hashes of attachments and letters this laptop should hold but does not (``have(sha) -> bool``)."""
    out: list[str] = []
    for (sha,) in session.execute(select(Attachment.sha256).distinct()):
        if not have(sha):
            out.append(sha)
    for (letter,) in session.execute(select(Case.letter_sha256).where(Case.letter_sha256.is_not(None)).distinct()):
        if letter and not have(letter):
            out.append(letter)
    return out[:limit]


def counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxOp.state, func.count()).group_by(OutboxOp.state))
    found = {state: int(n) for state, n in rows}
    found["conflicts"] = int(session.execute(select(func.count()).select_from(Conflict)
                                             .where(Conflict.state == "open")).scalar_one())
    return found


def prune_done(session: Session, keep: int = 10_000) -> None:
    """Forget acknowledged ops beyond the newest ``keep`` (their effect is on the server and in the audit log)."""
    session.execute(text("DELETE FROM outbox WHERE state = 'done' AND seq < "
                         "(SELECT COALESCE(MIN(seq), 0) FROM (SELECT seq FROM outbox WHERE state = 'done' "
                         "ORDER BY seq DESC LIMIT :keep))"), {"keep": keep})


def store_delegations(session: Session, username: str, items: list[dict[str, Any]]) -> set[str]:
    """Replace what this device knows of ``username``'s delegations; returns offices newly delegated to them."""
    from app.storage.models import DelegationRecord

    before = {d.office for d in session.scalars(select(DelegationRecord).where(
        DelegationRecord.delegate == username, DelegationRecord.revoked.is_(False)))}
    session.execute(delete(DelegationRecord).where(
        (DelegationRecord.delegate == username) | (DelegationRecord.grantor == username)))
    for d in items:
        session.merge(DelegationRecord(id=d["id"], grantor=d["grantor"], grantor_name=d["grantor_name"],
                                       grantor_position=d.get("grantor_position"), delegate=d["delegate"],
                                       office=d["office"], kind=d["kind"], valid_from=d["valid_from"],
                                       valid_until=d["valid_until"], revoked=bool(d["revoked"])))
    now = {d["office"] for d in items if d["delegate"] == username and not d["revoked"]}
    return now - before


# --- the initial pull: list indexes built once after the bulk apply, not maintained row by row --------------

DEFERRED = meta.DEFERRED_INDEXES  # meta key: the DDL of what an initial pull dropped, until it is rebuilt


def is_empty(session: Session) -> bool:
    return session.connection().exec_driver_sql("SELECT 1 FROM cases LIMIT 1").first() is None


def defer_list_indexes(session: Session) -> bool:
    """Before an initial pull into an empty store: drop the case list's secondary indexes and the search
    index's insert trigger, keeping their DDL in meta (same transaction). Building an index once over sorted
    keys costs a fraction of maintaining it on every random insert. False if the store has cases already."""
    conn = session.connection()
    if conn.exec_driver_sql("SELECT 1 FROM cases LIMIT 1").first() is not None:
        return False
    if conn.exec_driver_sql("SELECT 1 FROM meta WHERE key = ?", (DEFERRED,)).first() is not None:
        return True
    found = list(conn.exec_driver_sql(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = 'cases' AND sql IS NOT NULL "
        "AND (type = 'index' OR (type = 'trigger' AND name = 'cases_search_insert'))"))
    # Dropping an index drops its planner statistics too (the ones migration 0004 pins): kept with the DDL.
    has_stats = conn.exec_driver_sql("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").first()
    stats = list(conn.exec_driver_sql("SELECT 'stat', idx, stat FROM sqlite_stat1 WHERE tbl = 'cases'")
                 ) if has_stats else []
    conn.exec_driver_sql("INSERT INTO meta (key, value) VALUES (?, ?)",
                         (DEFERRED, json.dumps([[kind, name, sql] for kind, name, sql in found + stats])))
    for kind, name, _sql in found:
        conn.exec_driver_sql(f'DROP {"INDEX" if kind == "index" else "TRIGGER"} IF EXISTS "{name}"')
    return True


def restore_list_indexes(session: Session) -> bool:
    """Build what :func:`defer_list_indexes` dropped (also after a crash in between: called at every pull's
    start). True if something was rebuilt."""
    conn = session.connection()
    row = conn.exec_driver_sql("SELECT value FROM meta WHERE key = ?", (DEFERRED,)).first()
    if row is None:
        return False
    for kind, name, sql in json.loads(row[0]):
        if kind == "stat":
            conn.exec_driver_sql("DELETE FROM sqlite_stat1 WHERE tbl = 'cases' AND idx = ?", (name,))
            conn.exec_driver_sql("INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases', ?, ?)", (name, sql))
            continue
        conn.exec_driver_sql(sql.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1)
                             .replace("CREATE TRIGGER ", "CREATE TRIGGER IF NOT EXISTS ", 1))
    conn.exec_driver_sql("INSERT INTO cases_search (cases_search) VALUES ('rebuild')")
    conn.exec_driver_sql("DELETE FROM meta WHERE key = ?", (DEFERRED,))
    return True

