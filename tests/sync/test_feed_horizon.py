"""The change feed without a locked counter: pushes commit side by side on PostgreSQL, and a puller still never
misses a change that commits after one it has already seen (the cursor is (transaction, sequence), and a pull
returns only transactions older than every one still running). On SQLite writers take turns anyway."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, insert, text

from support.ops import create_ops
from support.pg import Cluster
from sync.protocol import Op, parse_cursor
from sync.server import migrate
from sync.server import storage as t
from sync.server.core import Server
from sync.server.ops import bump_feed
from sync.server.storage import create_schema, make_engine

OFFICE = "35.73.02.1008"


def _ops(n: int, name: str = "Warga") -> list[Op]:
    return create_ops(n, name)


def _ids(ops: list[Op]) -> list[str]:
    return sorted(str(op["case_id"]) for op in ops)


def _engine(backend: str, tmp_path: Any, request: pytest.FixtureRequest) -> Engine:
    if backend == "postgres":
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        return make_engine(cluster.create_database())
    return make_engine(f"sqlite:///{tmp_path / 'server.db'}")


class Office:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.srv = Server.open(engine)
        self.srv.init()
        self.srv.add_user("siti", "Siti", "petugas", OFFICE)
        self.writer = self.srv.authenticate(self.srv.enroll(self.srv.enrolment_code("siti"), "w")["token"])
        code = self.srv.add_user("bambang", "Bambang", "verifikator", OFFICE)
        self.reader = self.srv.authenticate(self.srv.enroll(code, "r")["token"])

    def pull_all(self, cursor: str = "0", limit: int = 2000) -> tuple[list[str], str]:
        seen: list[str] = []
        while True:
            page = self.srv.changes(self.reader, cursor, limit)
            seen += [c["id"] for c in page["changes"]]
            cursor = page["cursor"]
            if not page["more"]:
                return seen, cursor


@pytest.fixture
def office(backend: str, tmp_path: Any, request: pytest.FixtureRequest) -> Iterator[Office]:
    made = Office(_engine(backend, tmp_path, request))
    yield made
    made.engine.dispose()


def _open_push(office: Office, ops: list[Op], bumped: threading.Event, release: threading.Event) -> None:
    """A push that records its feed position, then stays open until ``release``."""
    with office.engine.begin() as conn:
        _results, touched = office.srv.applier.apply_batch(conn, office.writer, ops)
        bump_feed(conn, touched)
        bumped.set()
        release.wait(20)


@pytest.mark.postgres
def test_pushes_commit_side_by_side_and_the_puller_misses_nothing(pg_cluster: Cluster) -> None:
    """The earlier push stays open while a later one commits (its sequence numbers are higher): the later one
    is not held up by the earlier one, and a puller polling between them still gets both."""
    office = Office(make_engine(pg_cluster.create_database()))
    early, late = _ops(5, "Awal"), _ops(5, "Akhir")
    bumped, release = threading.Event(), threading.Event()
    slow = threading.Thread(target=_open_push, args=(office, early, bumped, release))
    slow.start()
    assert bumped.wait(20)
    seen: list[str] = []
    cursor = "0"
    started = time.monotonic()
    office.srv.push(office.writer, late)  # committed while the earlier push is still open
    waited = time.monotonic() - started
    for _ in range(5):  # a puller between the two commits: the later push is not shown before the earlier one
        page = office.srv.changes(office.reader, cursor)
        assert page["changes"] == [] and page["more"] is False
        cursor = page["cursor"]
    release.set()
    slow.join(20)
    more, cursor = office.pull_all(cursor)
    seen += more
    assert waited < 5, f"the later push waited {waited:.1f} s for the earlier one's commit"
    assert sorted(seen) == sorted(op["case_id"] for op in early + late), "the puller missed a change"
    assert sorted(seen[:5]) == _ids(early), "the earlier transaction comes first in the feed"
    office.engine.dispose()


def test_a_page_can_end_inside_one_transaction(office: Office) -> None:
    ops = _ops(7)
    office.srv.push(office.writer, ops)
    seen: list[str] = []
    cursors: list[tuple[int, int]] = []
    cursor = "0"
    while True:
        page = office.srv.changes(office.reader, cursor, 3)
        seen += [c["id"] for c in page["changes"]]
        cursor = page["cursor"]
        cursors.append(parse_cursor(cursor))
        if not page["more"]:
            break
    assert sorted(seen) == sorted(op["case_id"] for op in ops) and len(seen) == len(set(seen))
    assert cursors == sorted(cursors) and len(cursors) >= 3


def test_a_case_touched_twice_comes_once_at_its_newest_place(office: Office) -> None:
    first, second = _ops(1), _ops(1)
    office.srv.push(office.writer, first)
    office.srv.push(office.writer, second)
    case_id = first[0]["case_id"]
    edit: Op = {"op_id": str(uuid.uuid4()), "kind": "case.edit", "case_id": case_id, "base_version": 1,
                "payload": {"fields": {"alamat": "Jl. Ijen 5"}}}
    assert office.srv.push(office.writer, [edit])[0]["status"] == "applied"
    seen, _cursor = office.pull_all()
    assert seen == [second[0]["case_id"], case_id]


def test_an_aborted_push_leaves_no_trace_and_no_hole(office: Office) -> None:
    _seen, cursor = office.pull_all()
    with office.engine.connect() as conn, conn.begin() as tx:
        _results, touched = office.srv.applier.apply_batch(conn, office.writer, _ops(3))
        bump_feed(conn, touched)
        tx.rollback()
    after = _ops(2)
    office.srv.push(office.writer, after)
    seen, _cursor = office.pull_all(cursor)
    assert sorted(seen) == _ids(after)


@pytest.mark.postgres
def test_a_long_transaction_holds_pulls_back_without_losing_anything(pg_cluster: Cluster) -> None:
    """A transaction that has written and stays open: later commits wait in the feed (never skipped), the
    cursor does not move past them, and the two servers of one database agree."""
    engine = make_engine(pg_cluster.create_database())
    office = Office(engine)
    other = Server.open(engine)  # a second instance on the same database
    bumped, release = threading.Event(), threading.Event()
    held = _ops(2, "Lama")
    slow = threading.Thread(target=_open_push, args=(office, held, bumped, release))
    slow.start()
    assert bumped.wait(20)
    later = _ops(3, "Baru")
    other.push(office.writer, later)
    page = office.srv.changes(office.reader, "0")
    assert page["changes"] == [] and page["cursor"] == "0"
    release.set()
    slow.join(20)
    seen, _cursor = office.pull_all()
    assert sorted(seen[:2]) == _ids(held) and sorted(seen[2:]) == _ids(later)
    engine.dispose()


def test_a_laptops_integer_cursor_keeps_working(backend: str, tmp_path: Any, request: pytest.FixtureRequest
                                                 ) -> None:
    """Cases fed by the old counter keep their order; an old integer cursor n means (0, n) and what changed
    after the upgrade comes after every old case."""
    engine = _engine(backend, tmp_path, request)
    migrate.upgrade(engine, "s0009_handover")
    old = [str(uuid.uuid4()) for _ in range(3)]
    with engine.begin() as conn:
        conn.execute(insert(t.feed_counter).values(id=1, value=30))
        for i, cid in enumerate(old):
            conn.execute(text(
                "INSERT INTO cases (id, service, office, signer_office, nik, name, status, fields, field_versions,"
                " version, created_at, updated_at, created_by, device, due_date, deleted, feed_seq) VALUES (:id,"
                " 'SKD', :office, :office, '3573015708900003', :name, 'draft', '{}', '{}', 1, '2026-11-01T08:00:00Z',"
                " '2026-11-01T08:00:00Z', 'siti', 'd', '2026-11-05', false, :seq)"),
                {"id": cid, "office": OFFICE, "name": f"Lama {i}", "seq": 10 * (i + 1)})
    create_schema(engine)
    office = Office(engine)
    new = _ops(2)
    office.srv.push(office.writer, new)
    seen, _cursor = office.pull_all("10")  # a laptop that had pulled the first old case
    assert seen[:2] == old[1:] and sorted(seen[2:]) == _ids(new)
    seen, _cursor = office.pull_all(str(30))
    assert sorted(seen) == _ids(new)
    everything, _cursor = office.pull_all("0")
    assert everything[:3] == old and sorted(everything[3:]) == _ids(new)
    with engine.connect() as conn:  # the new changes numbered above the old counter
        assert conn.execute(text("SELECT MIN(feed_seq) FROM cases WHERE name LIKE 'Warga%'")).scalar_one() > 30
    engine.dispose()


@pytest.mark.parametrize("bad", ["", "x", "-1", "1:", ":1", "1:2:3", "1.5", "9" * 30, "1:-2", " 1"])
def test_a_malformed_cursor_is_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_cursor(bad)


def test_cursor_forms() -> None:
    assert parse_cursor("0") == (0, 0) and parse_cursor("42") == (0, 42)
    assert parse_cursor("7450012:99") == (7450012, 99)
