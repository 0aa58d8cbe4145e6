"""Who may do what, written out cell by cell: every role × every sync endpoint and every op kind × a case
of the device's own office or of another office. Each cell is the exact answer the server must give.

Roles are the demo users of Kelurahan Oro-oro Dowo (35.73.02.1008) plus an admin TI of the same office;
the "other" office is Kelurahan Blimbing (35.73.01.1005), whose petugas makes the other office's cases.
Signing endpoints and the ``approval`` op belong to the signing suite.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from faults.harness import OFFICE, OTHER_OFFICE, SKD_FIELDS, LocalServer
from sync.protocol import API
from sync.server.ops import DeviceCtx

ROLES = ("petugas", "verifikator", "penandatangan", "admin")
USERS = {"petugas": "siti", "verifikator": "bambang", "penandatangan": "lurah", "admin": "admin"}
A = "applied"  # an op result
OK = 200

# ---- endpoints: (method, path template, body) → {role: (own-office status, other-office status)} -----------
# "own"/"other" is the office of the case or blob the path names; ``-`` rows do not depend on an office.
ENDPOINTS: dict[str, dict[str, tuple[int, int]]] = {
    #                                   petugas      verifikator   penandatangan  admin
    "GET /ping":                      {"petugas": (OK, OK), "verifikator": (OK, OK), "penandatangan": (OK, OK),
                                       "admin": (OK, OK)},
    "GET /changes":                   {"petugas": (OK, OK), "verifikator": (OK, OK), "penandatangan": (OK, OK),
                                       "admin": (OK, OK)},
    # a case another office's device may not read answers as an unknown one (sync/server/visibility.py)
    "GET /cases/{id}":                {"petugas": (OK, 404), "verifikator": (OK, 404), "penandatangan": (OK, 404),
                                       "admin": (404, 404)},
    "GET /cases/{unknown}":           {"petugas": (404, 404), "verifikator": (404, 404),
                                       "penandatangan": (404, 404), "admin": (404, 404)},
    "GET /blobs/{sha}/status":        {"petugas": (OK, OK), "verifikator": (OK, OK), "penandatangan": (OK, OK),
                                       "admin": (OK, OK)},
    # a blob is read only through a case the office may see; IT's admin sees no citizen's documents
    "GET /blobs/{sha}":               {"petugas": (OK, OK), "verifikator": (OK, OK), "penandatangan": (OK, OK),
                                       "admin": (404, 404)},
    "PUT /blobs/{new}":               {"petugas": (OK, OK), "verifikator": (OK, OK), "penandatangan": (OK, OK),
                                       "admin": (OK, OK)},
    "POST /push (empty)":             {"petugas": (OK, OK), "verifikator": (OK, OK), "penandatangan": (OK, OK),
                                       "admin": (OK, OK)},
    "GET /ca":                        {"petugas": (OK, OK), "verifikator": (OK, OK), "penandatangan": (OK, OK),
                                       "admin": (OK, OK)},
}
# How many cases each role's /changes shows, of (own office, other office): admins see no citizen's data.
VISIBLE = {"petugas": (True, False), "verifikator": (True, False), "penandatangan": (True, False),
           "admin": (False, False)}
# Without a token, or with a revoked device's token, every endpoint but /ping answers 401 (101) / 403 (102).
ANONYMOUS = {k: (OK if k == "GET /ping" else 401) for k in ENDPOINTS}
REVOKED = {k: (OK if k == "GET /ping" else 403) for k in ENDPOINTS}

# ---- ops: kind/action on a case in ``status`` → {role: (own office, other office)} --------------------------
# A = applied; a number = the errno of the refusal (105: a case this device may not read — another office's,
# or any case for IT's admin — answered exactly as an unknown case; 108: this role may not take this step,
# or not in this status; 107: validation; 104: a case-less refusal, the service is not offered here).
OPS: dict[tuple[str, str], dict[str, tuple[int | str, int | str]]] = {
    #  (op, case status)                petugas      verifikator   penandatangan  admin
    ("case.create", "-"):            {"petugas": (A, 104), "verifikator": (108, 108), "penandatangan": (108, 108),
                                      "admin": (108, 108)},
    ("case.edit", "draft"):          {"petugas": (A, 105), "verifikator": (108, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("case.edit", "submitted"):      {"petugas": (108, 105), "verifikator": (108, 105),
                                      "penandatangan": (108, 105), "admin": (105, 105)},
    ("attachment.add", "draft"):     {"petugas": (A, 105), "verifikator": (108, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("attachment.add", "verified"):  {"petugas": (108, 105), "verifikator": (108, 105),
                                      "penandatangan": (108, 105), "admin": (105, 105)},
    ("conflict.resolve", "draft"):   {"petugas": (A, 105), "verifikator": (108, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("submit", "draft"):             {"petugas": (A, 105), "verifikator": (108, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("verify", "submitted"):         {"petugas": (108, 105), "verifikator": (A, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("verify", "draft"):             {"petugas": (108, 105), "verifikator": (108, 105),
                                      "penandatangan": (108, 105), "admin": (105, 105)},
    ("return", "submitted"):         {"petugas": (108, 105), "verifikator": (A, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("return", "verified"):          {"petugas": (108, 105), "verifikator": (A, 105), "penandatangan": (A, 105),
                                      "admin": (105, 105)},
    ("reject", "submitted"):         {"petugas": (108, 105), "verifikator": (A, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("reject", "verified"):          {"petugas": (108, 105), "verifikator": (A, 105), "penandatangan": (A, 105),
                                      "admin": (105, 105)},
    ("withdraw", "draft"):           {"petugas": (A, 105), "verifikator": (108, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("withdraw", "verified"):        {"petugas": (A, 105), "verifikator": (108, 105), "penandatangan": (108, 105),
                                      "admin": (105, 105)},
    ("issue", "verified"):           {"petugas": (108, 105), "verifikator": (108, 105),
                                      "penandatangan": (108, 105), "admin": (105, 105)},
    ("approve", "verified"):         {"petugas": (100, 105), "verifikator": (100, 105), "penandatangan": (100, 105),
                                      "admin": (105, 105)},  # approval is its own signed op kind, never a transition
    ("case.frobnicate", "draft"):    {"petugas": (109, 109), "verifikator": (109, 109), "penandatangan": (109, 109),
                                      "admin": (109, 109)},
}

BLOB = b"%PDF-1.4\n% a scan\n%%EOF\n"


class World:
    def __init__(self, local: LocalServer) -> None:
        self.local = local
        srv = local.server
        srv.add_user("admin", "Admin TI", "admin", OFFICE)
        srv.add_user("agus", "Agus Petugas", "petugas", OTHER_OFFICE)
        srv.add_user("eko", "Eko Sekretaris", "verifikator", OTHER_OFFICE)
        self.tokens = {role: local.token(USERS[role], f"{role}-pc") for role in ROLES}
        self.ctx = {role: srv.authenticate(token) for role, token in self.tokens.items()}
        self.office_ctx = {OFFICE: (self.ctx["petugas"], self.ctx["verifikator"]),
                           OTHER_OFFICE: (srv.authenticate(local.token("agus")), srv.authenticate(local.token("eko")))}
        self.sha = hashlib.sha256(BLOB).hexdigest()
        for petugas, _ in self.office_ctx.values():  # each office's counter uploads its own copy of the scan
            srv.blob_put(petugas, self.sha, 0, BLOB, True)
        self.revoked = local.token("siti", "stolen-pc")
        srv.revoke(device=srv.authenticate(self.revoked).device_id, reason="laptop stolen")

    def push(self, ctx: DeviceCtx, op: dict[str, Any]) -> dict[str, Any]:
        [result] = self.local.server.push(ctx, [op])  # type: ignore[list-item]
        return dict(result)

    def case(self, office: str, status: str) -> str:
        """A fresh SKD case of ``office`` in ``status``, made by that office's own staff."""
        petugas, verifikator = self.office_ctx[office]
        case_id = str(uuid.uuid4())
        steps: list[tuple[DeviceCtx, str, dict[str, Any]]] = [
            (petugas, "case.create", {"case": {"id": case_id, "service": "SKD", "nik": "3573015708900003",
                                               "name": "Ani Lestari", "fields": SKD_FIELDS}})]
        steps += [(petugas, "attachment.add", {"doc_code": d, "sha256": self.sha, "filename": f"{d}.pdf",
                                               "size": len(BLOB), "mime": "application/pdf"})
                  for d in ("ktp", "kk", "pengantar_rt")]
        if status in ("submitted", "verified"):
            steps.append((petugas, "case.transition", {"action": "submit", "reason": None}))
        if status == "verified":
            steps.append((verifikator, "case.transition", {"action": "verify", "reason": None}))
        for ctx, kind, payload in steps:
            result = self.push(ctx, {"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id,
                                     "base_version": None, "payload": payload})
            assert result["status"] == "applied", result
        return case_id

    def conflict(self, case_id: str, office: str) -> str:
        """Leave an open conflict on ``alamat`` (two devices of the office's petugas)."""
        petugas, _ = self.office_ctx[office]
        other = DeviceCtx(str(uuid.uuid4()), petugas.username, petugas.full_name, petugas.role, petugas.office)
        for ctx, value in ((other, "Jl. Kawi 1"), (petugas, "Jl. Semeru 2")):
            self.push(ctx, {"op_id": str(uuid.uuid4()), "kind": "case.edit", "case_id": case_id, "base_version": 1,
                            "payload": {"fields": {"alamat": value}}})
        [snap] = [c for c in self.local.all_cases() if c["id"] == case_id]
        return str(snap["conflicts"][0]["id"])


