"""Cases as the laptop stores them: what a pull page, ``GET /cases/<id>`` and a refusal's snapshot carry."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from sync.server import storage as t
from sync.server.histories import events_and_documents
from sync.server.steps import load_steps, next_office


def snapshots(conn: Connection, rows: list[Any], *, light: bool = False) -> list[dict[str, Any]]:
    """The cases as the laptop stores them; ``light`` leaves out each case's events and documents (the keys
    are absent, not empty: the laptop keeps what it has)."""
    ids = [r.id for r in rows]
    events, docs = ({}, {}) if light else events_and_documents(conn, ids)  # light: the keys stay out
    open_conflicts: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for chunk_start in range(0, len(ids), 500):
        chunk = ids[chunk_start:chunk_start + 500]
        for c in conn.execute(select(t.conflicts).where(t.conflicts.c.case_id.in_(chunk),
                                                        t.conflicts.c.resolved_at.is_(None))):
            open_conflicts[c.case_id].append({"id": c.id, "field": c.field, "server_value": json.loads(c.server_value),
                                              "client_value": json.loads(c.client_value),
                                              "client_device": c.client_device, "created_at": c.created_at})
    steps = load_steps(conn, ids)
    creators = _device_names(conn, {r.device for r in rows})
    out = []
    for r in rows:
        out.append({
            "steps": steps[r.id], "next_office": next_office(r, steps[r.id]),
            "id": r.id, "seq": r.feed_seq, "deleted": bool(r.deleted), "service": r.service, "office": r.office,
            "nik": r.nik, "name": r.name, "fields": json.loads(r.fields), "status": r.status, "version": r.version,
            "created_at": r.created_at, "updated_at": r.updated_at, "created_by": r.created_by, "device": r.device,
            "device_name": creators.get(r.device),
            "due_date": r.due_date, "letter_number": r.letter_number, "letter_sha256": r.letter_sha256,
            "reason": r.reason, "reg_no": r.reg_no, "access_code": r.access_code,
            "conflicts": open_conflicts[r.id],
            **({} if light else {"events": events[r.id], "documents": docs[r.id]}),
        })
    return out


def _device_names(conn: Connection, ids: set[str]) -> dict[str, str]:
    """Enrolled devices' names (as given at enrolment) by id: the history names devices, not ids."""
    found: dict[str, str] = {}
    wanted = sorted(ids)
    for start in range(0, len(wanted), 500):
        part = wanted[start:start + 500]
        found.update({r.id: r.name for r in conn.execute(select(t.devices.c.id, t.devices.c.name)
                                                         .where(t.devices.c.id.in_(part))) if r.name})
    return found
