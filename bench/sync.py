"""Sync benchmark on loopback, against the real server in a subprocess.

  initial pull of N cases into an empty laptop      target ≥ 10,000 cases/s
  push of M cases created offline                    target ≤ 3 s for 10,000
  no-op sync with N local cases                      target one round trip, ≤ 100 ms
  the history pass after the light first pull        in the first runs; the whole-record pass beside it

Each is compared with a raw sqlite3 executemany of the same case rows measured in the same run.
With ``--cli`` it also times real ``loket-cli sync`` processes: the initial pull of all cases into a new
laptop, then the push of ``--cli-push`` cases created offline on it (run it under ``tools/with-keyring``: the
processes read the device token from the session's keyring).
Usage: python bench/sync.py [--cases 100000] [--push 10000] [--events 2] [--database-url URL]
                            [--cli [--cli-push 100000]]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import keyring  # noqa: E402

from support.memory_keyring import MemoryKeyring  # noqa: E402


def seed_server(url: str, n: int, office: str, events: int = 2) -> None:
    """Put n cases, each with ``events`` history entries (edits), straight into the server's database (setup,
    not measured)."""
    from sqlalchemy import update

    from sync.server import storage as t
    from sync.server.storage import make_engine

    engine = make_engine(url)
    fields = json.dumps({"alamat": "Jl. Ijen 5", "keperluan": "Melamar kerja", "tempat_lahir": "Malang"})
    versions = json.dumps({"alamat": [1, "seed"], "keperluan": [1, "seed"], "tempat_lahir": [1, "seed"]})
    with engine.begin() as conn:
        for start in range(0, n, 10_000):
            rows = [{"id": str(uuid.uuid4()), "service": "SKD", "office": office, "signer_office": office,
                     "nik": f"3573015708{90 + i % 10:02d}{(i % 9999) + 1:04d}", "name": f"Warga {i}",
                     "fields": fields, "field_versions": versions, "status": "draft", "version": 1,
                     "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z",
                     "created_by": "siti", "device": "seed", "due_date": "2026-11-30", "deleted": False,
                     "feed_seq": i + 1} for i in range(start, min(n, start + 10_000))]
            conn.execute(t.cases.insert(), rows)
            if events:
                conn.execute(t.case_events.insert(), [
                    {"case_id": r["id"], "action": "edit", "from_status": "draft", "to_status": "draft",
                     "actor": "siti", "device": "seed", "at": f"2026-11-27T08:0{k}:00Z",
                     "received_at": f"2026-11-27T08:0{k}:01Z"} for r in rows for k in range(events)])
        conn.execute(update(t.feed_counter).values(value=n))
    engine.dispose()


def raw_insert(n: int, folder: Path) -> float:
    from app.storage.db import Database, open_store
    from app.storage.repo import CASE_COLUMNS

    db = Database(folder / "raw.db")
    db.close()
    rows = [(str(uuid.uuid4()), "SKD", "35.73.02.1008", "3573015708900003", f"Warga {i}",
             '{"alamat":"Jl. Ijen 5"}', "draft", 1, 1, "2026-11-27T08:00:00Z", "2026-11-27T08:00:00Z", "siti",
             "seed", "2026-11-30", None, None) for i in range(n)]
    con = open_store(folder / "raw.db")  # the app's store is SQLCipher: the baseline writes the same file
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")
    sql = f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('?' * len(CASE_COLUMNS))})"
    start = time.perf_counter()
    with con:
        con.executemany(sql, rows)
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--push", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2, help="history entries per seeded case")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--cli", action="store_true")
    parser.add_argument("--cli-push", type=int, default=100_000)
    args = parser.parse_args()
    if not args.cli:
        keyring.set_keyring(MemoryKeyring())
    load = os.getloadavg()[0]

    from app.services import importer
    from app.services.workspace import Workspace
    from support.server import ServerProcess
    from sync.client import SyncClient
    from sync.engine import SyncEngine
    from sync.enroll import enroll

    office = "35.73.02.1008"
    work = Path(tempfile.mkdtemp(prefix="loket-bench-"))
    srv = ServerProcess(work / "server", args.database_url)
    srv.data.mkdir()
    srv.init_demo()
    seed_server(args.database_url or f"sqlite:///{srv.data / 'loket-server.db'}", args.cases, office,
                args.events)
    srv.start()
    try:
        results = []
        raw_pull = raw_insert(args.cases, work)
        ws = Workspace(work / "laptop")
        enroll(ws, srv.url, srv.codes["siti"])
        requests_seen: list[str] = []  # this run's
        history_trips = [0]  # every history page asked for, from the first run on
        counting = SyncClient(srv.url, ws_token(ws))
        original = counting.http.request

        def counted(method: str, url: str, **kw):  # type: ignore[no-untyped-def]
            requests_seen.append(f"{method} {url}")
            history_trips[0] += "history" in (kw.get("params") or {})
            return original(method, url, **kw)

        counting.http.request = counted  # type: ignore[method-assign]
        history_time = [0.0]

        def engine() -> SyncEngine:
            """A sync engine on the counting client whose history pass is timed."""
            e = SyncEngine(ws, clients={"siti": counting})
            inner = e._pull_history

            def timed(username: str) -> None:
                begun = time.perf_counter()
                try:
                    inner(username)
                finally:
                    history_time[0] += time.perf_counter() - begun

            e._pull_history = timed  # type: ignore[method-assign]
            return e

        start = time.perf_counter()
        if os.environ.get("LOKET_BENCH_PROFILE"):
            import cProfile
            import pstats
            profiler = cProfile.Profile()
            report = profiler.runcall(engine().run)
            pstats.Stats(profiler).sort_stats("tottime").print_stats(12)
        else:
            report = engine().run()
        pull = time.perf_counter() - start
        assert report.pulled == args.cases, report
        in_first = history_time[0]
        results.append(("initial pull (sync run)", args.cases, pull, args.cases / pull, raw_pull))
        results.append(("  of which history pass", args.cases, in_first, None, None))

        requests_seen.clear()
        start = time.perf_counter()
        engine().run()
        results.append(("sync right after 1st pull", args.cases, time.perf_counter() - start, len(requests_seen),
                        None))
        runs = 2
        while history_left(ws):
            engine().run()
            runs += 1
        results.append((f"history pass ({runs} runs)", args.cases, history_time[0],
                        f"{history_trips[0]} trip(s), {args.cases / history_time[0]:,.0f} cases/s", None))
        old_time, old_trips = whole_record_history(ws, counting)
        results.append(("history, whole records 2000", args.cases, old_time,
                        f"{old_trips} trip(s), {args.cases / old_time:,.0f} cases/s", None))

        best = float("inf")
        for _ in range(5):
            requests_seen.clear()
            start = time.perf_counter()
            SyncEngine(ws, clients={"siti": counting}).run()
            best = min(best, time.perf_counter() - start)
        results.append(("no-op sync (history done)", args.cases, best, len(requests_seen), None))
        best = float("inf")
        for _ in range(5):  # as before the look for missing bytes was skipped: the same run's baseline
            forget_blob_look(ws)
            requests_seen.clear()
            start = time.perf_counter()
            SyncEngine(ws, clients={"siti": counting}).run()
            best = min(best, time.perf_counter() - start)
        results.append(("  no-op, looking for bytes", args.cases, best, len(requests_seen), None))

        other = Workspace(work / "offline")
        enroll(other, srv.url, srv.code("siti"))
        actor = other.actor()
        rows = [("3573015708900003", f"Offline {i}", {"alamat": f"Jl. Semeru {i}"}) for i in range(args.push)]
        importer.create_many(other, actor, "SKD", rows)
        raw_push = raw_insert(args.push, Path(tempfile.mkdtemp(dir=work)))
        from sync.engine import SyncReport

        pushed = SyncReport()
        start = time.perf_counter()
        SyncEngine(other).push(pushed)
        push = time.perf_counter() - start
        assert pushed.pushed == args.push and pushed.rejected == 0, pushed.as_dict()
        results.append(("push offline cases", args.push, push, args.push / push, raw_push))
        if args.cli:
            results += cli_runs(srv, work, args.cases + args.push, args.cli_push)
    finally:
        srv.stop()

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, server DB {'PostgreSQL' if args.database_url else 'SQLite'}, "
          f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    print(f"{'scenario':28} {'rows':>8} {'seconds':>8} {'rate/s or trips':>30} {'raw insert s':>13} {'ratio':>7}")
    for name, n, secs, rate, raw in results:
        ratio = f"{raw / secs:.2f}" if raw else "-"
        raw_text = f"{raw:.3f}" if raw else "-"
        rate_text = (f"{rate:,.0f}" if raw else "-" if rate is None else rate if isinstance(rate, str)
                     else f"{rate} trip(s)")
        print(f"{name:28} {n:>8} {secs:>8.3f} {rate_text:>30} {raw_text:>13} {ratio:>7}")


def forget_blob_look(ws) -> None:  # type: ignore[no-untyped-def]
    from app.storage import meta

    with ws.db.write() as s:
        meta.set_blobs_complete(s, None)


def history_left(ws) -> bool:  # type: ignore[no-untyped-def]
    from app.storage import meta

    with ws.db.read() as s:
        return meta.history_cursor(s, "siti") is not None


def whole_record_history(ws, client) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    """The history pass as it was before history pages, for comparison in the same run: whole records, pages
    of 2000, one after the other (each fetched, then applied), from cursor 0 to the feed's cursor."""
    from app.storage import meta, replica
    from sync.protocol import PULL_LIMIT, START_CURSOR, parse_cursor

    with ws.db.read() as s:
        end = parse_cursor(meta.pull_cursor(s, "siti"))
    cursor, trips = START_CURSOR, 0
    start = time.perf_counter()
    with ws.db.write_batches() as batch:
        while True:
            page = client.changes(cursor, PULL_LIMIT)
            trips += 1
            with batch() as s:
                replica.apply_snapshots(s, page["changes"])
            cursor = page["cursor"]
            if not page.get("more") or parse_cursor(cursor) >= end:
                return time.perf_counter() - start, trips


