"""``loket-cli sync`` with nothing to do is answered by ``sync.idle`` (plain SELECTs, one ``GET /changes`` per
enrolled person, no SQLAlchemy, no sync engine) and prints byte for byte what the sync engine prints; any work,
any doubt and any error go to the sync engine, unchanged. Against the real server on SQLite."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.services.workspace import Workspace
from app.storage import lightread, meta
from app.storage.db import SCHEMA_HEAD
from app.storage.models import OutboxOp
from support.server import Laptop, ServerProcess
from sync import client, engine, idle

ROOT = Path(__file__).resolve().parents[2]
NIK = "3573015708900003"
BUSY = ("pushed", "pulled", "rejected", "pending", "blobs_up", "blobs_down", "leases")


@pytest.fixture
def backend() -> str:
    return "sqlite"  # what decides "idle" is the laptop's; the server's database has no say in it


@pytest.fixture
def light_runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, object] | None]]:
    """What ``idle.quiet_sync`` answered in each in-process ``sync`` (None: the sync engine ran)."""
    answers: list[dict[str, object] | None] = []
    real = idle.quiet_sync

    def spy(profile: Path) -> dict[str, object] | None:
        answers.append(real(profile))
        return answers[-1]

    monkeypatch.setattr(idle, "quiet_sync", spy)
    yield answers


def _idle_laptop(device: Laptop) -> None:
    """Sync until a run has nothing to do: nothing pushed, pulled or leased, the history pass finished."""
    for _ in range(10):
        report = device.ok("sync")
        if device.subprocess:  # the store's key is in the subprocesses' keyring: a small laptop's history
            history = [] if report["pulled"] == 0 else ["?"]  # pass ends in the run after its first pull
        else:
            store = lightread.open_profile(device.profile)
            assert store is not None
            with store:
                history = [store.meta(f"history_cursor:{u}") for u in store.enrolled_users()]
        if not any(report[k] for k in BUSY) and not any(history):
            return
    raise AssertionError("the laptop's sync never became idle")


def _enrolled(laptop: Callable[..., Laptop], name: str | None = None) -> Laptop:
    device = laptop("siti", name)
    _idle_laptop(device)
    device.ok("case", "new", "--service", "SKD", "--nik", NIK, "--name", "Ani Lestari")
    _idle_laptop(device)
    return device


def _ordinary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(idle, "quiet_sync", lambda _profile: None)


def _no_engine(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(_self: object) -> None:
        raise AssertionError("the sync engine ran where the idle path should have answered")

    monkeypatch.setattr(engine.SyncEngine, "run", fail)


def _last_sync(profile: Path) -> str | None:
    store = lightread.open_profile(profile)
    assert store is not None
    with store:
        return store.meta("last_sync")


def test_constants_follow_the_engine() -> None:
    assert lightread.NEWEST_SCHEMA == SCHEMA_HEAD
    assert idle.ca_bundle(None) == client.trust_store(None)
    assert idle.ca_bundle("/etc/loket/ca.pem") == client.trust_store(client.TlsTrust("/etc/loket/ca.pem"))


@pytest.mark.parametrize("lang", ["id", "en"])
def test_noop_sync_prints_what_the_engine_prints(laptop: Callable[..., Laptop], monkeypatch: pytest.MonkeyPatch,
                                                 lang: str) -> None:
    """Text and ``--json``, with a refusal waiting (listed by both), and ``last_sync`` recorded by both."""
    device = _enrolled(laptop)
    case_id = device.ok("case", "list")[0]["id"]
    ws = Workspace(device.profile)
    try:
        with ws.db.write() as s:
            s.add(OutboxOp(op_id="00000000-0000-4000-8000-000000000009", kind="case.transition", case_id=case_id,
                           payload=json.dumps({"action": "submit"}), actor="siti",
                           created_at="2026-03-02T03:04:05.000001Z", state="rejected", errno=121,
                           error="stale", refused_at="2026-03-02T04:00:00.000000Z"))
    finally:
        ws.close()
    monkeypatch.setenv("LOKET_LANG", lang)
    printed: dict[tuple[bool, bool], tuple[int, str, str]] = {}
    for light in (True, False):
        with monkeypatch.context() as patch:
            _no_engine(patch) if light else _ordinary(patch)
            for as_json in (False, True):
                before = _last_sync(device.profile)
                done = device.run(*(["--json"] if as_json else []), "sync")
                printed[light, as_json] = (done.returncode, done.stdout, done.stderr)
                assert (_last_sync(device.profile) or "") > (before or "")
    for as_json in (False, True):
        assert printed[True, as_json] == printed[False, as_json]
        assert printed[True, as_json][0] == 0
    assert "00000000" in printed[True, False][1]  # the waiting refusal is listed
    assert json.loads(printed[True, True][1])["refusals"][0]["op_id"].startswith("00000000")


def test_light_path_imports_no_sqlalchemy(laptop: Callable[..., Laptop]) -> None:
    """A real ``loket-cli sync`` process on an idle laptop: no SQLAlchemy, no sync engine, no ``requests``."""
    device = laptop("siti", subprocess=True)
    _idle_laptop(device)
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "ui.cli", "--profile", str(device.profile),
                           "--json", "sync"], capture_output=True, text=True, cwd=ROOT, timeout=120,
                          env={**os.environ, **device.env})
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout)["pulled"] == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time")}
    heavy = ("sqlalchemy", "alembic", "requests", "urllib3", "sync.engine", "sync.client", "app.storage.db",
             "app.storage.models", "pyhanko", "reportlab")
    assert sorted(m for m in imported if m.startswith(heavy)) == []


def test_a_new_case_on_the_server_goes_to_the_engine(laptop: Callable[..., Laptop],
                                                     light_runs: list[dict[str, object] | None]) -> None:
    device = _enrolled(laptop)
    other = laptop("siti", "other")
    other.ok("case", "new", "--service", "SKD", "--nik", NIK, "--name", "Budi Santoso")
    assert other.ok("sync")["pushed"] == 1
    light_runs.clear()
    assert device.ok("sync")["pulled"] == 1
    assert light_runs == [None]
    assert "Budi Santoso" in {c["name"] for c in device.ok("case", "list")}
    device.ok("sync")
    assert light_runs[-1] is not None  # idle again


def test_pending_op_goes_to_the_engine(laptop: Callable[..., Laptop],
                                       light_runs: list[dict[str, object] | None]) -> None:
    device = _enrolled(laptop)
    device.ok("case", "new", "--service", "SKD", "--nik", NIK, "--name", "Citra Dewi")
    light_runs.clear()
    assert device.ok("sync")["pushed"] == 1
    assert light_runs == [None]


def test_history_pass_not_finished_goes_to_the_engine(laptop: Callable[..., Laptop],
                                                      light_runs: list[dict[str, object] | None]) -> None:
    device = _enrolled(laptop)
    ws = Workspace(device.profile)
    try:
        with ws.db.write() as s:
            meta.set_history_cursor(s, "siti", "0")
    finally:
        ws.close()
    light_runs.clear()
    device.ok("sync")
    assert light_runs == [None]


def test_server_down_gives_the_engine_error(laptop: Callable[..., Laptop], server: ServerProcess,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    device = _enrolled(laptop)
    server.stop()
    light = device.run("sync")
    _ordinary(monkeypatch)
    ordinary = device.run("sync")
    assert light.returncode == ordinary.returncode == 1
    assert light.stdout == ordinary.stdout
    assert light.stderr == ordinary.stderr and light.stderr.strip()


def test_revoked_token_gives_the_engine_answer(laptop: Callable[..., Laptop],
                                               light_runs: list[dict[str, object] | None]) -> None:
    """A token the server no longer takes (here: one the keyring no longer matches) is the engine's to say."""
    device = _enrolled(laptop)
    from sync import credentials

    store = lightread.open_profile(device.profile)
    assert store is not None
    with store:
        device_id = store.meta("device_id")
    assert device_id
    credentials.save_token(device_id, "siti", "not-a-token-the-server-gave")
    light_runs.clear()
    done = device.run("sync")
    assert light_runs == [None]
    assert done.returncode != 0 and done.stderr.strip()


