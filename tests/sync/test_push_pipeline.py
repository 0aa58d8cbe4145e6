"""The push overlaps the laptop's work with the server's (the next batch is read while a request is on its way)
but never sends two requests at once, never sends an op twice in one run, keeps the outbox order across a
refusal, a cancel and a server that dies mid-push, and loses nothing."""

from __future__ import annotations

import threading
import time

import pytest

from app.errors import CancelledError
from app.services import importer
from app.services.workspace import Actor, Workspace
from sync import engine as sync_engine
from sync.engine import SyncEngine, SyncReport
from sync.errors import OfflineError
from sync.protocol import Errno, Op, OpResult


class Server:
    """Answers pushes as the real server does (an op id answered once, replayed with its first answer), refuses
    the ops in ``refuse``, and can set a cancel or die (apply a request, then lose the answer) at a request."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.answers: dict[str, OpResult] = {}
        self.applied: list[str] = []  # op ids in the order the server applied them (first time only)
        self.requests: list[list[str]] = []
        self.busy = 0
        self.overlapped = False
        self.cancel_at: tuple[int, threading.Event] | None = None
        self.die_at: int | None = None
        self._lock = threading.Lock()

    def push(self, ops: list[Op]) -> list[OpResult]:
        with self._lock:
            self.busy += 1
            assert self.busy == 1, "two pushes in flight"
        try:
            self.requests.append([op["op_id"] for op in ops])
            time.sleep(0.02)  # the laptop reads and records meanwhile
            results = [self._answer(op) for op in ops]
            number = len(self.requests)
            if self.cancel_at is not None and self.cancel_at[0] == number:
                self.cancel_at[1].set()  # the person presses cancel while this request is on its way
            if self.die_at == number:
                raise OfflineError(url="test")  # applied, but the answer never arrives
            return results
        finally:
            with self._lock:
                self.busy -= 1

    def _answer(self, op: Op) -> OpResult:
        if op["op_id"] not in self.answers:
            if op["case_id"] in self.refuse:
                self.answers[op["op_id"]] = {"op_id": op["op_id"], "status": "rejected",
                                             "errno": int(Errno.VALIDATION), "message": "refused"}
            else:
                self.answers[op["op_id"]] = {"op_id": op["op_id"], "status": "applied", "version": 1}
                self.applied.append(op["op_id"])
        return self.answers[op["op_id"]]


def _outbox(ws: Workspace) -> list[tuple[str, str, str]]:
    with ws.db.read() as s:
        return [(r[0], r[1], r[2]) for r in s.connection().exec_driver_sql(
            "SELECT op_id, case_id, state FROM outbox WHERE kind != 'blob' ORDER BY seq")]


def test_a_pipelined_push_keeps_order_and_loses_nothing(ws: Workspace, petugas: Actor,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sync_engine, "PUSH_BATCH", 5)
    ws.add_local_user(petugas.username, petugas.full_name, petugas.role.value, petugas.office, enrolled=True)
    rows = [("3573015708900003", f"Warga {i}", {"alamat": f"Jl. Ijen {i}"}) for i in range(33)]
    made = importer.create_many(ws, petugas, "SKD", rows)
    assert not made.rejected
    outbox = _outbox(ws)
    assert len(outbox) == 33
    refused = outbox[7][1]  # in the second request
    server = Server({refused})

    # 1. cancelled while the fourth request is on its way: its answers are recorded, then the push stops
    cancel = threading.Event()
    server.cancel_at = (4, cancel)
    progress: list[tuple[int, int]] = []
    engine = SyncEngine(ws, clients={petugas.username: server}, cancel=cancel,  # type: ignore[dict-item]
                        progress=lambda stage, done, total: progress.append((done, total)))
    first = SyncReport()
    with pytest.raises(CancelledError):
        engine.push(first)
    assert len(server.requests) == 4
    assert first.pushed == 19 and first.rejected == 1
    states = [state for _op, _case, state in _outbox(ws)]
    assert states[:20] == ["done"] * 7 + ["rejected"] + ["done"] * 12 and states[20:] == ["pending"] * 13
    assert [done for done, _total in progress] == sorted(done for done, _total in progress)

    # 2. the server dies mid-push: the request it applied but never answered stays pending, nothing else moves
    server.die_at = 6
    second = SyncReport()
    with pytest.raises(OfflineError):
        SyncEngine(ws, clients={petugas.username: server}).push(second)  # type: ignore[dict-item]
    assert second.pushed == 5
    states = [state for _op, _case, state in _outbox(ws)]
    assert states[20:25] == ["done"] * 5 and states[25:] == ["pending"] * 8

    # 3. the next run sends the rest; the request whose answer was lost is answered as the first time
    server.die_at = None
    third = SyncReport()
    SyncEngine(ws, clients={petugas.username: server}).push(third)  # type: ignore[dict-item]
    assert third.pushed == 8 and third.rejected == 0
    final = _outbox(ws)
    assert [state for _op, case, state in final if case == refused] == ["rejected"]
    assert all(state == "done" for _op, case, state in final if case != refused)
    assert server.applied == [op for op, case, _state in final if case != refused], "outbox order, each op once"
    sent = [op for request in server.requests for op in request]
    order = [op for op, _case, _state in final]
    assert sent == order[:30] + order[25:], "every op sent once, in order, but the request whose answer was lost"


def test_a_refusal_is_recorded_before_the_next_request_is_sent(ws: Workspace, petugas: Actor,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """What follows a refused op is read again after the refusal is recorded (it may change it)."""
    monkeypatch.setattr(sync_engine, "PUSH_BATCH", 4)
    ws.add_local_user(petugas.username, petugas.full_name, petugas.role.value, petugas.office, enrolled=True)
    rows = [("3573015708900003", f"Warga {i}", {"alamat": f"Jl. Ijen {i}"}) for i in range(10)]
    importer.create_many(ws, petugas, "SKD", rows)
    outbox = _outbox(ws)
    server = Server({outbox[1][1]})
    seen: list[list[str]] = []
    real = server.push

    def push(ops: list[Op]) -> list[OpResult]:
        seen.append([state for _op, _case, state in _outbox(ws)])
        return real(ops)

    server.push = push  # type: ignore[method-assign]
    report = SyncReport()
    SyncEngine(ws, clients={petugas.username: server}).push(report)  # type: ignore[dict-item]
    assert report.pushed == 9 and report.rejected == 1
    assert seen[1][1] == "rejected", "the second request went out after the refusal was recorded"
    assert [len(r) for r in server.requests] == [4, 4, 2]
