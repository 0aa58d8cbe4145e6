"""Canonical state of what a laptop shares with the server, and its hash.

Both sides are reduced to the same shape, per case: id, status, version, NIK, name, fields, history
(events in order) and attachments (sorted). Two devices agree exactly when their hashes are equal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from support.store_keys import open_store

CaseState = dict[str, Any]
State = dict[str, CaseState]


def _canon(case_id: str, status: str, version: int, nik: str | None, name: str, fields: Mapping[str, Any],
           events: Iterable[Iterable[Any]], docs: Iterable[Iterable[Any]]) -> CaseState:
    return {"id": case_id, "status": status, "version": int(version), "nik": nik, "name": name,
            "fields": dict(sorted(fields.items())),
            "events": [list(e) for e in events],
            "attachments": sorted(list(d) for d in docs)}


def laptop_state(db_path: Path, office: str | None = None) -> State:
    """Every case in a laptop's database (``office`` limits it to one office's cases)."""
    conn = open_store(db_path, readonly=True)
    try:
        rows = conn.execute("SELECT id, status, version, nik, name, fields, office FROM cases").fetchall()
        events: dict[str, list[tuple[Any, ...]]] = {}
        for row in conn.execute("SELECT case_id, action, from_status, to_status, actor, device, reason, at "
                                "FROM case_events ORDER BY id"):
            events.setdefault(row[0], []).append(row[1:])
        docs: dict[str, list[tuple[Any, ...]]] = {}
        for row in conn.execute("SELECT case_id, doc_code, sha256, filename, size, mime FROM attachments"):
            docs.setdefault(row[0], []).append(row[1:])
    finally:
        conn.close()
    return {r[0]: _canon(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]), events.get(r[0], ()), docs.get(r[0], ()))
            for r in rows if office is None or r[6] == office}


def server_state(snapshots: Iterable[Mapping[str, Any]]) -> State:
    """The same shape from the server's records (``/changes`` pages or ``load_snapshot``)."""
    out: State = {}
    for s in snapshots:
        if s.get("deleted"):
            continue
        events = [(e["action"], e.get("from"), e.get("to"), e["actor"], e["device"], e.get("reason"), e["at"])
                  for e in s.get("events", ())]
        docs = [(d["doc_code"], d["sha256"], d["filename"], d["size"], d["mime"]) for d in s.get("documents", ())]
        out[str(s["id"])] = _canon(str(s["id"]), s["status"], s["version"], s.get("nik"), s["name"], s["fields"],
                                   events, docs)
    return out


def state_hash(state: State) -> str:
    body = json.dumps([state[k] for k in sorted(state)], sort_keys=True, separators=(",", ":"),
                      ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def diff(a: State, b: State, limit: int = 5) -> list[str]:
    """A short human description of how two states differ (for assertion messages)."""
    out = [f"only left: {k}" for k in sorted(set(a) - set(b))][:limit]
    out += [f"only right: {k}" for k in sorted(set(b) - set(a))][:limit]
    for key in sorted(set(a) & set(b)):
        if a[key] != b[key] and len(out) < 3 * limit:
            fields = [f for f in a[key] if a[key][f] != b[key][f]]
            out.append(f"{key}: {', '.join(f'{f}: {a[key][f]!r} != {b[key][f]!r}' for f in fields)}")
    return out


def integrity_ok(db_path: Path) -> str:
    conn = open_store(db_path)
    try:
        return str(conn.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        conn.close()


def applied_once_problems(server: State, laptop_dbs: Iterable[Path]) -> list[str]:
    """Cases whose server history or attachments do not match, one for one, the ops that the laptops hold
    as acknowledged (``done``): an op that took effect twice (or was lost after its answer) shows here.
    Valid while no edit met a same-field conflict (a conflicting edit is acknowledged without an event)."""
    history: dict[str, int] = {}
    docs: dict[str, int] = {}
    for path in laptop_dbs:
        conn = open_store(path, readonly=True)
        try:
            for kind, case_id in conn.execute("SELECT kind, case_id FROM outbox WHERE state = 'done'"):
                if kind in ("case.edit", "case.transition", "conflict.resolve"):
                    history[case_id] = history.get(case_id, 0) + 1
                elif kind == "attachment.add":
                    docs[case_id] = docs.get(case_id, 0) + 1
        finally:
            conn.close()
    problems = []
    for case_id, case in server.items():
        if len(case["events"]) != history.get(case_id, 0):
            problems.append(f"{case_id}: {len(case['events'])} events for {history.get(case_id, 0)} ops")
        if len(case["attachments"]) != docs.get(case_id, 0):
            problems.append(f"{case_id}: {len(case['attachments'])} attachments for {docs.get(case_id, 0)} ops")
        if len({tuple(a) for a in case["attachments"]}) != len(case["attachments"]):
            problems.append(f"{case_id}: duplicate attachment")
    return problems