def _dump(profile: Path) -> dict[str, list[tuple[object, ...]]]:
    from app.storage.keyed import open_store

    con = open_store(profile / "loket.db", readonly=True)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                            "AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr) for t in tables}
    finally:
        con.close()


def _files(profile: Path) -> dict[str, float]:
    return {str(p.relative_to(profile)): p.stat().st_mtime for p in profile.rglob("*")
            if p.is_file() and p.parent.name != "logs" and not p.name.startswith("loket.db")}


def test_the_engine_records_only_last_sync_on_a_noop_run(laptop: Callable[..., Laptop],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """What the idle path writes is all the engine writes on a run with nothing to do: ``meta.last_sync``. If
    the engine comes to record more on such a run, the idle path must record it too (or stop answering)."""
    device = _enrolled(laptop)
    before, files = _dump(device.profile), _files(device.profile)
    _ordinary(monkeypatch)
    device.ok("sync")
    after = _dump(device.profile)
    changed = {t for t in before if before[t] != after[t]}
    assert changed == {"meta"}
    assert {r for r in after["meta"] if r not in before["meta"]} == {("last_sync", _last_sync(device.profile))}
    assert {r[0] for r in before["meta"] if r not in after["meta"]} == {"last_sync"}
    assert _files(device.profile) == files


def test_over_tls_the_pin_holds(tmp_path: Path, keyring_env: dict[str, str], monkeypatch: pytest.MonkeyPatch,
                                light_runs: list[dict[str, object] | None]) -> None:
    """Over HTTPS with the certificate pinned at enrolment the idle path answers; a server presenting another
    certificate (trusted by the machine, but not the pinned one) goes to the engine and its refusal."""
    from scenarios.test_transport import restart_with, self_signed, tls_server

    first, second = self_signed(tmp_path, "first"), self_signed(tmp_path, "second")
    store = tmp_path / "system-store.pem"
    store.write_bytes(first[0].read_bytes() + second[0].read_bytes())
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(store))
    srv = tls_server(tmp_path, first)
    try:
        device = Laptop(tmp_path / "laptop-tls", keyring_env)
        device.ok("enroll", "--server", srv.url, "--code", srv.codes["siti"])
        _idle_laptop(device)
        light_runs.clear()
        assert device.ok("sync")["pulled"] == 0
        assert light_runs[-1] is not None
        restart_with(srv, second)
        light = device.run("sync")
        assert light_runs[-1] is None
        with monkeypatch.context() as patch:
            _ordinary(patch)
            ordinary = device.run("sync")
        assert light.returncode == ordinary.returncode == 1
        assert light.stderr == ordinary.stderr and light.stderr.strip()
    finally:
        srv.stop()


@pytest.mark.parametrize("padding", [0, idle.IDLE_ANSWER_MAX])
def test_a_long_answer_is_not_read_whole(padding: int) -> None:
    """The light path reads at most a short page; a longer answer (a hostile or broken server) goes to the
    ordinary path, which has its own bounds."""
    import http.server
    import threading

    page = json.dumps({"changes": [], "cursor": "7", "more": False, "delegations": [], "pad": "x" * padding})

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(page.encode())

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        server = idle._Server(f"http://127.0.0.1:{httpd.server_address[1]}", None, None)
        quiet = idle._feed_is_quiet(server, idle._Feed("siti", "7", "token"))
    finally:
        httpd.shutdown()
    assert quiet is (padding == 0)
