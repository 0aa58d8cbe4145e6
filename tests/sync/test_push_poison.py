"""One op the server fails on (HTTP 500 for the whole request) never holds back the rest of the outbox, and a
server that fails on everything sets nothing aside."""

from __future__ import annotations

from typing import Any

import pytest

from app.services import cases, refusals
from app.services.workspace import Actor, Workspace
from app.storage import repo
from samples import SKD_FIELDS
from sync.engine import SyncEngine, SyncReport
from sync.errors import GarbageError, SyncError
from sync.protocol import Op, OpResult


class FailingServer:
    """Answers pushes like the server, but fails (500) on any request holding a poison op; ``down`` fails all."""

    def __init__(self, poison: set[str], down: bool = False) -> None:
        self.poison, self.down = poison, down
        self.requests: list[int] = []
        self.applied: list[str] = []

    def push(self, ops: list[Op]) -> list[OpResult]:
        self.requests.append(len(ops))
        if self.down or any(op["case_id"] in self.poison for op in ops):
            raise GarbageError(status=500)
        self.applied += [op["op_id"] for op in ops]
        return [{"op_id": op["op_id"], "status": "applied", "version": 1} for op in ops]

    def changes(self, since: int, limit: int) -> dict[str, Any]:
        if self.down:
            raise GarbageError(status=500)
        return {"changes": [], "cursor": since, "more": False}


def _enrolled(ws: Workspace, petugas: Actor) -> None:
    ws.add_local_user(petugas.username, petugas.full_name, petugas.role.value, petugas.office, enrolled=True)


def _cases(ws: Workspace, petugas: Actor, n: int) -> list[str]:
    return [cases.create(ws, petugas, "SKD", f"35730201018500{i + 10:02d}", f"Warga {i}", SKD_FIELDS).id
            for i in range(n)]


def test_a_poison_op_is_set_aside_and_the_rest_goes_out(ws: Workspace, petugas: Actor) -> None:
    _enrolled(ws, petugas)
    made = _cases(ws, petugas, 9)
    server = FailingServer({made[3]})
    engine = SyncEngine(ws, clients={petugas.username: server})  # type: ignore[dict-item]
    summary = SyncReport()
    engine._push(engine.enrolled_users(), summary)
    assert summary.pushed == 8 and summary.rejected == 1
    [aside] = refusals.waiting(ws)
    assert aside.case_id == made[3] and aside.errno == 999 and aside.todo == "resend"
    with ws.db.read() as s:
        assert repo.outbox_counts(s).get("pending", 0) == 0
    assert len(server.requests) < 12  # halving, not one request per op


def test_a_server_failing_on_everything_sets_nothing_aside(ws: Workspace, petugas: Actor) -> None:
    _enrolled(ws, petugas)
    _cases(ws, petugas, 4)
    engine = SyncEngine(ws, clients={petugas.username: FailingServer(set(), down=True)})  # type: ignore[dict-item]
    with pytest.raises(SyncError):
        engine._push(engine.enrolled_users(), SyncReport())
    assert refusals.waiting(ws) == []
    with ws.db.read() as s:
        assert repo.outbox_counts(s)["pending"] == 4
