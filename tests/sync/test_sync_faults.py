"""Sync on bad days: killed mid-run, replayed requests, out-of-order commits on PostgreSQL."""

from __future__ import annotations

import random
import signal
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from support.ops import create_ops
from support.pg import Cluster
from support.server import Laptop, ServerProcess
from support.store_keys import open_store
from sync.protocol import Op


def _csv(path: Path, rows: int, seed: int) -> Path:
    rnd = random.Random(seed)
    lines = ["nik,name,alamat,keperluan"]
    for n in range(rows):
        day = rnd.randint(1, 28)
        lines.append(f"35730{rnd.randint(1, 5)}{day:02d}0{rnd.randint(1, 9)}8{rnd.randint(0, 9)}{n + 1:04d},"
                     f"Warga {n},Jl. Ijen {n},Keperluan {n}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("backend", ["sqlite"])
def test_sync_killed_at_many_points_then_resumed(laptop: Callable[..., Laptop], server: ServerProcess,
                                                 tmp_path: Path) -> None:
    siti = laptop("siti", subprocess=True)
    report = siti.ok("import", str(_csv(tmp_path / "warga.csv", 1500, seed=7)), "--service", "SKD")
    assert report["imported"] == 1500 and not report["rejected"]
    rnd = random.Random(2026)
    kills = 0
    for attempt in range(8):
        proc = siti.popen("sync")
        time.sleep(rnd.uniform(0.3, 1.5))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        if attempt == 3:  # once, kill the server too, mid-request, and bring it back
            server.stop(signal.SIGKILL)
            server.start()
    final = siti.ok("sync")
    assert final["pending"] == 0 and final["rejected"] == 0
    assert kills >= 3, "the harness must really interrupt runs"
    local = open_store(siti.profile / "loket.db")
    assert local.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert local.execute("SELECT count(*) FROM outbox WHERE state != 'done'").fetchone()[0] == 0
    on_server = server.all_cases(server.token("bambang"))
    ids = [c["id"] for c in on_server]
    assert len(ids) == len(set(ids)) == 1500
    local_ids = {r[0] for r in local.execute("SELECT id FROM cases")}
    assert set(ids) == local_ids
    assert all(c["events"] == [] and c["version"] == 1 for c in on_server), "no op applied twice"


def _ops(n: int) -> list[Op]:
    return create_ops(n, "Replay")


def test_replaying_a_batch_100_times_has_one_effect(server: ServerProcess) -> None:
    token = server.token("siti")
    headers = {"Authorization": f"Bearer {token}"}
    batch = _ops(20)
    first = requests.post(f"{server.url}/api/v1/push", json={"ops": batch}, headers=headers, timeout=30).json()
    assert all(r["status"] == "applied" for r in first["results"])
    with requests.Session() as http:
        for _ in range(99):
            again = http.post(f"{server.url}/api/v1/push", json={"ops": batch}, headers=headers, timeout=30).json()
            assert again == first
    cases = server.all_cases(token)
    assert len(cases) == 20
    reused = dict(batch[0], payload={"case": dict(batch[0]["payload"]["case"], name="Changed")})
    answer = requests.post(f"{server.url}/api/v1/push", json={"ops": [reused]}, headers=headers, timeout=30).json()
    assert answer["results"][0]["status"] == "rejected" and answer["results"][0]["errno"] == 106


@pytest.mark.postgres
def test_feed_never_skips_when_commits_come_out_of_order(pg_cluster: Cluster) -> None:
    from sync.server.core import Server
    from sync.server.ops import bump_feed
    from sync.server.storage import make_engine

    engine = make_engine(pg_cluster.create_database())
    srv = Server.open(engine)
    srv.init()
    srv.add_user("siti", "Siti", "petugas", "35.73.02.1008")
    ctx = srv.authenticate(srv.enroll(srv.enrolment_code("siti"), "t")["token"])
    reader = srv.authenticate(srv.enroll(srv.add_user("bambang", "B", "verifikator", "35.73.02.1008"), "r")["token"])

    a_bumped = threading.Event()
    release_a = threading.Event()

    def slow_writer() -> None:  # takes its feed numbers first, commits last
        with engine.begin() as conn:
            _results, touched = srv.applier.apply_batch(conn, ctx, _ops(5))
            bump_feed(conn, touched)
            a_bumped.set()
            release_a.wait(10)

    def fast_writer() -> None:  # starts later, would commit first if nothing stopped it
        a_bumped.wait(10)
        srv.push(ctx, _ops(5))

    seen: list[str] = []
    cursor = 0
    threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
    for th in threads:
        th.start()
    a_bumped.wait(10)
    deadline = time.monotonic() + 3
    while time.monotonic() < deadline:  # a reader polling the feed the whole time
        page = srv.changes(reader, cursor)
        seen += [c["id"] for c in page["changes"]]
        cursor = page["cursor"]
        if time.monotonic() > deadline - 2.5:
            release_a.set()
        time.sleep(0.02)
    for th in threads:
        th.join(10)
    page = srv.changes(reader, cursor)
    seen += [c["id"] for c in page["changes"]]
    everything = srv.changes(reader, 0, 100)["changes"]
    assert len(everything) == 10
    assert sorted(seen) == sorted(c["id"] for c in everything), "the incremental reader missed a change"
    engine.dispose()
