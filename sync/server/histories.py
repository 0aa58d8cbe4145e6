"""Each case's history (events) and documents as the laptop stores them, for a page of the feed.

``snapshots`` (sync.server.ops) puts them into whole records; a *history page* (``GET /changes?history=true``)
sends only them: what a light first pull left out, for the laptop's second pass (docs/sync.md)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from sync.server import storage as t

CHUNK = 500  # ids per IN (...)
HISTORY_COLUMNS = (t.cases.c.id, t.cases.c.deleted)  # what a history page reads of the feed's cases
_EVENT_COLUMNS = (t.case_events.c.case_id, t.case_events.c.action, t.case_events.c.from_status,
                  t.case_events.c.to_status, t.case_events.c.actor, t.case_events.c.device, t.case_events.c.reason,
                  t.case_events.c.at, t.case_events.c.received_at, t.case_events.c.details)


def events_and_documents(conn: Connection, ids: list[str]) -> tuple[dict[str, list[dict[str, Any]]],
                                                                    dict[str, list[dict[str, Any]]]]:
    events: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    docs: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        for case_id, action, src, dst, actor, device, reason, at, received_at, details, device_name in conn.execute(
                select(*_EVENT_COLUMNS, t.devices.c.name).outerjoin(t.devices, t.devices.c.id == t.case_events.c.device)
                .where(t.case_events.c.case_id.in_(chunk)).order_by(t.case_events.c.id)):
            events[case_id].append({"action": action, "from": src, "to": dst, "actor": actor, "device": device,
                                    "device_name": device_name, "reason": reason, "at": at,
                                    "received_at": received_at, "details": json.loads(details) if details else None})
        for a in conn.execute(select(t.attachments).where(t.attachments.c.case_id.in_(chunk))
                              .order_by(t.attachments.c.id)):
            docs[a.case_id].append({"doc_code": a.doc_code, "sha256": a.sha256, "filename": a.filename,
                                    "size": a.size, "mime": a.mime, "added_by": a.added_by, "added_at": a.added_at})
    return events, docs


def histories(conn: Connection, rows: list[Any]) -> list[dict[str, Any]]:
    """The feed rows' history records: ``id``, ``seq``, ``deleted``, ``events``, ``documents`` (a deleted
    case's lists are empty: the laptop has already removed it)."""
    live = [r.id for r in rows if not r.deleted]
    events, docs = events_and_documents(conn, live)
    return [{"id": r.id, "seq": r.feed_seq, "deleted": bool(r.deleted), "events": events.get(r.id, []),
             "documents": docs.get(r.id, [])} for r in rows]
