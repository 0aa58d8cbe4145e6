"""Small look-ups the GUI needs about cases, so a view or dialog never opens a storage session itself: how a
case is named to people, and whether a citizen already has an open request for a service."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select

from app.services.workspace import Workspace
from app.storage import repo
from app.storage.models import Case

CHUNK = 500  # ids per query, well under SQLite's limit of bound parameters


def shown_ids(ws: Workspace, case_ids: Iterable[str]) -> dict[str, str]:
    """Each case as people name it: its registration number, or its id's first 8 characters before it has one
    (or when this laptop does not hold it)."""
    wanted = list(dict.fromkeys(case_ids))
    names = {case_id: case_id[:8] for case_id in wanted}
    with ws.db.read() as s:
        for start in range(0, len(wanted), CHUNK):
            chunk = wanted[start:start + CHUNK]
            for case_id, reg_no in s.execute(select(Case.id, Case.reg_no).where(Case.id.in_(chunk))):
                if reg_no:
                    names[case_id] = reg_no
    return names


def open_requests(ws: Workspace, nik: str, service: str, *, besides: str | None = None) -> int:
    """How many requests for ``service`` by the holder of ``nik`` are still open on this laptop (``besides``:
    the case being edited, which does not count against itself)."""
    with ws.db.read() as s:
        return sum(1 for c in repo.open_cases_for(s, nik, service) if c.id != besides)
