"""Start-up benchmark of ``loket-cli``: wall time of whole processes, best of N, beside ``python -c pass``.

What a person waits for at the terminal is the process: interpreter start, imports, the profile opened, the
answer printed. Each command runs N times in a fresh child process and the best run counts (the others measure
the machine's other work). A throwaway profile gets one local petugas and one case, so ``case show`` reads a
real record from the encrypted store. Targets: ``--help`` ≤ 0.3 s, ``case show`` ≤ 0.6 s, ``sync`` with
nothing to do ≤ 0.3 s. ``case show`` reads through the light path (plain SELECTs, no SQLAlchemy); the row
``case show (ordinary)`` runs the same command with the light path turned off in that child, as before it
existed, so the table carries its own baseline. The ``sync`` rows run against the real server (a subprocess on
loopback, SQLite) with a second profile enrolled as the demo petugas, one case made on it, and synced until a
run has nothing to do
(nothing pushed, pulled or leased, and the history pass after the first pull finished); ``sync (ordinary)`` is
the same no-op run with the idle check turned off.
Run it under ``tools/with-keyring`` on a headless machine (the store key lives in the OS keyring):
``tools/with-keyring .venv/bin/python bench/cli.py [--runs N]``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]
if TYPE_CHECKING:
    from support.server import ServerProcess

OFFICE = "35.73.02.1008"  # Kelurahan Oro-oro Dowo
BUSY = ("pushed", "pulled", "rejected", "pending", "blobs_up", "blobs_down", "leases")  # a sync report's work
SECRET = "kata-sandi-siti-2026"  # the enrolled petugas' password on the benchmark's laptop
TARGETS = {"--help": 0.3, "case show": 0.6, "sync": 0.3}
# the same command with the light read path answering "not this profile", so that the ordinary path reads
ORDINARY = ("import sys; from app.services import caseview; caseview.show_light = lambda *a: None; "
            "from ui.cli.__main__ import main; raise SystemExit(main(sys.argv[1:]))")
# the same for ``sync``: the idle check answers "there may be work", so that the sync engine runs
ORDINARY_SYNC = ("import sys; from sync import idle; idle.quiet_sync = lambda *a: None; "
                 "from ui.cli.__main__ import main; raise SystemExit(main(sys.argv[1:]))")


def _environment(cache: Path) -> dict[str, str]:
    """The children's environment: compiled bytecode kept (in a private folder, as an installed Loket keeps
    its own), whatever the caller's PYTHONDONTWRITEBYTECODE says, so the runs measure start-up, not compiling."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    return {**env, "PYTHONPYCACHEPREFIX": str(cache), "LOKET_LANG": "en"}


def _cli(env: dict[str, str], profile: Path, *args: str, secret: str | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([sys.executable, "-m", "ui.cli", "--profile", str(profile), *args], cwd=ROOT,
                          capture_output=True, text=True, env=env, input=f"{secret}\n" if secret else None)
    if done.returncode != 0:
        raise SystemExit(f"loket-cli {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done


def _idle(profile: Path) -> bool:
    """Whether the profile's sync has nothing left to do: its history pass after the first pull is finished
    (the JSON report does not show that work)."""
    from app.storage import lightread

    store = lightread.open_profile(profile)
    assert store is not None, "the enrolled profile's store did not open"
    with store:
        return not any(store.meta(f"history_cursor:{u}") for u in store.enrolled_users())


def _synced_profile(env: dict[str, str], folder: Path) -> tuple[Path, ServerProcess]:
    """A profile enrolled as the demo petugas against a real server, synced until a run does nothing."""
    from app.services.workspace import Workspace
    from support.server import ServerProcess
    from sync.enroll import enroll

    srv = ServerProcess(folder / "server")
    srv.data.mkdir()
    srv.init_demo()
    srv.start()
    try:
        profile = folder / "enrolled"
        ws = Workspace(profile)
        try:
            enroll(ws, srv.url, srv.codes["siti"], secret=SECRET)
        finally:
            ws.close()
        made = False
        for _ in range(20):
            report = json.loads(_cli(env, profile, "--json", "sync").stdout)
            busy = any(report[k] for k in BUSY)
            if not busy and _idle(profile) and made:
                return profile, srv
            if not made:  # once enrolled and synced (its registration numbers leased): a case of its own, pushed
                _cli(env, profile, "case", "new", "--service", "SKD", "--nik", "3573015708900003", "--name", "Siti",
                     secret=SECRET)
                made = True
    except BaseException:
        srv.stop()
        raise
    srv.stop()
    raise SystemExit("the enrolled profile's sync never became idle")


def _best(env: dict[str, str], command: list[str], runs: int) -> tuple[float, float]:
    """Best wall time and best CPU time (user + system of the child) over ``runs`` runs; on a busy machine the
    CPU column is the steadier of the two."""
    best_wall = best_cpu = float("inf")
    subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env)  # warm-up: bytecode, disk cache
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True, env=env)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        best_wall, best_cpu = min(best_wall, wall), min(best_cpu, cpu)
    return best_wall, best_cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7, help="runs per command; the best counts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loket-bench-cli-") as tmp:
        profile = Path(tmp) / "profile"
        env = _environment(Path(tmp) / "pycache")
        _cli(env, profile, "user", "add-local", "--username", "siti", "--name", "Siti Petugas", "--role", "petugas",
             "--office", OFFICE)
        case = json.loads(_cli(env, profile, "--json", "case", "new", "--service", "SKD", "--nik", "3573015708900003",
                               "--name", "Siti Aminah").stdout)["id"]
        cli = [sys.executable, "-m", "ui.cli", "--profile", str(profile)]
        rows = [("python -c pass", [sys.executable, "-c", "pass"]),
                ("--version", [*cli, "--version"]),
                ("--help", [*cli, "--help"]),
                ("case --help", [*cli, "case", "--help"]),
                ("config show", [*cli, "config", "show"]),
                ("case show", [*cli, "case", "show", case[:8]]),
                ("case show (ordinary)", [sys.executable, "-c", ORDINARY, *cli[3:], "case", "show", case[:8]]),
                ("case list", [*cli, "case", "list"])]
        enrolled, srv = _synced_profile(env, Path(tmp))
        synced = [sys.executable, "-m", "ui.cli", "--profile", str(enrolled)]
        rows += [("sync", [*synced, "sync"]),
                 ("sync (ordinary)", [sys.executable, "-c", ORDINARY_SYNC, *synced[3:], "sync"])]
        try:
            print(f"loket-cli start-up, best of {args.runs} runs (seconds), load average {os.getloadavg()[0]:.2f}")
            print(f"{'command':21} {'wall':>6} {'cpu':>6} {'target':>7}")
            failed = False
            for name, command in rows:
                wall, cpu = _best(env, command, args.runs)
                target = TARGETS.get(name)
                verdict = "" if target is None else ("  ok" if wall <= target else "  SLOW")
                failed |= verdict == "  SLOW"
                print(f"{name:21} {wall:6.3f} {cpu:6.3f} {target if target else '':>7}{verdict}")
            print(f"load average after: {os.getloadavg()[0]:.2f}")
        finally:
            srv.stop()
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
