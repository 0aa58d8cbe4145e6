"""Reads for the GUI and the CLI: the case list (how its SQL is planned), one case, the counts. The views
and commands ask here instead of opening storage sessions themselves.

The case list's plan (``repo`` spells the SQL):
- the first page first, the total next (the model counts while the page is painted);
- a page in the second half of a long list is read backwards with a small OFFSET from the end, then flipped
  (SQLite walks every skipped row of an OFFSET);
- a text search with few hits in the trigram search index (``cases_search``) takes them by rowid and sorts
  them; a common one walks the sort index under a budget with the index's rowid set as a filter (it fills a
  page after a few thousand entries), and counts its hits as all hits minus those at other offices.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from sqlalchemy.orm import Session

from app.services.workspace import Workspace
from app.storage import meta, replica, repo
from app.storage.models import Case
from app.storage.repo import CaseQuery

__all__ = ["CaseQuery", "case_count", "case_page", "cases_by_id", "find_case", "first_page", "last_sync",
           "open_duplicates", "outbox_counts", "shown_ids", "status_counts"]


def case_page(ws: Workspace, q: CaseQuery, offset: int, limit: int, total: int | None = None) -> list[Case]:
    """One page of the list (``total``, when known, lets a page near the end be read backwards)."""
    with ws.db.read() as s:
        if total is not None and offset > total // 2:
            size = max(0, min(limit, total - offset))
            back = replace(q, descending=not q.descending)
            return list(reversed(_page(s, back, max(0, total - offset - size), size)))
        return _page(s, q, offset, limit)


def _page(s: Session, q: CaseQuery, offset: int, limit: int) -> list[Case]:
    """The list's own filters (office, status, service, no search) walk the sort index first, under a budget:
    SQLite's planner otherwise takes the office index and sorts all of the office's cases (4.4 s for 800,000)
    to return 200 of them. A filter that matches too few cases for the walk falls back to the planner."""
    if not (q.search or q.next_offices is not None or q.duties is not None or q.overdue_before):
        walked = repo.list_cases_within(s, q, offset, limit)
        if walked is not None:
            return walked
    return repo.list_cases(s, q, offset, limit)


def first_page(ws: Workspace, q: CaseQuery, limit: int) -> tuple[int | None, list[Case]]:
    """The first page, and the total when it comes cheaply (a short page, or a search that counts its hits in
    the same statement); else None, and the caller counts next (:func:`case_count`)."""
    if repo.text_search(q):
        with ws.db.read() as s:
            if repo.few_hits(s, q):  # a rare name: its hits from the search index, sorted, and their number
                cases, total = repo.page_with_total(s, q, 0, limit)
                return total, cases
            quick = repo.list_cases_within(s, q, 0, limit)  # a common one: the sort index finds a page quickly
            if quick is not None:
                return (len(quick) if len(quick) < limit else None), quick
        with ws.db.read() as s:
            cases, total = repo.page_with_total(s, q, 0, limit)
            return total, cases
    cases = case_page(ws, q, 0, limit)
    return (len(cases) if len(cases) < limit else None), cases


def case_count(ws: Workspace, q: CaseQuery) -> int:
    with ws.db.read() as s:
        if repo.text_search(q) and not repo.few_hits(s, q):
            common = repo.count_common_hits(s, q)  # by difference, from indexes only
            if common is not None:
                return common
        return repo.count_cases(s, q)


def status_counts(ws: Workspace) -> dict[str, int]:
    with ws.db.read() as s:
        return repo.status_counts(s)


def outbox_counts(ws: Workspace) -> dict[str, int]:
    """Ops per outbox state (``pending``, ``done``, ``rejected``…) and ``conflicts`` still open."""
    with ws.db.read() as s:
        return replica.counts(s)


def open_duplicates(ws: Workspace, nik: str, service: str, *, besides: str | None = None) -> int:
    """How many open cases of ``service`` this NIK has (other than ``besides``)."""
    with ws.db.read() as s:
        return len([c for c in repo.open_cases_for(s, nik, service) if c.id != besides])


def find_case(ws: Workspace, ident: str) -> Case | None:
    """The one case ``ident`` names (an id or its first characters), or None."""
    with ws.db.read() as s:
        found = repo.find_case(s, ident)
    return found[0] if len(found) == 1 else None


def cases_by_id(ws: Workspace, ids: Iterable[str]) -> dict[str, Case]:
    with ws.db.read() as s:
        return {c.id: c for c in repo.iter_ids(s, ids)}


def last_sync(ws: Workspace) -> str | None:
    with ws.db.read() as s:
        return meta.last_sync(s)


CHUNK = 500  # ids per query, well under SQLite's limit of bound parameters


def shown_ids(ws: Workspace, case_ids: Iterable[str]) -> dict[str, str]:
    """Each case as people name it: its registration number, or its id's first 8 characters before it has one
    (or when this laptop does not hold it)."""
    wanted = list(dict.fromkeys(case_ids))
    names = {case_id: case_id[:8] for case_id in wanted}
    with ws.db.read() as s:
        for start in range(0, len(wanted), CHUNK):
            names.update(repo.reg_numbers(s, wanted[start:start + CHUNK]))
    return names
