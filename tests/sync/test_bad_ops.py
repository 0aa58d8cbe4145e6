"""A bad op is refused alone: checked for types, lengths, characters and times before it touches the
database, answered with errno 107, while the good ops of the same batch apply — on SQLite and PostgreSQL
(where a NUL byte in a name used to turn the whole batch into HTTP 500, for good)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import requests

from app import clock
from support.server import ServerProcess
from sync.protocol import API

FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
          "no_kk": "3573021708900005", "alamat": "Jl. Kawi No. 12", "keperluan": "melamar pekerjaan"}
NIK = "3573015708900003"


def _create(case: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    case_id = str(uuid.uuid4())
    body = {"id": case_id, "service": "SKD", "nik": NIK, "name": "Ani Lestari", "fields": dict(FIELDS),
            **changes} if case is None else case
    return {"op_id": str(uuid.uuid4()), "kind": "case.create", "case_id": case_id, "base_version": 0,
            "payload": {"case": body}}


def _push(server: ServerProcess, token: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = requests.post(f"{server.url}{API}/push", json={"ops": ops},
                           headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


def _at(years: int = 0, minutes: int = 0) -> str:
    return (clock.now() + dt.timedelta(days=365 * years, minutes=minutes)).isoformat().replace("+00:00", "Z")


BAD_CREATES: dict[str, dict[str, Any]] = {
    "NUL in the name": {"name": "Ani\x00Lestari"},
    "NIK as a number": {"nik": int(NIK)},
    "name as a list": {"name": ["Ani", "Lestari"]},
    "a 5,000-character field": {"fields": {**FIELDS, "alamat": "x" * 5000}},
    "a field as an object": {"fields": {**FIELDS, "alamat": {"jalan": {"nomor": [1, [2, [3, [4]]]]}}}},
    "nested junk": {"fields": [[[[[[["x"]]]]]]]},
    "a 5,000-character time": {"created_at": "2026-" + "1" * 5000},
    "a due date that is no date": {"due_date": "kemarin"},
    "a control character": {"name": "Ani\x1b[31mLestari"},
}


def test_each_bad_op_is_refused_alone_and_the_batch_goes_on(server: ServerProcess) -> None:
    token = server.token("siti")
    good_before, good_after = _create(created_at=_at(minutes=-30)), _create()
    bad = {label: _create(**changes) for label, changes in BAD_CREATES.items()}
    junk_envelopes = [
        {"op_id": str(uuid.uuid4()), "kind": ["case.create"], "case_id": None, "base_version": 0, "payload": {}},
        {"op_id": str(uuid.uuid4()), "kind": "case.edit", "case_id": 12345, "base_version": 1, "payload": {}},
        {"op_id": str(uuid.uuid4()), "kind": "case.edit", "case_id": str(uuid.uuid4()), "base_version": "one",
         "payload": {}},
        {"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": str(uuid.uuid4()), "base_version": 1,
         "payload": ["submit"]},
    ]
    ops = [good_before, *bad.values(), *junk_envelopes, good_after]
    results = _push(server, token, ops)
    assert [r["op_id"] for r in results] == [o["op_id"] for o in ops]
    assert results[0]["status"] == "applied" and results[-1]["status"] == "applied"
    for label, result in zip([*bad, *("envelope",) * len(junk_envelopes)], results[1:-1], strict=True):
        assert result["status"] == "rejected" and result["errno"] == 107, (label, result)
        assert "case" not in result
    stored = {c["id"]: c for c in server.all_cases(token)}
    assert set(stored) == {good_before["case_id"], good_after["case_id"]}
    assert stored[good_before["case_id"]]["created_at"] == good_before["payload"]["case"]["created_at"]


def test_an_implausible_device_time_is_not_stored_and_the_work_is_not_lost(server: ServerProcess) -> None:
    """A laptop whose clock said 2001 (a dead CMOS battery) or ten years ahead still delivers the citizen's
    case; the history takes the server's receipt time instead of the absurd one."""
    token = server.token("siti")
    before = clock.now()
    ops = [_create(created_at="2001-01-01T00:00:00Z"), _create(created_at=_at(years=10))]
    assert [r["status"] for r in _push(server, token, ops)] == ["applied", "applied"]
    stored = {c["id"]: c for c in server.all_cases(token)}
    for op in ops:
        when = dt.datetime.fromisoformat(stored[op["case_id"]]["created_at"].replace("Z", "+00:00"))
        assert abs(when - before) < dt.timedelta(minutes=5), stored[op["case_id"]]["created_at"]


def test_bad_edits_are_refused_alone(server: ServerProcess) -> None:
    token = server.token("siti")
    made = _create()
    case_id = made["case_id"]
    assert _push(server, token, [made])[0]["status"] == "applied"

    def edit(payload: Any) -> dict[str, Any]:
        return {"op_id": str(uuid.uuid4()), "kind": "case.edit", "case_id": case_id, "base_version": 1,
                "payload": payload}

    ops = [edit({"name": "Ani\x00"}), edit({"nik": 3573015708900003}), edit({"fields": {"alamat": ["x"]}}),
           edit({"fields": {"alamat": "y" * 5000}}), edit({"fields": {"alamat": "Jl. Ijen 5"}})]
    results = _push(server, token, ops)
    assert [r.get("errno") for r in results[:-1]] == [107] * 4, results
    assert results[-1]["status"] == "applied"
    [case] = [c for c in server.all_cases(token) if c["id"] == case_id]
    assert case["fields"]["alamat"] == "Jl. Ijen 5" and case["name"] == "Ani Lestari"


def test_conflict_resolve_is_checked_like_an_edit(server: ServerProcess) -> None:
    first, second = server.token("siti", "pc-1"), server.token("siti", "pc-2")
    made = _create()
    case_id = made["case_id"]
    assert _push(server, first, [made])[0]["status"] == "applied"
    for token, nik in ((first, "3573015708900011"), (second, "3573015708900029")):
        _push(server, token, [{"op_id": str(uuid.uuid4()), "kind": "case.edit", "case_id": case_id,
                               "base_version": 1, "payload": {"nik": nik}}])
    [case] = [c for c in server.all_cases(first) if c["id"] == case_id]
    [conflict] = case["conflicts"]
    assert conflict["field"] == "nik"

    def resolve(value: Any) -> dict[str, Any]:
        return {"op_id": str(uuid.uuid4()), "kind": "conflict.resolve", "case_id": case_id, "base_version": 2,
                "payload": {"conflict_id": conflict["id"], "value": value}}

    refused = _push(server, second, [resolve("<script>alert(1)</script>"), resolve("12345"), resolve(35730157)])
    assert [r.get("errno") for r in refused] == [107, 107, 107], refused
    assert _push(server, second, [resolve("3573015708900029")])[0]["status"] == "applied"
    [case] = [c for c in server.all_cases(first) if c["id"] == case_id]
    assert case["nik"] == "3573015708900029" and not case["conflicts"]