def cli_sync(profile: Path) -> tuple[float, dict[str, object]]:
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "ui.cli", "--profile", str(profile), "--json", "sync"], cwd=ROOT,
                          capture_output=True, text=True, timeout=3600)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"loket-cli sync failed: {proc.stdout}\n{proc.stderr}")
    return elapsed, json.loads(proc.stdout)


def cli_runs(srv, work: Path, on_server: int, push: int) -> list[tuple[str, int, float, float, float | None]]:  # type: ignore[no-untyped-def]
    """Real ``loket-cli sync`` processes: a new laptop's first sync, then a sync pushing ``push`` offline cases."""
    from app.services import importer
    from app.services.workspace import Workspace
    from sync.enroll import enroll

    profile = work / "cli-laptop"
    ws = Workspace(profile)
    enroll(ws, srv.url, srv.code("siti"))
    ws.close()
    pull_s, report = cli_sync(profile)
    assert report["pulled"] == on_server, report
    raw_pull = raw_insert(on_server, Path(tempfile.mkdtemp(dir=work)))
    out: list[tuple[str, int, float, float, float | None]] = [
        ("loket-cli sync: initial pull", on_server, pull_s, on_server / pull_s, raw_pull)]
    ws = Workspace(profile)
    rows = [("3573015708900003", f"CLI {i}", {"alamat": f"Jl. Bromo {i}"}) for i in range(push)]
    importer.create_many(ws, ws.actor(), "SKD", rows)
    ws.close()
    raw_push = raw_insert(push, Path(tempfile.mkdtemp(dir=work)))
    push_s, report = cli_sync(profile)
    assert report["pushed"] == push and report["rejected"] == 0, report
    out.append(("loket-cli sync: push offline", push, push_s, push / push_s, raw_push))
    return out


def ws_token(ws) -> str:  # type: ignore[no-untyped-def]
    from sync import credentials

    token = credentials.load_token(ws.device_id, "siti")
    assert token
    return token


if __name__ == "__main__":
    main()
