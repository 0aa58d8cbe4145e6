"""Signed steps of approval chains on the server: what is recorded, and where a case stands.

A step before the chain's last (a Lurah's endorsement before the Camat signs) is recorded in
``approval_steps`` (see ``sync.server.recommendations``). Where a case stands is derived from those rows and
the case version (``app.domain.chain``); nothing else is stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, select

from app.domain import chain
from app.domain.catalog import Catalog, default_catalog
from app.domain.offices import OfficeDirectory, directory
from sync.server import storage as t


def load_steps(conn: Connection, case_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """The recorded signed steps of each case, oldest first, in the shape ``app.domain.chain`` reads."""
    ids = list(case_ids)
    out: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for r in conn.execute(select(t.approval_steps).where(t.approval_steps.c.case_id.in_(chunk))
                              .order_by(t.approval_steps.c.id)):
            out[r.case_id].append({"step": r.step, "office": r.office, "username": r.signer, "name": r.full_name,
                                   "position": r.position, "nip": r.nip, "at": r.at,
                                   "case_version": r.case_version, "event_hash": r.event_hash})
    return out


def next_office(row: Any, steps: list[dict[str, Any]], catalog: Catalog | None = None,
                offices: OfficeDirectory | None = None) -> str | None:
    """The office whose penandatangan the case waits for (None when it waits for no signature)."""
    service = (catalog or default_catalog()).services.get(row.service)
    if service is None:
        return None
    step = chain.next_step(service, row.office, row.status, row.version, steps, offices or directory())
    return step.office if step else None
