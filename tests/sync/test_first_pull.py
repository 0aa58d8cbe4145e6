"""A laptop's first pull, in-process against a feed held in memory: light pages of 5,000 on one kept
connection, the list indexes built after the last page, then the history pass (history pages, or whole
records from a server that does not know them)."""

from __future__ import annotations

from typing import Any

from app.services import queries
from app.services.workspace import Actor, Workspace
from app.storage import meta
from sync.engine import FIRST_PULL_LIMIT, HISTORY_LIMIT, SyncEngine, SyncReport
from sync.protocol import PULL_LIMIT, START_CURSOR, format_cursor, parse_cursor

CASES = 12_600  # three light pages, three history pages


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

    knows_history = True  # a server of the previous version ignores ``history=true``: whole records

    def __init__(self, office: str) -> None:
        self.records = [_record(i, office) for i in range(CASES)]
        self.asked: list[tuple[str, int, str]] = []

    def changes(self, since: str, limit: int, *, light: bool = False, history: bool = False) -> dict[str, Any]:
        history = history and self.knows_history
        self.asked.append((since, limit, "light" if light else "history" if history else "whole"))
        start = parse_cursor(since)[1]
        page = self.records[start:start + limit]
        if light:
            page = [{k: v for k, v in r.items() if k not in ("events", "documents")} for r in page]
        if history:
            page = [{k: r[k] for k in ("id", "seq", "deleted", "events", "documents")} for r in page]
        end = start + len(page)
        return {"changes": page, "cursor": format_cursor(0, end), "more": end < len(self.records),
                "delegations": [], **({"history": True} if history else {})}


class OldFeed(Feed):
    knows_history = False


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
    assert feed.asked == [(format_cursor(0, n), FIRST_PULL_LIMIT, "light") for n in (0, 5000, 10000)]
    with ws.db.read() as s:
        assert meta.pull_cursor(s, "petugas") == format_cursor(0, CASES)
        assert not meta.list_indexes_deferred(s)
        assert {r[0] for r in s.connection().exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE tbl_name = 'cases' AND sql IS NOT NULL")} == indexes
    assert _events(ws) == 0  # the list is there; the history follows
    assert queries.case_count(ws, queries.CaseQuery(search="Warga 12599")) == 1

    feed.asked.clear()
    engine._pull_history("petugas", pages=2)  # a sync run takes what fits its time
    assert feed.asked == [(START_CURSOR, HISTORY_LIMIT, "history"), (format_cursor(0, HISTORY_LIMIT),
                                                                     HISTORY_LIMIT, "history")]
    assert _events(ws) == 2 * 2 * HISTORY_LIMIT
    with ws.db.read() as s:
        assert meta.history_cursor(s, "petugas") == format_cursor(0, 2 * HISTORY_LIMIT)
    engine._pull_history("petugas", budget=60.0)  # the next run finishes it (its budget: ample here)
    assert _events(ws) == 2 * CASES
    assert len(feed.asked) == 3
    with ws.db.read() as s:
        assert meta.history_cursor(s, "petugas") is None
        names = s.connection().exec_driver_sql("SELECT name FROM device_names WHERE id = 'd1'").scalar_one()
        assert names == "Loket 1"
    with ws.db.read() as s:  # the history pages touched no case: each is as the light pull wrote it
        row = s.connection().exec_driver_sql("SELECT name, status FROM cases WHERE name = 'Warga 7'").one()
        assert tuple(row) == ("Warga 7", "submitted")

    feed.asked.clear()
    engine._pull_history("petugas")  # finished: nothing asked any more
    engine._pull("petugas", SyncReport())  # later pulls: whole records from the cursor, ordinary pages
    assert feed.asked == [(format_cursor(0, CASES), PULL_LIMIT, "whole")]


def test_the_history_pass_stops_at_its_time_budget(ws: Workspace, petugas: Actor) -> None:
    feed = Feed(petugas.office)
    engine = SyncEngine(ws, clients={"petugas": feed})  # type: ignore[dict-item]
    engine._pull("petugas", SyncReport())
    feed.asked.clear()
    engine._pull_history("petugas", budget=0.0)  # one page, nothing fetched ahead
    assert feed.asked == [(START_CURSOR, HISTORY_LIMIT, "history")]
    with ws.db.read() as s:
        assert meta.history_cursor(s, "petugas") == format_cursor(0, HISTORY_LIMIT)


def test_a_server_without_history_pages_sends_whole_records(ws: Workspace, petugas: Actor) -> None:
    feed = OldFeed(petugas.office)
    engine = SyncEngine(ws, clients={"petugas": feed})  # type: ignore[dict-item]
    engine._pull("petugas", SyncReport())
    feed.asked.clear()
    seen: list[tuple[str, int, int]] = []
    engine.progress = lambda stage, done, total: seen.append((stage, done, total))
    engine._pull_history("petugas", budget=60.0)
    assert [kind for _, _, kind in feed.asked] == ["whole"] * 3
    assert _events(ws) == 2 * CASES
    assert seen[-1] == ("history", CASES, CASES)
    with ws.db.read() as s:
        assert meta.history_cursor(s, "petugas") is None


def test_a_history_page_leaves_waiting_and_unknown_cases_alone(ws: Workspace, petugas: Actor) -> None:
    from app.services import cases
    from app.storage import replica

    waiting = cases.create(ws, petugas, "SKD", "3573015708900003", "Setempat").id  # its create not pushed yet
    before = _events(ws)
    history = [{"action": "create", "from": None, "to": "draft", "actor": "siti", "device": "d1",
                "at": "2026-11-27T08:00:00Z"}]
    items = [{"id": "00000000-0000-4000-8000-999999999999", "seq": 1, "deleted": False, "documents": [],
              "events": history}, {"id": waiting, "seq": 2, "deleted": False, "documents": [], "events": history}]
    with ws.db.write() as s:
        assert replica.apply_histories(s, items) == 0  # never creates a case; a waiting one keeps its own
    assert _events(ws) == before