@pytest.fixture
def world(local_server: LocalServer) -> Iterator[World]:
    yield World(local_server)


def _op_for(world: World, kind: str, status: str, office: str) -> dict[str, Any]:
    op_id = str(uuid.uuid4())
    if kind == "case.create":
        new_id = str(uuid.uuid4())
        service = "SKD" if office == OFFICE else "RUJKES"  # "other office": a service another office owns
        fields = SKD_FIELDS if service == "SKD" else {}
        return {"op_id": op_id, "kind": kind, "case_id": new_id, "base_version": 0,
                "payload": {"case": {"id": new_id, "service": service, "nik": "3573015708900003",
                                     "name": "Budi", "fields": fields}}}
    case_id = world.case(office, status)
    if kind == "case.edit":
        payload: dict[str, Any] = {"fields": {"keperluan": "Beasiswa"}}
    elif kind == "attachment.add":
        payload = {"doc_code": "ktp", "sha256": world.sha, "filename": "ktp2.pdf", "size": len(BLOB),
                   "mime": "application/pdf"}
    elif kind == "conflict.resolve":
        payload = {"conflict_id": world.conflict(case_id, office), "value": "Jl. Ijen 3"}
    elif kind.startswith("case."):
        payload = {}
    else:
        payload = {"action": kind, "reason": "alasan yang jelas"}
        kind = "case.transition"
    return {"op_id": op_id, "kind": kind, "case_id": case_id, "base_version": 1, "payload": payload}


