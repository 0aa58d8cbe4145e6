"""Ingest benchmark: 100,000 SKD draft cases through the real service layer against raw ``executemany``.

The service path is ``app.services.importer.create_many`` on a fresh profile: per-row validation, an outbox op
and a hash-chained audit entry per case, one transaction per chunk. The baseline inserts the very same case
rows (read back from the service's database) with ``sqlite3.executemany`` into a table of the same schema and
indexes, in a fresh WAL database with ``synchronous=FULL``, in a single transaction — the fastest honest way
SQLite can store those rows. The baseline is plain SQLite (the standard library's); one more row shows the same
raw insert into an SQLCipher file keyed like the app's store, so the cost of encryption itself is visible.
Run with ``make bench`` (or ``python bench/ingest.py --rows N``); the profile's store key goes to the OS keyring,
so on a headless machine run it under ``tools/with-keyring``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import sqlcipher3.dbapi2 as sqlcipher  # noqa: E402

from app.events import EventBus  # noqa: E402
from app.services import importer  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402
from app.storage.atrest import StoreKeys  # noqa: E402
from app.storage.db import open_store, raw_connect  # noqa: E402

OFFICE = "35.73.02.1008"  # Kelurahan Oro-oro Dowo
STREETS = ("Jl. Kawi", "Jl. Semeru", "Jl. Ijen", "Jl. Bromo", "Jl. Arjuno", "Jl. Welirang", "Jl. Merbabu")
NAMES = ("Siti Aminah", "Budi Santoso", "Dewi Lestari", "Agus Salim", "Rina Wati", "Hendra Gunawan",
         "Sri Wahyuni", "Joko Susilo", "Ani Rahmawati", "Bambang Hariyanto")
PURPOSES = ("melamar pekerjaan", "pembukaan rekening bank", "persyaratan sekolah", "pengurusan BPJS")


def import_rows(n: int, seed: int = 20261127) -> list[tuple[str | None, str, dict[str, str]]]:
    """``n`` rows as a CSV import hands them to the service: NIK, name, and the SKD fields as typed."""
    rnd = random.Random(seed)
    rows: list[tuple[str | None, str, dict[str, str]]] = []
    for i in range(n):
        female = rnd.random() < 0.5
        day, month, year = rnd.randint(1, 28), rnd.randint(1, 12), rnd.randint(1950, 2005)
        kec = f"{rnd.randint(1, 5):02d}"
        nik = f"3573{kec}{day + (40 if female else 0):02d}{month:02d}{year % 100:02d}{i % 9999 + 1:04d}"
        issued = f"{rnd.randint(1, 28):02d}{rnd.randint(1, 12):02d}{rnd.randint(0, 25):02d}"
        kk = f"3573{kec}{issued}{i % 9999 + 1:04d}"
        fields = {
            "tempat_lahir": "Malang",
            "tanggal_lahir": f"{year:04d}-{month:02d}-{day:02d}",
            "jenis_kelamin": "P" if female else "L",
            "no_kk": kk,
            "alamat": f"{rnd.choice(STREETS)} No. {rnd.randint(1, 200)}, RT {rnd.randint(1, 12):02d}/RW "
                      f"{rnd.randint(1, 9):02d}",
            "keperluan": rnd.choice(PURPOSES),
            "telepon": f"08{rnd.randint(11, 99)}{rnd.randint(10_000_000, 99_999_999)}",
        }
        rows.append((nik, rnd.choice(NAMES), fields))
    return rows


def run_service(profile: Path, rows: list[tuple[str | None, str, dict[str, str]]]) -> tuple[float, Workspace]:
    ws = Workspace(profile, events=EventBus())
    ws.add_local_user("bench", "Petugas Bench", "petugas", OFFICE)
    actor = ws.actor("bench")
    start = time.perf_counter()
    result = importer.create_many(ws, actor, "SKD", rows)
    elapsed = time.perf_counter() - start
    if result.rejected or len(result.ids) != len(rows):
        raise SystemExit(f"the service refused rows it should keep: {result.rejected[:3]}")
    return elapsed, ws


def run_raw(service_db: Path, target: Path, tables: tuple[str, ...], encrypted: bool = False,
            search: bool = False, fill_search: bool = False) -> tuple[float, int]:
    """Copy ``tables``' schema (same DDL, same indexes; with ``search`` also the trigram search index and its
    triggers; with ``fill_search`` the search index without triggers, filled in one statement after the
    inserts, as the service's bulk path does), then executemany the service's rows into them in one
    transaction (into an SQLCipher file when ``encrypted``). Returns the seconds and the number of case rows."""
    src = open_store(service_db)
    ddl: list[str] = []
    data: dict[str, list[tuple[object, ...]]] = {}
    if search or fill_search:
        ddl += [sql for (sql,) in src.execute("SELECT sql FROM sqlite_master WHERE name = 'cases_search'")]
    kinds = "('table', 'index', 'trigger')" if search else "('table', 'index')"
    for table in tables:
        ddl += [sql for (sql,) in src.execute(
            f"SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL AND type IN {kinds} "
            # the search index's own triggers: the rekap tables' triggers name tables not copied here
            "AND (type != 'trigger' OR name LIKE 'cases\\_search\\_%' ESCAPE '\\') "
            "ORDER BY type != 'table', type = 'trigger'", (table,))]
        data[table] = src.execute(f"SELECT * FROM {table}").fetchall()
    src.close()
    con: sqlite3.Connection | sqlcipher.Connection
    if encrypted:
        con = raw_connect(target, StoreKeys(os.urandom(32)))
        con.isolation_level = None
    else:
        con = sqlite3.connect(target, isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    for sql in ddl:
        con.execute(sql)
    start = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    for table, rows in data.items():
        con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)
    if fill_search:
        con.execute("INSERT INTO cases_search (rowid, name, reg_no, letter_number) "
                    "SELECT rowid, name, reg_no, letter_number FROM cases")
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    count = con.execute("SELECT count(*) FROM cases").fetchone()[0]
    con.close()
    return elapsed, count


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    rows = import_rows(args.rows)
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as tmp:
        service_s, ws = run_service(Path(tmp) / "profile", rows)
        with ws.db.read() as s:
            stored = tuple(s.connection().exec_driver_sql(
                "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM outbox), "
                "(SELECT count(*) FROM audit)").one())
        ws.close()
        raw_s, raw_count = run_raw(ws.db.path, Path(tmp) / "raw.db", ("cases",))
        search_s, _ = run_raw(ws.db.path, Path(tmp) / "search.db", ("cases",), search=True)
        floor_s, _ = run_raw(ws.db.path, Path(tmp) / "floor.db", ("cases", "outbox", "audit"))
        cipher_s, _ = run_raw(ws.db.path, Path(tmp) / "cipher.db", ("cases",), encrypted=True)
        stored_s, _ = run_raw(ws.db.path, Path(tmp) / "stored.db", ("cases", "outbox", "audit"), encrypted=True,
                              fill_search=True)
    if stored != (args.rows, args.rows, args.rows) or raw_count != args.rows:
        raise SystemExit(f"row counts do not match: service {stored}, raw {raw_count}")
    n = args.rows
    print(f"machine: {os.cpu_count()} CPUs, {cpu_model()}, Python {platform.python_version()}, "
          f"SQLite {sqlite3.sqlite_version}, store: SQLCipher on SQLite {sqlcipher.sqlite_version}, "
          f"load average {load:.2f} before, {os.getloadavg()[0]:.2f} after")
    print()
    print("| path | rows | seconds | rows/s | ratio service/this |")
    print("|---|---:|---:|---:|---:|")
    print(f"| service: `importer.create_many` (validation, case + create op by reference + audit entry, search "
          f"index filled per chunk, 25,000-row transactions, SQLCipher) | {n:,} | {service_s:.2f} | "
          f"{n / service_s:,.0f} | |")
    print(f"| raw `executemany`, the same case rows, one transaction (baseline) | {raw_count:,} | "
          f"{raw_s:.2f} | {raw_count / raw_s:,.0f} | **{raw_s / service_s:.2f}** |")
    print(f"| raw `executemany`, the same case rows with the trigram search index and its triggers, one "
          f"transaction | {n:,} | {search_s:.2f} | {n / search_s:,.0f} | {search_s / service_s:.2f} |")
    print(f"| raw `executemany`, the same case + outbox + audit rows, one transaction (storage floor) | "
          f"{n:,} | {floor_s:.2f} | {n / floor_s:,.0f} | {floor_s / service_s:.2f} |")
    print(f"| raw `executemany`, the same case rows, one transaction, into SQLCipher | {n:,} | {cipher_s:.2f} | "
          f"{n / cipher_s:,.0f} | {cipher_s / service_s:.2f} |")
    print(f"| raw `executemany`, the same case + outbox + audit rows, search index filled in one statement, one "
          f"transaction, into SQLCipher (what the service stores) | {n:,} | {stored_s:.2f} | {n / stored_s:,.0f} | "
          f"{stored_s / service_s:.2f} |")
    print()
    print(f"ratio service/raw (rows/s): {raw_s / service_s:.2f} (target >= 0.50); "
          f"best reachable with this schema (floor/raw): {raw_s / floor_s:.2f}; "
          f"what the service stores, encrypted, without Python work (/raw): {raw_s / stored_s:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
