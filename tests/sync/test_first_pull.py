"""A laptop's first pull, in-process against a feed held in memory: light pages of 5,000 on one kept
connection, the list indexes built after the last page, then the history pass with whole records."""

from __future__ import annotations

from typing import Any

from app.services import queries
from app.services.workspace import Actor, Workspace
from app.storage import meta
from sync.engine import FIRST_PULL_LIMIT, SyncEngine, SyncReport
from sync.protocol import PULL_LIMIT, START_CURSOR, format_cursor, parse_cursor

CASES = 5_600  # two light pages, three whole ones


def _record(i: int, office: str) -> dict[str, Any]:
    return {"id": f"00000000-0000-4000-8000-{i:012d}", "seq": i + 1, "deleted": False, "service": "SKD",
            "office": office, "nik": "3573015708900003", "name": f"Warga {i}", "fields": {"alamat": f"Jl. Ijen {i}"},
            "status": "submitted", "version": 2, "created_at": "2026-11-27T08:00:00Z",
            "updated_at": "2026-11-27T08:00:00Z", "created_by": "siti", "device": "d1", "device_name": "Loket 1",
            "due_date": "2026-11-30", "steps": [], "next_office": None, "conflicts": [],
            "events": [{"action": "create", "from": None, "to": "draft", "actor": "siti", "device": "d1",
                        "at": "2026-11-27T08:00:00Z"},
                       {"action": "submit", "from": "draft", "to": "submitted", "actor": "siti", "device": "d1",
                        "at": "2026-11-27T08:01:00Z"}],
            "documents": []}


class Feed:
    """The server's ``GET /changes`` over a fixed list of records; notes what each call asked for."""

    def __init__(self, office: str) -> None:
        self.records = [_record(i, office) for i in range(CASES)]
        self.asked: list[tuple[str, int, bool]] = []

    def changes(self, since: str, limit: int, *, light: bool = False) -> dict[str, Any]:
        self.asked.append((since, limit, light))
        start = parse_cursor(since)[1]
        page = self.records[start:start + limit]
        if light:
            page = [{k: v for k, v in r.items() if k not in ("events", "documents")} for r in page]
        end = start + len(page)
        return {"changes": page, "cursor": format_cursor(0, end), "more": end < len(self.records),
                "delegations": []}


def _events(ws: Workspace) -> int:
    with ws.db.read() as s:
        return int(s.connection().exec_driver_sql("SELECT count(*) FROM case_events").scalar_one())


def test_a_first_pull_takes_light_pages_then_the_history(ws: Workspace, petugas: Actor) -> None:
    feed = Feed(petugas.office)
    engine = SyncEngine(ws, clients={"petugas": feed})  # type: ignore[dict-item]
    with ws.db.read() as s:
        indexes = {r[0] for r in s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'cases' AND sql IS NOT NULL")}
    report = SyncReport()
    engine._pull("petugas", report)
    assert report.pulled == CASES
    assert feed.asked == [(START_CURSOR, FIRST_PULL_LIMIT, True), (format_cursor(0, FIRST_PULL_LIMIT),
                                                                    FIRST_PULL_LIMIT, True)]
    with ws.db.read() as s:
        assert meta.pull_cursor(s, "petugas") == format_cursor(0, CASES)
        assert not meta.list_indexes_deferred(s)
        assert {r[0] for r in s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'cases' AND sql IS NOT NULL")} == indexes
    assert _events(ws) == 0  # the list is there; the history follows
    assert queries.case_count(ws, queries.CaseQuery(search="Warga 5599")) == 1

    feed.asked.clear()
    engine._pull_history("petugas", pages=2)  # a sync run takes a few pages of it
    assert feed.asked == [(START_CURSOR, PULL_LIMIT, False), (format_cursor(0, PULL_LIMIT), PULL_LIMIT, False)]
    assert _events(ws) == 2 * 2 * PULL_LIMIT
    engine._pull_history("petugas")  # the next run finishes it
    assert _events(ws) == 2 * CASES
    with ws.db.read() as s:
        assert meta.history_cursor(s, "petugas") is None

    feed.asked.clear()
    engine._pull("petugas", SyncReport())  # later pulls: whole records from the cursor, ordinary pages
    assert feed.asked == [(format_cursor(0, CASES), PULL_LIMIT, False)]
