"""The leak oracle: nothing another office's device may not read ever leaves the server.

One office (Kelurahan Oro-oro Dowo) holds a signed case and a draft with an open conflict, planted with
marker values: NIK, name, address, family-card number, the bytes of a scanned document and of the signed
letter. Then every role of every other office (the demo users of other offices, a whole other kelurahan, the
victim office's own IT admin, and no token at all) calls every endpoint the server's ``/openapi.json`` lists
and pushes every op kind ``sync.protocol.OpKind`` lists, naming the victim's cases, document hashes and
letter. No response body or header may contain a marker, and each answer must be the answer the same call
gets for ids that do not exist (a refusal must not even tell whether the case exists).

A new endpoint or op kind is covered by itself; an endpoint the oracle cannot drive past request validation
fails the test (teach ``_body`` its schema). Known, documented exceptions to "same as an unknown id":
``case.create`` with a taken case id (an id is taken or it is not; the answer carries nothing else), and the
public letter page ``/verify/<id>``, which shows what the letter itself shows (no citizen's data).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import secrets
import uuid
from pathlib import Path
from typing import Any, get_args

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi.testclient import TestClient

from app.domain.lifecycle import Action
from app.signing.approvals import RecommendationEvent, content_hash, sign_recommendation
from app.signing.certificates import SignerIdentity, build_csr, load_certificate, serial_hex
from faults.test_signature_attacks import City
from sync.protocol import API, OpKind
from sync.server import storage as t
from sync.server.app import create_app
from sync.server.cli import DEMO_USERS
from sync.server.ops import DeviceCtx

VICTIM = "35.73.02.1008"
OTHER_KELURAHAN = "35.73.01.1005"
NIK = "3573024411850007"
NAME = "Kinanthi Larasati Oraklewati"
ADDRESS = "Jl. Rahasia Orakel No. 77"
KK = "3573021508120009"
SCAN_MARK = "KTP-SCAN-ORAKEL-" + secrets.token_hex(8)
SCAN = f"%PDF-1.4\n% {SCAN_MARK}\n1 0 obj << >> endobj\n%%EOF\n".encode()
FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1985-11-04", "jenis_kelamin": "P", "no_kk": KK,
          "alamat": ADDRESS, "keperluan": "Melamar pekerjaan"}
# retry_after counts down in seconds: two calls a moment apart on a busy machine may see 73 and 72
MASKED = {"op_id", "server_time", "seq", "cursor", "id", "created_at", "updated_at", "device_id", "token",
          "retry_after"}


class Attacker:
    def __init__(self, label: str, ctx: DeviceCtx | None, token: str | None,
                 key: ec.EllipticCurvePrivateKey | None = None, chain: list[Any] | None = None) -> None:
        self.label, self.ctx, self.token, self.key, self.chain = label, ctx, token, key, chain

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


class World:
    def __init__(self, folder: Path) -> None:
        self.city = City(folder)
        srv = self.city.server
        self.http = TestClient(create_app(srv), raise_server_exceptions=False)
        self.scan_sha = hashlib.sha256(SCAN).hexdigest()
        srv.blob_put(self.city.petugas, self.scan_sha, 0, SCAN, True)
        self.signed = self._signed_case()
        self.draft = self._draft_with_conflict()
        with srv.engine.connect() as conn:
            letter = bytes(conn.execute(t.blobs.select().where(
                t.blobs.c.sha256 == self.signed["letter_sha256"])).one().data)
        self.letter_sha = str(self.signed["letter_sha256"])
        self.markers = [NIK, NAME, ADDRESS, KK, SCAN_MARK, letter[len(letter) // 2:len(letter) // 2 + 48]]
        self.attackers = self._attackers()

    # ---- the victim --------------------------------------------------------------------------------
    def _push(self, ctx: DeviceCtx, kind: str, case_id: str, payload: dict[str, Any], base: int | None = None
              ) -> dict[str, Any]:
        op = {"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id, "base_version": base,
              "payload": payload}
        result = dict(self.city.server.push(ctx, [op])[0])  # type: ignore[list-item]
        assert result["status"] == "applied", result
        return result

    def _new_case(self) -> str:
        case_id = str(uuid.uuid4())
        self._push(self.city.petugas, "case.create", case_id, {"case": {
            "id": case_id, "service": "SKD", "nik": NIK, "name": NAME, "fields": FIELDS}}, 0)
        for doc in ("ktp", "kk", "pengantar_rt"):
            self._push(self.city.petugas, "attachment.add", case_id, {
                "doc_code": doc, "sha256": self.scan_sha, "filename": f"{doc}.pdf", "size": len(SCAN),
                "mime": "application/pdf"})
        return case_id

    def _signed_case(self) -> dict[str, Any]:
        city = self.city
        case_id = self._new_case()
        self._push(city.petugas, "case.transition", case_id, {"action": "submit", "reason": None}, 1)
        self._push(city.verifikator, "case.transition", case_id, {"action": "verify", "reason": None}, 2)
        event, op = city.approval(city.server.case(city.verifikator, case_id))
        assert city.push(city.lurah, op)["status"] == "applied"
        city.accepted(event)
        return city.server.case(city.verifikator, case_id)

    def _draft_with_conflict(self) -> dict[str, Any]:
        case_id = self._new_case()
        petugas = self.city.petugas
        second = DeviceCtx(str(uuid.uuid4()), petugas.username, petugas.full_name, petugas.role, petugas.office)
        for ctx, value in ((second, ADDRESS + " Blok A"), (petugas, ADDRESS + " Blok B")):
            self.city.server.push(ctx, [{"op_id": str(uuid.uuid4()), "kind": "case.edit", "case_id": case_id,
                                         "base_version": 1, "payload": {"fields": {"alamat": value}}}])
        case = self.city.server.case(petugas, case_id)
        assert case["conflicts"], "the draft should hold an open conflict"
        return case

    # ---- the others --------------------------------------------------------------------------------
    def _attackers(self) -> list[Attacker]:
        srv = self.city.server
        people = [(u, full, role, office) for u, full, role, office, _nip, _pos in DEMO_USERS
                  if office != VICTIM and u not in ("lurahklojen",)]
        people += [(f"{role[:4]}1005", f"Pegawai {role}", role, OTHER_KELURAHAN)
                   for role in ("petugas", "verifikator", "penandatangan", "admin")]
        people.append(("adminoro", "Admin TI Oro-oro Dowo", "admin", VICTIM))
        found = [Attacker("lurahklojen", self.city.other, self._token_of(self.city.other), self.city.other_key,
                          self.city.other_chain)]
        for username, full, role, office in people:
            code = srv.add_user(username, full, role, office, "197504171998031003", "Pegawai")
            token = str(srv.enroll(code, f"{username}-pc")["token"])
            ctx = srv.authenticate(token)
            key = chain = None
            if role == "penandatangan":
                key = ec.generate_private_key(ec.SECP256R1())
                csr = build_csr(key, SignerIdentity(full, "197504171998031003", "Pegawai", office))
                answer = srv.issue_certificate(ctx, csr.public_bytes(serialization.Encoding.PEM).decode())
                chain = [load_certificate(answer["certificate_pem"].encode()), srv.authority.root]  # type: ignore[union-attr]
            found.append(Attacker(f"{username} ({role}, {office})", ctx, token, key, chain))
        found.append(Attacker("anonymous", None, None))
        return found

    def _token_of(self, ctx: DeviceCtx) -> str:
        code = self.city.server.enrolment_code(ctx.username)
        token = str(self.city.server.enroll(code, "second-pc")["token"])
        return token


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return World(tmp_path_factory.mktemp("oracle"))


# ---- checking answers -------------------------------------------------------------------------------
def _leaks(world: World, response: Any) -> list[str]:
    text = response.content + "\n".join(f"{k}: {v}" for k, v in response.headers.items()).encode()
    found = []
    for marker in world.markers:
        raw = marker if isinstance(marker, bytes) else marker.encode()
        if raw in text or base64.b64encode(raw)[:-4] in text:
            found.append(repr(marker)[:40])
    return found


def _shape(value: Any, swap: dict[str, str]) -> Any:
    """An answer with volatile values masked and the twin's ids put back to the victim's."""
    if isinstance(value, dict):
        return {k: "*" if k in MASKED else _shape(v, swap) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(v, swap) for v in value]
    if isinstance(value, str):
        for twin, real in swap.items():
            value = value.replace(twin, real)
        return value
    return value


def _answer(response: Any, swap: dict[str, str]) -> Any:
    try:
        body: Any = response.json()
    except ValueError:
        body = response.content
    return response.status_code, _shape(body, swap)


# ---- generating the calls ---------------------------------------------------------------------------
def _ids(world: World) -> list[dict[str, str]]:
    """What a call may name: each of the victim's cases with its document hash and its letter."""
    return [{"case": world.signed["id"], "sha": world.scan_sha},
            {"case": world.signed["id"], "sha": world.letter_sha},
            {"case": world.draft["id"], "sha": world.scan_sha}]


