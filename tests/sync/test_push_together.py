"""A run of edits and transitions in one push is written with one statement per kind, and answers every op —
conflicts, refusals, versions, merged fields, events, the citizens' notifications — exactly as applying the ops
one by one does. Each scenario is pushed to two fresh servers, one of them made to apply op by op, and the
answers and the cases they leave are compared (on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, select

from app import clock
from app.domain.registration import format_reg_no
from sync.protocol import Op
from sync.server import storage as t
from sync.server.core import Server
from sync.server.ops import OpApplier
from sync.server.storage import make_engine

OFFICE = "35.73.02.1008"
FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
          "no_kk": "3573021204180003", "alamat": "Jl. Ijen 5", "keperluan": "Melamar kerja",
          "telepon": "0812-3456-7890", "izin_kabar": "ya"}
MOMENT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _op(kind: str, case_id: str, payload: dict[str, Any], base: int) -> Op:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id, "base_version": base, "payload": payload}


def _reg(serial: int) -> str:
    return format_reg_no("SKD", MOMENT.year, OFFICE, serial)


class Office:
    """A server with two laptops of one counter clerk (A, B) and a verifier (V)."""

    def __init__(self, engine: Engine, one_by_one: bool) -> None:
        self.engine = engine
        self.srv = Server.open(engine)
        self.srv.init()
        if one_by_one:
            self.srv = _OneByOne(engine, self.srv.catalog, self.srv.offices)
        siti = self.srv.add_user("siti", "Siti", "petugas", OFFICE)
        self.a = self.srv.authenticate(self.srv.enroll(siti, "A")["token"])
        self.b = self.srv.authenticate(self.srv.enroll(self.srv.enrolment_code("siti"), "B")["token"])
        verifier = self.srv.add_user("bambang", "Bambang", "verifikator", OFFICE)
        self.v = self.srv.authenticate(self.srv.enroll(verifier, "V")["token"])

    def push(self, who: str, ops: list[Op]) -> list[dict[str, Any]]:
        return [dict(r) for r in self.srv.push(getattr(self, who), ops)]

    def state(self, case_ids: list[str]) -> dict[str, Any]:
        with self.engine.connect() as conn:
            outbox = [dict(r._mapping) for r in conn.execute(select(t.notify_outbox).order_by(t.notify_outbox.c.id))]
            conflicts = [dict(r._mapping) for r in conn.execute(select(t.conflicts).order_by(t.conflicts.c.op_id,
                                                                                            t.conflicts.c.field))]
        cases = [self.srv.case(self.a, cid) for cid in case_ids]
        for case in cases:
            case.pop("seq")
        return {"cases": cases, "outbox": outbox, "conflicts": conflicts}


class _OneByOne(Server):
    @property
    def applier(self) -> OpApplier:
        applier = super().applier
        applier._apply_together = lambda *args: None  # type: ignore[method-assign]
        return applier


def _named(value: Any, keep: set[str]) -> str:
    """``value`` as JSON with every generated id (devices, conflicts) named by its first appearance, and without
    the cases' places in the feed (a PostgreSQL sequence's numbers may have gaps)."""
    names: dict[str, str] = {}
    text = re.sub(r'"seq": \d+', '"seq": 0', json.dumps(value, sort_keys=True, default=str))
    return UUID.sub(lambda m: m[0] if m[0] in keep else names.setdefault(m[0], f"id{len(names)}"), text)


@pytest.fixture
def offices(backend: str, tmp_path: Any, request: pytest.FixtureRequest,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Office, Office]]:
    monkeypatch.setattr(clock, "now", lambda: MOMENT)
    engines = []
    for name in ("together", "one"):
        if backend == "postgres":
            engines.append(make_engine(request.getfixturevalue("pg_cluster").create_database()))
        else:
            engines.append(make_engine(f"sqlite:///{tmp_path / name}.db"))
    yield Office(engines[0], one_by_one=False), Office(engines[1], one_by_one=True)
    for engine in engines:
        engine.dispose()


def _new_cases(count: int, docs: bool = True) -> tuple[list[Op], list[bytes]]:
    ops: list[Op] = []
    scans: list[bytes] = []
    for i in range(count):
        case_id = str(uuid.uuid4())
        scans.append(b"%PDF-1.4\n% scan " + case_id.encode() + b"\n%%EOF\n")
        sha = hashlib.sha256(scans[-1]).hexdigest()
        ops.append(_op("case.create", case_id, {"case": {"id": case_id, "service": "SKD", "name": f"Warga {i}",
                                                         "nik": f"35730157089{i + 1:05d}", "fields": FIELDS,
                                                         "due_date": "2026-03-05"}}, 0))
        ops += [_op("attachment.add", case_id, {"doc_code": doc, "sha256": sha, "filename": f"{doc}.pdf",
                                                "size": len(scans[-1]), "mime": "application/pdf"}, 1)
                for doc in (("ktp", "kk", "pengantar_rt") if docs else ())]
    return ops, scans


def test_a_run_of_edits_and_transitions_answers_as_one_by_one(offices: tuple[Office, Office]) -> None:
    together, alone = offices
    made, scans = _new_cases(6)
    made += _new_cases(1, docs=False)[0]
    for office in offices:
        for scan in scans:
            office.srv.blob_put(office.a, hashlib.sha256(scan).hexdigest(), 0, scan, True)
    cases = [str(op["case_id"]) for op in made if op["kind"] == "case.create"]
    c0, c1, c2, c3, c4, c5, bare = cases
    other = [_op("case.edit", c0, {"fields": {"alamat": "Jl. Semeru 1"}}, 1)]  # laptop B, first
    mine = [  # laptop A: one run of edits and transitions, nothing refused
        _op("case.edit", c0, {"fields": {"alamat": "Jl. Ijen 9", "keperluan": "Sekolah"}}, 1),  # one conflict
        _op("case.edit", c1, {"nik": "3573015708900099", "name": "Warga Baru"}, 1),
        _op("case.edit", c1, {"fields": {"alamat": "Jl. Ijen 10", "telepon": None}}, 2),
        _op("case.transition", c1, {"action": "submit", "reason": None, "reg_no": _reg(7),
                                    "access_code": "ABCDEFGHJK"}, 3),
        _op("case.transition", c2, {"action": "submit", "reason": None, "reg_no": _reg(8)}, 1),
        _op("case.transition", c3, {"action": "submit", "reason": None}, 1),
        _op("case.edit", c4, {"fields": {"alamat": "Jl. Ijen 12"}}, 1),
    ]
    refused = [  # laptop A: a run holding refusals (every op then gets its own answer, one by one)
        _op("case.edit", c4, {"fields": {"alamat": "Jl. Ijen 13"}}, 2),
        _op("case.transition", c4, {"action": "submit", "reason": None, "reg_no": _reg(7)}, 3),  # number taken
        _op("case.edit", c2, {"fields": {"alamat": "Jl. Ijen 14"}}, 2),  # submitted: not editable
        _op("case.transition", bare, {"action": "submit", "reason": None}, 1),  # documents missing
        _op("case.transition", str(uuid.uuid4()), {"action": "submit", "reason": None}, 1),  # unknown case
        _op("case.transition", c4, {"action": "submit", "reason": None, "reg_no": _reg(9)}, 3),
    ]
    checks = [  # the verifier: verifies two, returns one (a message to the citizen who agreed to it)
        _op("case.transition", c1, {"action": "verify", "reason": None}, 4),
        _op("case.transition", c2, {"action": "return", "reason": "KK tidak terbaca"}, 2),
        _op("case.transition", c3, {"action": "verify", "reason": None}, 2),
    ]
    twice = [_op("case.transition", c0, {"action": "submit", "reason": None, "reg_no": _reg(11)}, 2),
             _op("case.transition", c5, {"action": "submit", "reason": None, "reg_no": _reg(11)}, 1)]  # taken
    answers: list[list[list[dict[str, Any]]]] = []
    for office in offices:
        statements: list[str] = []

        def count(*args: Any, seen: list[str] = statements) -> None:
            seen.append(args[2])

        pushed = [office.push("a", made), office.push("b", other)]
        event.listen(office.engine, "before_cursor_execute", count)
        pushed.append(office.push("a", mine))
        event.remove(office.engine, "before_cursor_execute", count)
        pushed += [office.push("a", refused), office.push("v", checks), office.push("a", mine),  # a replay
                   office.push("a", twice)]
        answers.append(pushed)
        if office is together:  # the run: one look-up of its cases, one of documents and numbers, writes per kind
            assert sum(s.lstrip().upper().startswith("SELECT CASES.ID, CASES.SERVICE") for s in statements) == 1
    assert [a["status"] for a in answers[0][2]] == ["applied"] * len(mine)
    assert answers[0][2][0]["conflicts"][0]["field"] == "alamat"
    assert [a["status"] for a in answers[0][3]] == ["applied", "rejected", "rejected", "rejected", "rejected",
                                                    "applied"]
    assert [a["status"] for a in answers[0][4]] == ["applied"] * 3
    assert [a["status"] for a in answers[0][6]] == ["applied", "rejected"]
    keep = set(cases) | {str(op["op_id"]) for op in made + other + mine + refused + checks + twice}
    assert _named(answers[0], keep) == _named(answers[1], keep)
    assert _named(together.state(cases), keep) == _named(alone.state(cases), keep)
    assert len(together.state(cases)["outbox"]) == 1

