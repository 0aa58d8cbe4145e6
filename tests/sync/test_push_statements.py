"""A counter laptop's usual push costs few SQL statements (a run of documents, and a run of edits and
transitions, is written with one statement per kind), a run holding a refused document answers every op exactly
as applying them one by one would, and a push or a pull checks its token on the connection that serves it."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from sync.protocol import Op
from sync.server import storage as t
from sync.server.core import ApiError, Server
from sync.server.ops import OpApplier
from sync.server.storage import make_engine

OFFICE = "35.73.02.1008"
FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
          "no_kk": "3573021204180003", "alamat": "Jl. Ijen 5", "keperluan": "Melamar kerja"}


def _op(kind: str, case_id: str, payload: dict[str, Any], base: int) -> Op:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id, "base_version": base, "payload": payload}


def _new_case(srv: Server, ctx: Any, i: int, docs: tuple[str, ...] = ("ktp", "kk", "pengantar_rt")) -> list[Op]:
    case_id = str(uuid.uuid4())
    scan = b"%PDF-1.4\n% scan " + case_id.encode() + b"\n%%EOF\n"
    sha = hashlib.sha256(scan).hexdigest()
    srv.blob_put(ctx, sha, 0, scan, True)
    due = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    return [_op("case.create", case_id, {"case": {"id": case_id, "service": "SKD", "nik": f"35730157089{i + 1:05d}",
                                                  "name": f"Warga {i}", "fields": FIELDS, "due_date": due}}, 0),
            *[_op("attachment.add", case_id, {"doc_code": doc, "sha256": sha, "filename": f"{doc}.pdf",
                                              "size": len(scan), "mime": "application/pdf"}, 1) for doc in docs]]


def test_a_counter_laptops_push_costs_few_statements(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    srv = Server.open(engine)
    srv.init()
    ctx = srv.authenticate(srv.enroll(srv.add_user("siti", "Siti", "petugas", OFFICE), "w")["token"])
    first = [op for i in range(4) for op in _new_case(srv, ctx, i)]
    assert all(r["status"] == "applied" for r in srv.push(ctx, first))
    drafts = [op["case_id"] for op in first if op["kind"] == "case.create"]
    ops = [op for i in range(4, 8) for op in _new_case(srv, ctx, i)]
    ops += [_op("case.edit", str(cid), {"fields": {"alamat": "Jl. Ijen 9"}}, 1) for cid in drafts[:2]]
    ops += [_op("case.transition", str(cid), {"action": "submit", "reason": None}, 2 if j < 2 else 1)
            for j, cid in enumerate(drafts)]
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    results = srv.push(ctx, ops)
    assert [r["status"] for r in results] == ["applied"] * 22
    # 68 on PostgreSQL before runs of documents, 34 before runs of edits and transitions (19 here on SQLite)
    assert len(statements) <= 22, "\n".join(statements)
    engine.dispose()


def test_a_refused_document_in_a_run_gets_its_own_answer(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    srv = Server.open(engine)
    srv.init()
    ctx = srv.authenticate(srv.enroll(srv.add_user("siti", "Siti", "petugas", OFFICE), "w")["token"])
    made = _new_case(srv, ctx, 1, docs=())
    assert srv.push(ctx, made)[0]["status"] == "applied"
    case_id = str(made[0]["case_id"])
    sha = hashlib.sha256(b"x").hexdigest()
    run = [_op("attachment.add", case_id, {"doc_code": code, "sha256": sha, "filename": "a.pdf", "size": 1,
                                           "mime": "application/pdf"}, 1) for code in ("ktp", "tidak_ada", "kk")]
    run.append(_op("attachment.add", str(uuid.uuid4()), run[0]["payload"], 1))  # a case that does not exist
    answers = srv.push(ctx, run)
    assert [a["status"] for a in answers] == ["applied", "rejected", "applied", "rejected"]
    assert [a.get("errno") for a in answers[1::2]] == [107, 105]
    case = srv.case(ctx, case_id)
    assert sorted(d["doc_code"] for d in case["documents"]) == ["kk", "ktp"]
    engine.dispose()


def test_a_push_and_a_pull_check_their_token_on_their_own_connection(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    srv = Server.open(engine)
    srv.init()
    token = srv.enroll(srv.add_user("siti", "Siti", "petugas", OFFICE), "w")["token"]
    checkouts: list[object] = []
    event.listen(engine.pool, "checkout", lambda *a: checkouts.append(a))
    made = _new_case(srv, srv.authenticate(token), 1)
    checkouts.clear()
    assert [r["status"] for r in srv.push(token, made)] == ["applied"] * 4
    assert srv.changes(token, "0")["changes"][0]["id"] == made[0]["case_id"]
    assert len(checkouts) == 2  # one each
    srv.revoke(user="siti", reason="test")
    for call in (lambda: srv.push(token, made), lambda: srv.changes(token, "0"), lambda: srv.push("nope", made)):
        with pytest.raises(ApiError) as refused:
            call()
        assert refused.value.status in (401, 403)
    engine.dispose()


def test_a_devices_first_use_is_recorded_even_when_its_push_fails(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """From its first use on, the enrolment code cannot be replayed: that is recorded in a commit of its own."""
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    srv = Server.open(engine)
    srv.init()
    token = srv.enroll(srv.add_user("siti", "Siti", "petugas", OFFICE), "w")["token"]

    def broken(*_args: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(OpApplier, "apply_batch", broken)
    with pytest.raises(RuntimeError):
        srv.push(token, [])
    with engine.connect() as conn:
        assert conn.execute(select(t.devices.c.last_seen)).scalar() is not None
    engine.dispose()
