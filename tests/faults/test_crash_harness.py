"""kill -9 at seeded random instants: real loket-cli processes against a real loket-server process.

Three laptops of Kelurahan Oro-oro Dowo — siti on two counter PCs and bambang (verifikator) — run short
commands (intake, CSV import, edits, submit, verify, sync). Most commands are SIGKILLed at a random instant
drawn from a seeded generator; now and then the server is SIGKILLed mid-round and restarted. At the end
everyone syncs twice and the suite checks, per laptop, the canonical state hash against the server's,
that every acknowledged write (the CLI printed its answer) is on the server, that no op took effect twice
(server events and attachments = ops the laptops hold as done), and SQLite's integrity check.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from faults.forkserver import ForkClient
from faults.harness import OFFICE, fault_points, long_run
from faults.state import applied_once_problems, diff, integrity_ok, laptop_state, server_state, state_hash
from support.server import Laptop, ServerProcess
from support.store_keys import open_store

pytestmark = pytest.mark.timeout(3600 if long_run() else 300)  # the long run takes minutes
SEED = 20261127
COMPLETE = ["--field", "tempat_lahir=Malang", "--field", "tanggal_lahir=1990-08-17", "--field",
            "jenis_kelamin=P", "--field", "no_kk=3573021204180003", "--field", "alamat=Jl. Ijen 5",
            "--field", "keperluan=Kerja"]
NIKS = ["3573015708900003", "3573020101850001"]
KILL_SHARE = 0.8    # of commands killed at a random instant (the rest run to the end)
SPAWN_SHARE = 0.05  # of commands run in a fresh interpreter instead of a child of the fork server


@dataclass
class Attempt:
    value: str
    acked: bool = False


@dataclass
class Device:
    """One laptop and what it was told (acknowledgements) versus what it merely tried."""

    name: str
    laptop: Laptop
    role: str
    rnd: random.Random
    created: list[str] = field(default_factory=list)      # acknowledged case ids
    complete: list[str] = field(default_factory=list)     # acknowledged, with every field and document
    submitted: list[str] = field(default_factory=list)    # acknowledged submits
    verified: list[str] = field(default_factory=list)     # acknowledged verifies
    imports: dict[str, tuple[int, int | None]] = field(default_factory=dict)  # prefix → (rows, acknowledged)
    edits: dict[tuple[str, str], list[Attempt]] = field(default_factory=dict)
    kills: int = 0
    completed: int = 0


def _scans(folder: Path) -> list[str]:
    folder.mkdir(exist_ok=True)
    args = []
    for doc in ("ktp", "kk", "pengantar_rt"):
        path = folder / f"{doc}.pdf"
        path.write_bytes(b"%PDF-1.4\n% scan of " + doc.encode() + b" " + folder.name.encode() + b"\n%%EOF\n")
        args += ["--attach", f"{doc}={path}"]
    return args


def _command(dev: Device, step: int, workdir: Path) -> tuple[list[str], Callable[[dict[str, Any]], None]]:
    """The next command of ``dev`` and what to record when the CLI acknowledges it."""
    rnd = dev.rnd
    if dev.role == "verifikator":
        candidates = [c for c in dev.submitted if c not in dev.verified]
        if candidates and rnd.random() < 0.4:
            case_id = rnd.choice(candidates)
            return ["case", "verify", case_id], lambda _out: dev.verified.append(case_id)
        return ["sync"], _learn_submitted(dev)
    roll = rnd.random()
    if roll < 0.30 or not dev.created:
        nik = rnd.choice(NIKS)
        args = ["case", "new", "--service", "SKD", "--nik", nik, "--name", f"{dev.name} {step}"]
        full = rnd.random() < 0.5
        if full:
            args += COMPLETE + _scans(workdir / f"scans-{dev.name}-{step}")

        def created(out: dict[str, Any]) -> None:
            dev.created.append(str(out["id"]))
            if full:
                dev.complete.append(str(out["id"]))
        return args, created
    if roll < 0.38:
        prefix = f"Impor {dev.name} {step}"
        path = workdir / f"import-{dev.name}-{step}.csv"
        rows = rnd.randint(1, 6)
        path.write_text("nik,name,alamat\n" + "".join(f"{NIKS[i % 2]},{prefix} #{i},Jl. Kawi {i}\n"
                                                     for i in range(rows)), encoding="utf-8")
        dev.imports[prefix] = (rows, None)

        def imported(out: dict[str, Any]) -> None:
            dev.imports[prefix] = (rows, int(out["imported"]))
        return ["import", str(path), "--service", "SKD"], imported
    if roll < 0.62:
        drafts = [c for c in dev.created if c not in dev.submitted]
        case_id = rnd.choice(drafts or dev.created)
        key = rnd.choice(["alamat", "keperluan", "tempat_lahir"])
        value = f"{key} {dev.name} {step}"
        attempt = Attempt(value)
        dev.edits.setdefault((case_id, key), []).append(attempt)

        def edited(_out: dict[str, Any]) -> None:
            attempt.acked = True
        return ["case", "edit", case_id, "--field", f"{key}={value}"], edited
    if roll < 0.72:
        ready = [c for c in dev.complete if c not in dev.submitted]
        if ready:
            case_id = rnd.choice(ready)
            return ["case", "submit", case_id], lambda _out: dev.submitted.append(case_id)
    return ["sync"], lambda _out: None


def _learn_submitted(dev: Device) -> Callable[[dict[str, Any]], None]:
    def learn(_out: dict[str, Any]) -> None:
        db = open_store(dev.laptop.profile / 'loket.db', readonly=True)
        try:
            found = [r[0] for r in db.execute("SELECT id FROM cases WHERE status = 'submitted'")]
        finally:
            db.close()
        dev.submitted.extend(c for c in found if c not in dev.submitted)
    return learn


def _cycle(dev: Device, step: int, workdir: Path, forks: ForkClient) -> None:
    """One command of ``dev``: usually killed at a random instant, sometimes left to finish."""
    args, on_ack = _command(dev, step, workdir)
    kill = dev.rnd.random() < KILL_SHARE
    if dev.rnd.random() < SPAWN_SHARE:  # now and then a fresh interpreter, exactly as a person starts it
        proc = dev.laptop.popen("--json", *args)
        try:
            out, _err = proc.communicate(timeout=dev.rnd.uniform(0.4, 1.6) if kill else 180)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            dev.kills += 1
            return
        code: int | None = proc.returncode
    else:
        code, out = forks.run(["--profile", str(dev.laptop.profile), "--json", *args],
                              dev.rnd.uniform(0.0, 0.5) if kill else None,
                              stdin=dev.laptop.secret_input("--json", *args))
        if code is None:
            dev.kills += 1
            return
    dev.completed += 1
    if code == 0:
        on_ack(json.loads(out))


def _server_snapshots(server: ServerProcess) -> list[dict[str, Any]]:
    return server.all_cases(server.token("bambang", "audit"))


def test_kill_minus_nine_anywhere_loses_nothing(cli_laptop: Callable[[str, str], Laptop],
                                               server_process: ServerProcess, tmp_path: Path,
                                               keyring_env: dict[str, str]) -> None:
    target = fault_points(200)
    scratch = tmp_path / "out"
    scratch.mkdir()
    forks = ForkClient({**keyring_env, "LOKET_LANG": "id"}, str(scratch))
    master = random.Random(SEED)
    devices = [Device("a", cli_laptop("siti", "a"), "petugas", random.Random(master.random())),
               Device("b", cli_laptop("siti", "b"), "petugas", random.Random(master.random())),
               Device("v", cli_laptop("bambang", "v"), "verifikator", random.Random(master.random()))]
    server_kills = 0
    stop = threading.Event()

    def work(dev: Device) -> None:
        step = 0
        while not stop.is_set():
            step += 1
            _cycle(dev, step, tmp_path, forks)
            if sum(d.kills for d in devices) + server_kills >= target:
                stop.set()

    started = time.monotonic()
    threads = [threading.Thread(target=work, args=(d,)) for d in devices]
    for th in threads:
        th.start()
    while not stop.wait(master.uniform(0.5, 3.0)):  # the server dies too, at seeded intervals
        server_process.stop(signal.SIGKILL)
        server_kills += 1
        server_process.start()
    for th in threads:
        th.join(300)
    campaign = time.monotonic() - started
    step = sum(d.kills + d.completed for d in devices)
    forks.close()

    for _ in range(2):
        for dev in devices:
            report = dev.laptop.ok("sync")
            assert report["pending"] == 0, (dev.name, report)
    snaps = _server_snapshots(server_process)
    server = server_state(snaps)
    expected = state_hash(server)
    for dev in devices:
        db = dev.laptop.profile / "loket.db"
        assert integrity_ok(db) == "ok", dev.name
        mine = laptop_state(db, OFFICE)
        assert state_hash(mine) == expected, (dev.name, diff(mine, server))
        with open_store(db, readonly=True) as conn:
            rejected = conn.execute("SELECT kind, errno, error FROM outbox WHERE state = 'rejected'").fetchall()
        assert rejected == [], (dev.name, rejected)
    with sqlite3.connect(server_process.data / "loket-server.db") as conn:  # the server's store is plain SQLite
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # no acknowledged write lost
    by_name = Counter(c["name"].split(" #")[0] for c in snaps)
    for dev in devices:
        missing = [c for c in dev.created if c not in server]
        assert not missing, f"{dev.name}: acknowledged cases missing on the server: {missing}"
        for prefix, (rows, count) in dev.imports.items():
            if count is None:  # killed: all of the file or nothing
                assert by_name[prefix] in (0, rows), (prefix, by_name[prefix], rows)
            else:
                assert by_name[prefix] == count == rows, (prefix, by_name[prefix], count)
        for case_id in dev.submitted:
            assert server[case_id]["status"] in ("submitted", "verified"), case_id
        for case_id in dev.verified:
            assert server[case_id]["status"] == "verified", case_id
        for (case_id, key), attempts in dev.edits.items():
            acked = [i for i, a in enumerate(attempts) if a.acked]
            if acked and case_id in server:
                allowed = {a.value for a in attempts[acked[-1]:]}
                assert server[case_id]["fields"].get(key) in allowed, (case_id, key, allowed)

    # nothing applied twice: one event per acknowledged history op, one attachment row per attachment op
    assert applied_once_problems(server, [d.laptop.profile / "loket.db" for d in devices]) == []
    with sqlite3.connect(server_process.data / "loket-server.db") as conn:
        missing_blobs = conn.execute("SELECT count(*) FROM attachments a LEFT JOIN blobs b ON b.sha256 = a.sha256 "
                                     "AND b.complete WHERE b.sha256 IS NULL").fetchone()[0]
    assert missing_blobs == 0
    kills = sum(d.kills for d in devices)
    print(f"\ncrash harness: seed {SEED}, {step} commands, {kills} client kills + {server_kills} server kills "
          f"= {kills + server_kills} kill points in {campaign:.0f}s; {sum(d.completed for d in devices)} "
          f"commands completed; {len(server)} cases, hash {expected[:16]} on every laptop; 0 lost, 0 duplicated")
