"""Sync through a misbehaving network: dropped connections, delays, answers cut in half, resets after the
server committed. In-process laptops (Workspace + SyncEngine, enrolled with ``sync.enroll``) talk to a real
uvicorn through the seeded proxy; every sync that fails is simply tried again later. At the end (network
healed) everyone converges on the server's state, and no op took effect twice."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.lifecycle import Action
from app.errors import LoketError
from app.services import cases
from app.services.workspace import Workspace
from faults.harness import (
    OFFICE,
    PDF_HEAD,
    PNG_HEAD,
    SKD_FIELDS,
    LocalServer,
    ThreadedServer,
    enroll_workspace,
    fault_points,
    long_run,
    new_workspace,
)
from faults.proxy import FaultProxy
from faults.state import applied_once_problems, diff, laptop_state, server_state, state_hash
from sync.client import SyncClient
from sync.engine import SyncEngine
from sync.errors import SyncError

pytestmark = pytest.mark.timeout(3600 if long_run() else 300)  # the long run takes minutes
SEED = 4242


class Laptop:
    def __init__(self, ws: Workspace, username: str, token: str, url: str) -> None:
        self.ws = ws
        self.username = username
        self.actor = ws.actor(username)
        self.engine = SyncEngine(ws, clients={username: SyncClient(url, token, sleep=lambda _s: None,
                                                                   timeout=(2.0, 10.0))})
        self.mine: list[str] = []
        self.failed_syncs = 0

    def sync(self) -> bool:
        try:
            self.engine.run()
            return True
        except SyncError:
            self.failed_syncs += 1
            return False


@pytest.fixture
def served(local_server: LocalServer) -> Iterator[ThreadedServer]:
    srv = ThreadedServer(local_server.app)
    yield srv
    srv.close()


def _files(folder: Path, tag: str, big: bool) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for i, code in enumerate(("ktp", "kk", "pengantar_rt")):
        data = (PNG_HEAD if i % 2 == 0 else PDF_HEAD) + f"\n% {code} {tag}\n".encode()
        if big and code == "kk":  # bigger than one upload chunk: a cut upload must resume
            data += random.Random(tag).randbytes(2_500_000)
        path = folder / f"{code}-{tag}"
        path.write_bytes(data)
        out[code] = path
    return out


def test_sync_converges_through_a_bad_network(local_server: LocalServer, served: ThreadedServer,
                                              tmp_path: Path) -> None:
    proxy = FaultProxy(("127.0.0.1", served.port), seed=SEED, rate=0.0)  # enrolment on a good day
    rnd = random.Random(SEED)
    laptops = []
    for name, username in (("a", "siti"), ("b", "siti"), ("v", "bambang")):
        ws = new_workspace(tmp_path / name)
        token = enroll_workspace(ws, local_server, username, url=proxy.url)
        laptops.append(Laptop(ws, username, token, proxy.url))
    a, b, v = laptops
    proxy.rate = 0.45
    steps = fault_points(25) if fault_points(0) == 0 else fault_points(0) // 4
    for step in range(steps):
        for lap in (a, b):
            roll = rnd.random()
            if roll < 0.35 or not lap.mine:
                full = rnd.random() < 0.5
                new = cases.create(lap.ws, lap.actor, "SKD", "3573015708900003", f"Warga {lap.actor.device[:4]} {step}",
                                   SKD_FIELDS if full else {"alamat": "Jl. Ijen"},
                                   _files(tmp_path / "scans", f"{step}{lap.username}{id(lap)}", rnd.random() < 0.1)
                                   if full else None)
                lap.mine.append(new.id)
            elif roll < 0.75:
                key = rnd.choice(["alamat", "keperluan"])
                with contextlib.suppress(LoketError):  # not a draft any more
                    cases.edit(lap.ws, lap.actor, rnd.choice(lap.mine), {key: f"{key} {step}"})
            else:
                with contextlib.suppress(LoketError):  # incomplete or already submitted
                    cases.transition(lap.ws, lap.actor, rnd.choice(lap.mine), Action.SUBMIT)
        with v.ws.db.read() as s:
            from app.storage.models import Case
            waiting = [c.id for c in s.query(Case).filter(Case.status == "submitted")]
        if waiting and rnd.random() < 0.5:
            cases.transition(v.ws, v.actor, rnd.choice(waiting), Action.VERIFY)
        for lap in laptops:
            if rnd.random() < 0.7:
                lap.sync()
    proxy.rate = 0.0
    for _ in range(2):
        for lap in laptops:
            assert lap.sync()
    server = server_state(c for c in local_server.all_cases() if c["office"] == OFFICE)
    for lap in laptops:
        mine = laptop_state(lap.ws.profile / "loket.db", OFFICE)
        assert state_hash(mine) == state_hash(server), diff(mine, server)
        with lap.ws.db.read() as s:
            from app.storage import replica
            assert replica.counts(s).get("pending", 0) == 0
            assert replica.counts(s).get("rejected", 0) == 0
        for case in server.values():
            for doc in case["attachments"]:
                assert lap.ws.blobs.has(doc[1])
    assert applied_once_problems(server, [lap.ws.profile / "loket.db" for lap in laptops]) == []
    assert all(proxy.counts[f] > 0 for f in ("drop", "delay", "cut", "reset")), proxy.counts
    proxy.close()
    print(f"\nnetwork faults: seed {SEED}, {steps} steps, requests {sum(proxy.counts.values())} "
          f"({dict(proxy.counts)}), failed syncs {sum(lap.failed_syncs for lap in laptops)}, "
          f"{len(server)} cases converged, 0 lost, 0 duplicated")


def test_enrolment_survives_a_lost_answer(local_server: LocalServer, served: ThreadedServer,
                                          tmp_path: Path) -> None:
    from sync.enroll import enroll

    proxy = FaultProxy(("127.0.0.1", served.port), seed=SEED, rate=0.0, script=["reset"])
    ws = new_workspace(tmp_path / "laptop")
    try:
        enroll(ws, proxy.url, local_server.codes.pop("siti"), client=SyncClient(proxy.url, sleep=lambda _s: None))
    finally:
        proxy.close()
    assert ws.actor("siti").username == "siti"