def _twin(names: dict[str, str]) -> dict[str, str]:
    return {"case": str(uuid.uuid4()), "sha": secrets.token_hex(32)}


def _resolve(spec: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _string(schema: dict[str, Any], name: str, names: dict[str, str]) -> str:
    if "office" in name:
        return VICTIM
    if "pem" in name:  # a key or certificate names no case: the same junk for every call
        return "-----BEGIN CERTIFICATE REQUEST-----" + "A" * int(schema.get("minLength", 64))
    if schema.get("pattern") == "^[0-9a-f]{64}$" or "sha" in name:
        return names["sha"]
    text = names["case"]
    low, high = int(schema.get("minLength", 0)), int(schema.get("maxLength", 10_000))
    while len(text) < low:
        text += " " + names["case"]
    return text[:high]


def _body(spec: dict[str, Any], schema: dict[str, Any], name: str, names: dict[str, str]) -> Any:
    schema = _resolve(spec, schema)
    if "anyOf" in schema:
        schema = _resolve(spec, next(s for s in schema["anyOf"] if s.get("type") != "null"))
    kind = schema.get("type")
    if kind == "object" and "properties" in schema:
        return {k: _body(spec, v, k, names) for k, v in schema["properties"].items()}
    if kind == "object":
        return {"case_id": names["case"], "sha256": names["sha"], "office": VICTIM}
    if kind == "array":
        return [_body(spec, schema.get("items", {}), name, names)]
    if kind == "integer":
        return int(schema.get("default", schema.get("minimum", 0)))
    if kind == "boolean":
        return bool(schema.get("default", True))
    return _string(schema, name, names)


def _endpoint_calls(spec: dict[str, Any], names: dict[str, str]) -> list[tuple[str, str, dict[str, Any]]]:
    calls = []
    for path, methods in spec["paths"].items():
        for method, op in methods.items():
            url = path
            query: dict[str, Any] = {}
            for param in op.get("parameters", []):
                pname, where = param["name"], param["in"]
                if where == "path":
                    value = names["sha"] if "sha" in pname else names["case"]
                    url = url.replace("{" + pname + "}", value)
                elif where == "query":
                    query[pname] = _body(spec, param.get("schema", {}), pname, names)
            kwargs: dict[str, Any] = {"params": query}
            content = op.get("requestBody", {}).get("content", {}).get("application/json")
            if path == f"{API}/push":
                continue  # pushed op by op below
            if content:
                kwargs["json"] = _body(spec, content["schema"], "", names)
            elif method == "put":
                kwargs["content"] = b"not the document " + names["case"].encode()
            calls.append((method.upper(), url, kwargs))
    return calls


def _ops(world: World, who: Attacker, names: dict[str, str]) -> list[dict[str, Any]]:
    case_id, sha = names["case"], names["sha"]
    conflict = world.draft["conflicts"][0]["id"] if case_id == world.draft["id"] else str(uuid.uuid4())
    payloads: dict[str, list[dict[str, Any]]] = {
        "case.create": [{"case": {"id": case_id, "service": "SKD", "nik": "3573015708900003", "name": "Penyusup",
                                  "fields": {}}}],
        "case.edit": [{"fields": {"alamat": "Jl. Lain 1"}}, {"nik": "3573015708900003"}],
        "case.transition": [{"action": a.value, "reason": "alasan yang jelas"} for a in Action],
        "attachment.add": [{"doc_code": "ktp", "sha256": sha, "filename": "ktp.pdf", "size": 10,
                            "mime": "application/pdf"}],
        "conflict.resolve": [{"conflict_id": conflict, "value": "Jl. Lain 2"}],
        "approval": [_approval(world, who, case_id)],
        "recommendation": [_recommendation(world, who, case_id)],
    }
    missing = set(get_args(OpKind)) - set(payloads)
    assert not missing, f"the oracle does not know how to name a case in op kinds {missing}: teach _ops"
    return [{"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id, "base_version": 1, "payload": p}
            for kind in get_args(OpKind) for p in payloads[kind]]


def _approval(world: World, who: Attacker, case_id: str) -> dict[str, Any]:
    """A genuine approval by ``who``'s own key when it has one (else one made with the victim's signer's key,
    as if stolen) over the victim's content as it was signed."""
    city = world.city
    case = {**world.signed, "id": case_id}
    key, chain = (who.key, who.chain) if who.key and who.chain else (city.key, city.chain)
    device = who.ctx.device_id if who.ctx else str(uuid.uuid4())
    # always the device's first event: every one is refused, so the server's chain never moves
    _event, op = city.approval(case, key=key, chain=chain, device=device, number=999, counter=1, prev=None)
    return dict(op["payload"])


def _recommendation(world: World, who: Attacker, case_id: str) -> dict[str, Any]:
    """A genuine endorsement step signed by ``who``'s key (or the victim's signer's, as if stolen) over the
    victim's content, for the first signing step at the victim's office."""
    city = world.city
    case = {**world.signed, "id": case_id}
    key, chain = (who.key, who.chain) if who.key and who.chain else (city.key, city.chain)
    content = {k: case[k] for k in ("id", "service", "office", "nik", "name", "fields")}
    event = RecommendationEvent(case_id=case_id, case_version=int(case["version"]), content_hash=content_hash(content),
                                step=2, office=str(case["office"]), signer_cert_serial=serial_hex(chain[0]),
                                device_id=who.ctx.device_id if who.ctx else str(uuid.uuid4()), device_counter=1,
                                prev_event_hash=None)
    return dict(sign_recommendation(event, key).to_dict())


# ---- the oracle -------------------------------------------------------------------------------------
def test_no_response_to_another_office_carries_the_victims_data(world: World) -> None:
    spec = world.http.get("/openapi.json").json()
    failures: list[str] = []
    exercised: dict[str, bool] = {}
    for who in world.attackers:
        for names in _ids(world):
            twin = _twin(names)
            swap = {twin[k]: names[k] for k in names}
            for (method, url, kwargs), (_m, twin_url, twin_kwargs) in zip(
                    _endpoint_calls(spec, names), _endpoint_calls(spec, twin), strict=True):
                got = world.http.request(method, url, headers=who.headers, **kwargs)
                key = f"{method} {re.sub(r'[0-9a-f-]{36}|[0-9a-f]{64}', '{}', url)}"
                exercised[key] = exercised.get(key, False) or not _schema_refused(got)
                failures += [f"{who.label}: {method} {url} leaks {m}" for m in _leaks(world, got)]
                if url.startswith("/verify/") or (url, kwargs) == (twin_url, twin_kwargs):
                    continue  # the public letter page (see the module doc), or a call that names nothing
                unknown = world.http.request(method, twin_url, headers=who.headers, **twin_kwargs)
                if _answer(got, swap) != _answer(unknown, swap):
                    failures.append(f"{who.label}: {method} {url} answers {_answer(got, swap)} but an unknown "
                                    f"id gets {_answer(unknown, swap)}")
            failures += _push_both(world, who, names, twin, swap)
    failures += [f"the oracle could not exercise {k} past request validation: teach _body" for k, ok in
                 exercised.items() if not ok]
    assert not failures, "\n".join(failures[:40])


def _schema_refused(response: Any) -> bool:
    if response.status_code == 405:
        return True
    if response.status_code != 422:
        return False
    try:
        return bool(response.json().get("errno") == 114)  # INVALID_REQUEST
    except ValueError:
        return False


def _push_both(world: World, who: Attacker, names: dict[str, str], twin: dict[str, str],
               swap: dict[str, str]) -> list[str]:
    failures = []
    for op, twin_op in zip(_ops(world, who, names), _ops(world, who, twin), strict=True):
        got = world.http.post(f"{API}/push", json={"ops": [op]}, headers=who.headers)
        failures += [f"{who.label}: push {op['kind']} {op['payload'].get('action', '')} leaks {m}"
                     for m in _leaks(world, got)]
        if op["kind"] == "case.create":
            continue  # an id is taken or it is not (see the module doc); the twin would make the unknown case
        unknown = world.http.post(f"{API}/push", json={"ops": [twin_op]}, headers=who.headers)
        if _answer(got, swap) != _answer(unknown, swap):
            failures.append(f"{who.label}: push {op['kind']} {op['payload'].get('action', '')} answers "
                            f"{_answer(got, swap)} but for an unknown case {_answer(unknown, swap)}")
    return failures


def test_attaching_anothers_hash_to_ones_own_case_gives_no_bytes(world: World) -> None:
    """A counter of another kelurahan attaches the victim's scan and letter hashes to a case of its own: the
    attachments are recorded like any other (the answer must not tell whether the hash exists), but neither
    the blob, its status nor the own case's feed gives the bytes, and the answers match an unknown hash's."""
    who = next(a for a in world.attackers if a.label.startswith("petu1005"))
    own = str(uuid.uuid4())
    create = {"op_id": str(uuid.uuid4()), "kind": "case.create", "case_id": own, "base_version": 0,
              "payload": {"case": {"id": own, "service": "SKD", "nik": "3573015708900003", "name": "Penyusup",
                                   "fields": {}}}}
    assert world.http.post(f"{API}/push", json={"ops": [create]}, headers=who.headers).json()["results"][0][
        "status"] == "applied"
    for sha in (world.scan_sha, world.letter_sha):
        twin = secrets.token_hex(32)
        answers = []
        for name in (sha, twin):
            op = {"op_id": str(uuid.uuid4()), "kind": "attachment.add", "case_id": own, "base_version": None,
                  "payload": {"doc_code": "ktp", "sha256": name, "filename": "ktp.pdf", "size": len(SCAN),
                              "mime": "application/pdf"}}
            pushed = world.http.post(f"{API}/push", json={"ops": [op]}, headers=who.headers)
            status = world.http.get(f"{API}/blobs/{name}/status", headers=who.headers)
            blob = world.http.get(f"{API}/blobs/{name}", headers=who.headers)
            for response in (pushed, status, blob):
                assert not _leaks(world, response), response.content[:200]
            answers.append(_answer(pushed, {twin: sha}) + _answer(status, {twin: sha}) + _answer(blob, {twin: sha}))
        assert answers[0] == answers[1]
        assert answers[0][0] == 200 and answers[0][4] == 404
    feed = world.http.get(f"{API}/changes", headers=who.headers)
    assert not _leaks(world, feed)
    assert json.loads(feed.content)["changes"], "the attacker's own case is in its feed"


def test_the_victims_office_reads_its_own_case(world: World) -> None:
    """The oracle's markers are really there for whoever may read them (else it would prove nothing)."""
    headers = {"Authorization": f"Bearer {world._token_of(world.city.petugas)}"}
    case = world.http.get(f"{API}/cases/{world.signed['id']}", headers=headers)
    assert NIK in case.text and NAME in case.text and ADDRESS in case.text
    assert SCAN_MARK.encode() in world.http.get(f"{API}/blobs/{world.scan_sha}", headers=headers).content
    letter = world.http.get(f"{API}/blobs/{world.letter_sha}", headers=headers).content
    assert world.markers[-1] in letter
    refused = world.http.post(f"{API}/push", headers=headers, json={"ops": [{
        "op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": world.signed["id"], "base_version": 1,
        "payload": {"action": "submit", "reason": None}}]}).json()["results"][0]
    assert refused["status"] == "rejected" and refused["case"]["nik"] == NIK  # own office: the refusal has it
