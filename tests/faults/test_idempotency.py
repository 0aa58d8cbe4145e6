"""Replaying any op 1–100 times (seeded counts) has one effect and gets the same answer; an op id reused
with another body is refused with errno 106; a blob upload cut part-way resumes at the server's size."""

from __future__ import annotations

import contextlib
import hashlib
import random
import uuid
from pathlib import Path
from typing import Any

from faults.harness import OFFICE, PDF_HEAD, SKD_FIELDS, LocalServer, enroll_workspace, fault_points, new_workspace
from faults.state import server_state
from sync.client import SyncClient
from sync.engine import SyncEngine, SyncReport
from sync.errors import OfflineError
from sync.protocol import API, BLOB_CHUNK

SEED = 106


def _push(local: LocalServer, token: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = local.http.post(f"{API}/push", json={"ops": ops}, headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


def _op(kind: str, case_id: str, base: int | None, payload: dict[str, Any]) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id, "base_version": base, "payload": payload}


def _state(local: LocalServer, case_id: str) -> tuple[Any, ...]:
    """Everything an op can change on the server, for one case."""
    [snap] = [c for c in local.all_cases() if c["id"] == case_id]
    with local.engine.connect() as conn:
        conflicts = conn.exec_driver_sql("SELECT id, resolved_at IS NOT NULL FROM conflicts WHERE case_id = ? "
                                         "ORDER BY id", (case_id,)).fetchall()
    return (server_state([snap])[case_id], [tuple(c) for c in conflicts])


def test_every_op_kind_replayed_has_one_effect(local_server: LocalServer) -> None:
    rnd = random.Random(SEED)
    a = local_server.token("siti", "counter-a")
    b = local_server.token("siti", "counter-b")
    v = local_server.token("bambang", "verifier")
    case_id = str(uuid.uuid4())
    sha = hashlib.sha256(b"ktp").hexdigest()
    create = _op("case.create", case_id, 0, {"case": {"id": case_id, "service": "SKD", "nik": "3573015708900003",
                                                      "name": "Ani Lestari", "fields": {"alamat": "Jl. Ijen 5"}}})
    # b edits alamat first; a's edit made against version 1 then meets it: a conflict to resolve later
    edit_b = _op("case.edit", case_id, 1, {"fields": {"alamat": "Jl. Kawi 3"}})
    edit_a = _op("case.edit", case_id, 1, {"fields": {"alamat": "Jl. Semeru 10", "keperluan": "Kerja"}})
    script: list[tuple[str, str, dict[str, Any]]] = [("create", a, create), ("edit", b, edit_b),
                                                     ("edit+conflict", a, edit_a)]
    rounds = fault_points(1) // 100 + 1
    counts: list[int] = []
    for name, token, op in script:
        counts.append(_replay(local_server, rnd, name, token, op, case_id))
    [conflict] = [c for c in local_server.all_cases() if c["id"] == case_id][0]["conflicts"]
    later: list[tuple[str, str, dict[str, Any]]] = [
        ("resolve", a, _op("conflict.resolve", case_id, None, {"conflict_id": conflict["id"], "value": "Jl. Ijen 7"})),
        ("fill", a, _op("case.edit", case_id, 4, {"fields": {k: v for k, v in SKD_FIELDS.items() if k != "alamat"}})),
    ]
    later += [(f"attach {d}", a, _op("attachment.add", case_id, None, {"doc_code": d, "sha256": sha,
                                                                       "filename": f"{d}.pdf", "size": 3,
                                                                       "mime": "application/pdf"}))
              for d in ("ktp", "kk", "pengantar_rt")]
    later += [("submit", a, _op("case.transition", case_id, 5, {"action": "submit", "reason": None})),
              ("return", v, _op("case.transition", case_id, 6, {"action": "return", "reason": "foto buram"})),
              ("resubmit", a, _op("case.transition", case_id, 7, {"action": "submit", "reason": None})),
              ("verify", v, _op("case.transition", case_id, 8, {"action": "verify", "reason": None})),
              ("refused", a, _op("case.transition", case_id, 9, {"action": "verify", "reason": None})),
              ("unknown", a, _op("case.frobnicate", case_id, 9, {}))]
    for _ in range(rounds):
        for name, token, op in later:
            counts.append(_replay(local_server, rnd, name, token, op, case_id))
            later = [(n, t, o) for n, t, o in later if o is not op]
    final = _state(local_server, case_id)[0]
    assert final["status"] == "verified"
    assert [e[0] for e in final["events"]] == ["edit", "edit", "resolve", "edit", "submit", "return", "submit",
                                               "verify"]
    assert len(final["attachments"]) == 3
    print(f"\nidempotency: seed {SEED}, {len(counts)} ops replayed {sum(counts)} times in all, one effect each")


def _replay(local: LocalServer, rnd: random.Random, name: str, token: str, op: dict[str, Any],
            case_id: str) -> int:
    [first] = _push(local, token, [op])
    after_first = _state(local, case_id)
    times = rnd.randint(1, 100)
    for _ in range(times):
        [again] = _push(local, token, [op])
        assert again == first, name
    assert _state(local, case_id) == after_first, f"{name}: a replay changed the server"
    # the same op id with any other body is refused, and changes nothing
    changed = dict(op, payload={**op["payload"], "extra": rnd.random()})
    [reused] = _push(local, token, [changed])
    assert reused["status"] == "rejected" and reused["errno"] == 106, (name, reused)
    assert _state(local, case_id) == after_first
    return times


def test_a_replayed_batch_mixing_new_and_old_ops(local_server: LocalServer) -> None:
    """A laptop killed after the server committed resends the whole batch plus new ops: old ones get
    their first answers, new ones apply once."""
    token = local_server.token("siti")
    made = [str(uuid.uuid4()) for _ in range(6)]
    ops = [_op("case.create", c, 0, {"case": {"id": c, "service": "SKD", "nik": "3573015708900003",
                                              "name": f"Warga {i}", "fields": {}}}) for i, c in enumerate(made)]
    first = _push(local_server, token, ops[:3])
    second = _push(local_server, token, ops)
    assert second[:3] == first and all(r["status"] == "applied" for r in second)
    assert sorted(c["id"] for c in local_server.all_cases()) == sorted(made)


def test_blob_put_replayed_and_resumed(local_server: LocalServer) -> None:
    token = {"Authorization": f"Bearer {local_server.token('siti')}"}
    data = random.Random(SEED).randbytes(3 * 1000 + 17)
    sha = hashlib.sha256(data).hexdigest()
    url = f"{API}/blobs/{sha}"
    for _ in range(5):  # the first part sent again and again (answers lost)
        part = local_server.http.put(url, params={"offset": 0, "final": False}, content=data[:1000], headers=token)
        assert part.json() == {"sha256": sha, "size": 1000, "complete": False}
    status = local_server.http.get(f"{url}/status", headers=token).json()
    assert status == {"sha256": sha, "size": 1000, "complete": False}
    beyond = local_server.http.put(url, params={"offset": 2000, "final": False}, content=data[2000:], headers=token)
    assert beyond.status_code == 409 and beyond.json()["errno"] == 112
    done = local_server.http.put(url, params={"offset": status["size"], "final": True}, content=data[1000:],
                                 headers=token)
    assert done.json() == {"sha256": sha, "size": len(data), "complete": True}
    for _ in range(3):  # the final part replayed after completion: same answer, same bytes
        again = local_server.http.put(url, params={"offset": 1000, "final": True}, content=data[1000:], headers=token)
        assert again.json() == done.json()
    from sqlalchemy import select

    from sync.server import storage as t

    with local_server.server.engine.connect() as conn:
        stored = conn.execute(select(t.blobs.c.data).where(t.blobs.c.sha256 == sha)).scalar_one()
    assert bytes(stored) == data
    # no case references it yet: only the device that uploaded it may download it
    assert local_server.http.get(url, headers=token).content == data
    other = {"Authorization": f"Bearer {local_server.token('bambang')}"}
    assert local_server.http.get(url, headers=other).status_code == 404


class CutAfter(SyncClient):
    """A SyncClient whose connection dies after ``n`` blob chunks."""

    def __init__(self, inner: SyncClient, n: int) -> None:
        self.__dict__.update(inner.__dict__)
        self.left = n
        self.offsets: list[int] = []

    def blob_put(self, sha256: str, offset: int, chunk: bytes, final: bool) -> tuple[int, bool]:
        self.offsets.append(offset)
        if self.left == 0:
            raise OfflineError(url=self.base_url)
        self.left -= 1
        return super().blob_put(sha256, offset, chunk, final)


def test_interrupted_upload_resumes_from_the_servers_size(local_server: LocalServer, tmp_path: Path) -> None:
    from app.services import cases

    ws = new_workspace(tmp_path / "laptop")
    token = enroll_workspace(ws, local_server, "siti")
    big = tmp_path / "kk.pdf"
    data = PDF_HEAD + random.Random(SEED).randbytes(2 * BLOB_CHUNK + 12345)
    big.write_bytes(data)
    cases.create(ws, ws.actor("siti"), "SKD", "3573015708900003", "Ani", SKD_FIELDS, {"kk": big})
    cut = CutAfter(local_server.client(token), 1)
    engine = SyncEngine(ws, clients={"siti": cut})
    with contextlib.suppress(OfflineError):
        engine.push(SyncReport())
    assert cut.offsets == [0, BLOB_CHUNK]
    sha = hashlib.sha256(data).hexdigest()
    assert local_server.server.blob_status(local_server.server.authenticate(token), sha) == (BLOB_CHUNK, False)
    resumed = CutAfter(local_server.client(token), 99)
    SyncEngine(ws, clients={"siti": resumed}).run()
    assert resumed.offsets == [BLOB_CHUNK, 2 * BLOB_CHUNK], "the upload restarted instead of resuming"
    assert local_server.server.blob_get(local_server.server.authenticate(token), sha) == data
    assert [c for c in local_server.all_cases() if c["office"] == OFFICE][0]["documents"][0]["sha256"] == sha