@pytest.mark.parametrize("row", list(OPS), ids=[f"{k}@{s}" for k, s in OPS])
def test_op_matrix(world: World, row: tuple[str, str]) -> None:
    kind, status = row
    failures = []
    for role in ROLES:
        for index, office in enumerate((OFFICE, OTHER_OFFICE)):
            expected = OPS[row][role][index]
            result = world.push(world.ctx[role], _op_for(world, kind, status, office))
            got: int | str = A if result["status"] == "applied" else int(result["errno"])
            if got != expected:
                failures.append(f"{role} on {'own' if index == 0 else 'other'} office: {got} (expected {expected}):"
                                f" {result.get('message')}")
    assert not failures, "\n".join(failures)


def _call(world: World, name: str, token: str | None, office: str) -> Any:
    http = world.local.http
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    method, path = name.split(" ")[:2]
    if "{id}" in path:
        path = path.replace("{id}", world.case(office, "draft"))
    path = path.replace("{unknown}", str(uuid.uuid4())).replace("{sha}", world.sha)
    if "{new}" in path:
        data = BLOB + uuid.uuid4().bytes
        return http.put(f"{API}{path.replace('{new}', hashlib.sha256(data).hexdigest())}", content=data,
                        headers=headers)
    if method == "POST":
        return http.post(f"{API}{path}", json={"ops": []}, headers=headers)
    return http.get(f"{API}{path}", headers=headers)


def test_endpoint_matrix(world: World) -> None:
    failures = []
    for name, row in ENDPOINTS.items():
        for role in ROLES:
            for index, office in enumerate((OFFICE, OTHER_OFFICE)):
                answer = _call(world, name, world.tokens[role], office)
                if answer.status_code != row[role][index]:
                    failures.append(f"{name} as {role} ({'own' if index == 0 else 'other'}): {answer.status_code}")
                elif answer.status_code >= 400:
                    assert answer.json()["errno"] == {403: 104, 404: 105}[answer.status_code], (name, role)
        for label, token, table, errno in (("anonymous", None, ANONYMOUS, 101),
                                           ("revoked", world.revoked, REVOKED, 102)):
            answer = _call(world, name, token, OFFICE)
            if answer.status_code != table[name]:
                failures.append(f"{name} as {label}: {answer.status_code}")
            elif answer.status_code >= 400:
                assert answer.json()["errno"] == errno, (name, label)
    assert not failures, "\n".join(failures)


def test_changes_show_only_the_offices_a_role_may_see(world: World) -> None:
    own, other = world.case(OFFICE, "draft"), world.case(OTHER_OFFICE, "draft")
    for role in ROLES:
        page = world.local.server.changes(world.ctx[role], 0, 5000)
        ids = {c["id"] for c in page["changes"]}
        assert (own in ids, other in ids) == VISIBLE[role], role
