"""Desktop client benchmark: the case list over 1,000,000 cases in the local store.

    python bench/ui.py [--rows 1000000] [--out bench/out]

Generates the store once (raw ``executemany`` into a database created by the app's ``Database``, so the schema,
the indexes and the encryption are exactly the app's; the store key is in the OS keyring, so on a headless
machine run it under ``tools/with-keyring``), then measures, offscreen: first paint of the case list, search / filter /
sort latency (query → rows painted), scrolling to the end, resident memory, and a cold start of
``python -m ui.app`` until the main window is shown. Prints a table; ``--markdown`` prints it as Markdown.

``tools/with-keyring`` makes a new keyring each run, which loses the store's key: to reuse a generated store
across runs, keep the keyring in one folder with ``XDG_DATA_HOME_OVERRIDE=<folder> tools/with-keyring …``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LOKET_LANG", "id")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.storage import replica  # noqa: E402
from app.storage.db import Database, open_store  # noqa: E402
from app.storage.repo import CASE_COLUMNS  # noqa: E402

OFFICE = "35.73.02.1008"
OTHER_OFFICES = ("35.73.02.1001", "35.73.02.1002", "35.73.01.1005")
SERVICES = ("SKD", "SKTM", "SKU", "SPDUK", "USULMUS")
STATUSES = (("draft", 10), ("submitted", 8), ("verified", 5), ("approved", 3), ("issued", 60), ("returned", 4),
            ("rejected", 5), ("withdrawn", 5))
FIRST = ("Budi", "Sri", "Ahmad", "Dewi", "Eko", "Rina", "Joko", "Nur", "Hendra", "Yuliana", "Agus", "Wulan",
         "Slamet", "Fitri", "Rudi", "Lilis", "Bayu", "Ratna", "Teguh", "Siti", "Imam", "Endang", "Dimas", "Kartika")
LAST = ("Santoso", "Wahyuni", "Fauzi", "Lestari", "Prasetyo", "Marlina", "Susilo", "Aini", "Gunawan", "Sari",
        "Salim", "Dari", "Riyadi", "Handayani", "Hartono", "Suryani", "Aji", "Wibowo", "Rahayu", "Syafii")
TARGETS = {"first paint": 300.0, "search/filter/sort": 200.0, "rss": 300.0, "cold start": 1500.0}


def rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def generate(profile: Path, rows: int) -> None:
    """A profile with ``rows`` cases and one active petugas, written fast (raw executemany)."""
    db_path = profile / "loket.db"
    if db_path.exists():
        con = open_store(db_path)
        have = con.execute("SELECT count(*) FROM cases").fetchone()[0]
        con.close()
        if have == rows:
            return
        db_path.unlink()
    profile.mkdir(parents=True, exist_ok=True)
    from app.services.workspace import Workspace

    ws = Workspace(profile)  # schema via the app's migrations
    ws.add_local_user("siti", "Siti Aminah", "petugas", OFFICE)
    device = ws.device_id
    ws.close()
    Database(db_path).close()
    rng = random.Random(2026)
    weights = [w for _, w in STATUSES]
    names = [s for s, _ in STATUSES]
    start = time.perf_counter()
    db = Database(db_path)
    with db.write() as s:  # setup: the list and search indexes are built once at the end, as after a pull
        replica.defer_list_indexes(s)
    db.close()
    con = open_store(db_path)  # the store is encrypted: the same key, through SQLCipher
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1048576")  # 1 GiB: the primary key's random ids stay in memory while written
    sql = f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('?' * len(CASE_COLUMNS))})"
    base = 1_700_000_000
    batch: list[tuple[object, ...]] = []
    for i in range(rows):
        created = base + i * (60_000_000 // rows) + rng.randint(0, 50)
        created_iso = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(created))
        updated_iso = time.strftime("%Y-%m-%dT%H:%M:%S.000000Z", time.gmtime(created + rng.randint(0, 900_000)))
        due = time.strftime("%Y-%m-%d", time.gmtime(created + 86_400 * rng.randint(1, 7)))
        status = rng.choices(names, weights)[0]
        office = OFFICE if rng.random() < 0.8 else rng.choice(OTHER_OFFICES)
        day = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
        born = f"{day:02d}{rng.randint(1, 12):02d}{rng.randint(50, 99):02d}"
        nik = f"35730{rng.randint(1, 5)}{born}{rng.randint(1, 9999):04d}"
        name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        letter = f"400.12.2.3/{i}/OR/2026" if status in ("approved", "issued") else None
        batch.append((str(uuid.UUID(int=rng.getrandbits(128), version=4)), rng.choice(SERVICES), office, nik, name,
                      "{}", status, 1, None, created_iso, updated_iso, "siti", device, due, letter, None))
        if len(batch) == 50_000:
            con.executemany(sql, batch)
            batch.clear()
    if batch:
        con.executemany(sql, batch)
    con.commit()
    con.close()
    db = Database(db_path)
    with db.write() as s:
        replica.restore_list_indexes(s)
    db.close()  # no ANALYZE: the app never runs it; the planner works from the statistics 0004 pins
    print(f"generated {rows:,} cases in {time.perf_counter() - start:.1f} s", file=sys.stderr)


class Bench:
    def __init__(self, profile: Path) -> None:
        from PySide6.QtWidgets import QApplication

        from app.services.workspace import Workspace
        from ui import lang
        from ui.tasks import manager

        self.app = QApplication.instance() or QApplication(sys.argv[:1])
        lang.apply_language("id")
        self.manager = manager()
        self.ws = Workspace(profile)
        self.actor = self.ws.actor("siti")
        self.results: list[tuple[str, float, str]] = []

    def settle_until(self, done: Callable[[], bool], timeout: float = 60.0) -> None:
        end = time.monotonic() + timeout
        while not done():
            self.app.processEvents()
            self.manager.wait_idle(50)
            self.app.processEvents()
            if time.monotonic() > end:
                raise TimeoutError("benchmark step did not finish")

    def run(self) -> list[tuple[str, float, str]]:
        from app.storage.repo import CaseQuery
        from ui.actions import Engines
        from ui.main_window import MainWindow

        t0, c0 = time.perf_counter(), time.process_time()
        window = MainWindow(self.ws, self.actor, Engines())
        model = window.cases.model
        window.resize(1280, 800)
        window.show()
        self.settle_until(lambda: not model.loading and model.rowCount() > 0)
        window.cases.table.viewport().repaint()
        first = (time.perf_counter() - t0) * 1000
        first_cpu = (time.process_time() - c0) * 1000
        self.settle_until(lambda: not model.busy)
        counted = (time.perf_counter() - t0) * 1000
        self.results.append(("first paint of the case list", first, f"CPU {first_cpu:.0f} ms; count known at "
                             f"{counted:.0f} ms: {model.rowCount():,} rows"))
        table = window.cases.table

        def measure(label: str, change: Callable[[], None]) -> None:
            times, totals, cpu = [], [], []
            for _ in range(3):
                model.set_query(CaseQuery(office=self.actor.office))
                self.settle_until(lambda: not model.busy)
                t, c = time.perf_counter(), time.process_time()
                change()
                self.settle_until(lambda: not model.loading)
                table.viewport().repaint()
                times.append((time.perf_counter() - t) * 1000)
                cpu.append((time.process_time() - c) * 1000)
                self.settle_until(lambda: not model.busy)
                totals.append((time.perf_counter() - t) * 1000)
            self.results.append((label, statistics.median(times),
                                 f"CPU {statistics.median(cpu):.0f} ms; count at {statistics.median(totals):.0f} ms: "
                                 f"{model.rowCount():,} rows"))

        office = self.actor.office
        measure("search: full NIK", lambda: model.update_query(search="3573024512850003"))
        measure("search: NIK prefix (8 digits)", lambda: model.update_query(search="35730245"))
        measure("search: name (substring)", lambda: model.update_query(search="Wahyuni"))
        measure("search: rare name (no hit)", lambda: model.update_query(search="Zulkarnain"))
        measure("filter: status = submitted", lambda: model.update_query(status="submitted"))
        measure("filter: service = SKTM", lambda: model.update_query(service="SKTM"))
        measure("filter: status + service", lambda: model.update_query(status="draft", service="SKU"))
        measure("filter: overdue only", lambda: model.update_query(overdue_before=time.strftime("%Y-%m-%d")))
        from ui.models.case_table import COLUMNS

        for col, (key, sort) in enumerate(COLUMNS):
            measure(f"sort: {key} ({sort}) ascending", lambda col=col: model.sort(col, _asc()))
        del office
        model.set_query(CaseQuery(office=self.actor.office))
        self.settle_until(lambda: not model.busy)
        t = time.perf_counter()
        table.scrollToBottom()
        last = model.rowCount() - 1
        self.settle_until(lambda: model.row_at(last) is not None)
        table.viewport().repaint()
        self.results.append(("scroll to the end", (time.perf_counter() - t) * 1000, f"row {last + 1:,}"))
        t = time.perf_counter()
        table.scrollToTop()
        self.settle_until(lambda: model.row_at(0) is not None)
        table.viewport().repaint()
        self.results.append(("scroll back to the top", (time.perf_counter() - t) * 1000, ""))
        rss, peak = rss_mb()
        self.results.append(("RSS after the run (MB)", rss, f"peak {peak:.0f} MB"))
        window.close()
        self.manager.wait_idle()
        self.ws.close()
        return self.results


def _asc():  # type: ignore[no-untyped-def]
    from PySide6.QtCore import Qt

    return Qt.SortOrder.AscendingOrder


def cold_start(profile: Path, runs: int = 3) -> list[float]:
    times = []
    env = {**os.environ, "LOKET_STARTUP_PROBE": "1", "QT_QPA_PLATFORM": "offscreen"}
    for _ in range(runs):
        t = time.time()
        proc = subprocess.run([sys.executable, "-m", "ui.app", "--profile", str(profile)], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        line = next((x for x in proc.stdout.splitlines() if x.startswith("LOKET_READY")), None)
        if line is None:
            raise RuntimeError(f"no LOKET_READY line: {proc.stdout}\n{proc.stderr}")
        times.append((float(line.split()[1]) - t) * 1000)
    return times


def _best_ms(run: Callable[[], object], times: int = 3) -> float:
    best = float("inf")
    for _ in range(times):
        t = time.perf_counter()
        run()
        best = min(best, (time.perf_counter() - t) * 1000)
    return best


def queries_table(profile: Path, baseline_runs: int = 3) -> list[tuple[str, float, float, str]]:
    """The case list's reads without the GUI, each beside its baseline measured in the same run (best of 3;
    the baseline best of ``baseline_runs``, since each of its runs scans the whole store): search through the
    trigram index vs the substring scan it replaced, and the list's first page on the kept read connection vs
    on a fresh connection per query (what NullPool did)."""
    from app.services import queries
    from app.services.workspace import Workspace
    from app.storage import repo
    from app.storage.db import connect
    from app.storage.repo import CaseQuery

    ws = Workspace(profile)
    office = ws.actor("siti").office
    out: list[tuple[str, float, float, str]] = []

    def scan_search(q: CaseQuery) -> object:  # before: budgeted index walk, then one scan with the total
        with ws.db.read() as s:  # (the walk testing each row's text, as revision 0010 first had it)
            if repo.list_cases_within(s, q, 0, 200, budget=40, walk=False) is None:
                return repo.page_with_total(s, q, 0, 200, index=False)
        return None

    for label, term in (("rare name (no hit)", "Zulkarnain"), ("rare letter number part", "2.3/4242"),
                        ("common name", "Wahyuni")):
        q = CaseQuery(office=office, search=term)
        queries.first_page(ws, q, 200)  # warm the page cache, as a person's second search would be
        now = _best_ms(lambda q=q: queries.first_page(ws, q, 200))  # type: ignore[misc]
        before = _best_ms(lambda q=q: scan_search(q), baseline_runs)  # type: ignore[misc]
        total = queries.case_count(ws, q)
        out.append((f"search, {label}: first page", before, now, f"{total:,} hits"))
        count_now = _best_ms(lambda q=q: queries.case_count(ws, q))  # type: ignore[misc]
        with ws.db.read() as s:
            count_before = _best_ms(lambda q=q, s=s: repo.count_cases(s, q, index=False),  # type: ignore[misc]
                                    baseline_runs)
        out.append((f"search, {label}: count", count_before, count_now, ""))
    q = CaseQuery(office=office, sort="created_at")

    page = "SELECT * FROM cases WHERE office = ? ORDER BY created_at DESC, rowid DESC LIMIT 200"

    def fresh() -> object:
        con = connect(ws.db.path, ws.db.keys)
        try:
            return con.execute(page, (office,)).fetchall()
        finally:
            con.close()

    def kept() -> object:
        with ws.db.read() as s:
            return s.connection().exec_driver_sql(page, (office,)).fetchall()

    kept()
    out.append(("list's first page by created_at, same SQL: kept read connection vs a fresh one",
                _best_ms(fresh, baseline_runs),
                _best_ms(kept), ""))
    queries.case_page(ws, q, 0, 200)
    out.append(("list's first page through queries.case_page (kept connection)", _best_ms(fresh, baseline_runs),
                _best_ms(lambda: queries.case_page(ws, q, 0, 200)), "baseline: fresh connection, raw SQL"))
    ws.close()
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out")
    p.add_argument("--markdown", action="store_true")
    p.add_argument("--json", type=Path, default=None)
    p.add_argument("--queries", action="store_true", help="only the reads without the GUI, with baselines")
    p.add_argument("--baseline-runs", type=int, default=None,
                   help="runs of each baseline read (best taken); default 3, 1 above 200,000 rows")
    args = p.parse_args(argv)
    profile = args.out / f"ui-profile-{args.rows}"
    generate(profile, args.rows)
    print(f"load average before: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print("| read | baseline ms (same run) | now ms | detail |\n|---|---:|---:|---|")
    runs = args.baseline_runs or (3 if args.rows <= 200_000 else 1)
    for label, before, now, detail in queries_table(profile, runs):
        print(f"| {label} | {before:.1f} | {now:.1f} | {detail} |")
    print(f"load average after: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    if args.queries:
        return 0
    results = Bench(profile).run()
    starts = cold_start(profile)
    results.append(("cold start: python -m ui.app → window shown", statistics.median(starts),
                    "runs: " + ", ".join(f"{s:.0f}" for s in starts)))
    width = max(len(r[0]) for r in results)
    if args.markdown:
        print("| measurement | ms (MB for RSS) | detail |\n|---|---:|---|")
        for label, value, detail in results:
            print(f"| {label} | {value:.0f} | {detail} |")
    else:
        for label, value, detail in results:
            print(f"{label:<{width}}  {value:8.1f}  {detail}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
