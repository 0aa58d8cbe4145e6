"""The server keeps registration numbers unique city-wide and checks what a submit and a hand-over carry."""

from __future__ import annotations

import uuid
from typing import Any

import requests

from support.server import ServerProcess
from sync.protocol import API, Errno

FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
          "no_kk": "3573021708900005", "alamat": "Jl. Kawi No. 12", "keperluan": "melamar pekerjaan"}
NIK = "3573015708900003"


def _op(kind: str, case_id: str, payload: dict[str, Any], base: int | None = None) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id, "base_version": base, "payload": payload}


def _complete_case() -> tuple[str, list[dict[str, Any]]]:
    case_id = str(uuid.uuid4())
    ops = [_op("case.create", case_id, {"case": {"id": case_id, "service": "SKD", "nik": NIK, "name": "Ani Lestari",
                                                  "fields": FIELDS}}, 0)]
    for i, doc in enumerate(("ktp", "kk", "pengantar_rt")):
        ops.append(_op("attachment.add", case_id, {"doc_code": doc, "sha256": f"{i:064x}", "filename": f"{doc}.pdf",
                                                   "size": 10, "mime": "application/pdf"}))
    return case_id, ops


def _submit(case_id: str, reg_no: Any, code: Any = "ABCDEFGH23") -> dict[str, Any]:
    return _op("case.transition", case_id, {"action": "submit", "reason": None, "reg_no": reg_no,
                                            "access_code": code}, 1)


def _push(server: ServerProcess, token: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
    answer = requests.post(f"{server.url}{API}/push", json={"ops": ops},
                           headers={"Authorization": f"Bearer {token}"}, timeout=60)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["results"])


def test_a_duplicate_or_malformed_registration_number_is_refused(server: ServerProcess) -> None:
    token = server.token("siti")
    first, ops_a = _complete_case()
    second, ops_b = _complete_case()
    third, ops_c = _complete_case()
    results = _push(server, token, [*ops_a, _submit(first, "SKD-2026-KLJ08-L0007"),
                                    *ops_b, _submit(second, "SKD-2026-KLJ08-L0007"),
                                    *ops_c, _submit(third, "=HYPERLINK(1)"),
                                    _submit(third, "SKTM-2026-KLJ08-0001"),
                                    _submit(third, "SKD-2026-BLB05-0001"),
                                    _submit(third, "SKD-2026-KLJ08-0002", code="0O1Il"),
                                    _submit(third, "SKD-2026-KLJ08-" + "9" * 40)])
    submits = [r for r in results if r["op_id"] not in {o["op_id"] for o in ops_a + ops_b + ops_c}]
    assert submits[0]["status"] == "applied"
    assert submits[1]["status"] == "rejected" and submits[1]["errno"] == Errno.REG_NO_TAKEN == 125
    assert "SKD-2026-KLJ08-L0007" in submits[1]["message"]
    assert [r["errno"] for r in submits[2:]] == [107] * 5, submits[2:]
    stored = {c["id"]: c for c in server.all_cases(token)}
    assert stored[first]["reg_no"] == "SKD-2026-KLJ08-L0007" and stored[first]["access_code"] == "ABCDEFGH23"
    assert stored[second]["status"] == "draft" and stored[second]["reg_no"] is None


def test_a_hand_over_record_is_bounded(server: ServerProcess) -> None:
    token = server.token("lurah")
    case_id = str(uuid.uuid4())
    too_long = {"name": "x" * 500, "relation": "keluarga", "id_shown": "KTP-el"}
    wrong_relation = {"name": "Budi", "relation": "tetangga", "id_shown": "KTP-el"}
    extra = {"name": "Budi", "relation": "kuasa", "id_shown": "KTP-el", "nik": NIK}
    on_submit = {"name": "Budi", "relation": "kuasa", "id_shown": "KTP-el"}
    ops = [_op("case.transition", case_id, {"action": "issue", "handover": h}, 1)
           for h in (too_long, wrong_relation, extra)]
    ops.append(_op("case.transition", case_id, {"action": "submit", "handover": on_submit}, 1))
    assert [r["errno"] for r in _push(server, token, ops)] == [107] * 4
