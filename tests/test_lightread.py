"""``loket-cli case show`` reads through a light path (plain SELECTs, no SQLAlchemy) when the profile allows it;
what it prints is byte for byte what the ordinary path prints, and a store it was not written for is left to
the ordinary path. In-process: ``main`` run twice on the same profile, once with the light path turned off."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain.lifecycle import Action
from app.jsoncodec import to_json
from app.services import cases, caseview, handover
from app.services.workspace import Actor, Workspace
from app.storage import atrest, lightread
from app.storage.db import SCHEMA_HEAD
from app.storage.models import Case, CaseEvent, DeviceName, OutboxOp
from samples import NIK_MAN, NIK_WOMAN, SKD_FIELDS, documents
from ui.cli.__main__ import main

Run = Callable[..., tuple[int, str, str]]
SERVER_DEVICE = "8d1b7f0e-5a55-4c1e-9a53-2f1c3f2b9e10"
OTHER_LAPTOP = "0c5e3d2a-7b1f-4f61-8f0e-6a4d9c2e1b77"


@pytest.fixture
def run(ws: Workspace, profile: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Run:
    """``loket-cli --profile <profile> ARGS`` in this process, by the light path or (``light=False``) the
    ordinary one; each path is made to fail loudly if the other one answers."""

    def go(*args: str, light: bool = True) -> tuple[int, str, str]:
        with monkeypatch.context() as patch:
            if light:
                patch.setattr(cases, "show", _must_not_run)
            else:
                patch.setattr(caseview, "show_light", lambda *_a: None)
            code = main(["--profile", str(profile), *args])
        out = capsys.readouterr()
        return code, out.out, out.err

    return go


def _must_not_run(*_args: object) -> None:
    raise AssertionError("the ordinary path ran where the light one should have answered")


def _signed(ws: Workspace, case_id: str, lurah: Actor) -> None:
    """The case as the signing service leaves it: approved, its letter numbered and hashed, the signed step
    in its chain, an approval waiting in the outbox that the server refused, an older one handled."""
    with ws.db.write() as s:
        case = s.get(Case, case_id)
        assert case is not None
        at = "2026-03-02T03:04:05.000001Z"
        case.steps = to_json([{"step": 1, "office": case.office, "username": lurah.username,
                               "name": lurah.full_name, "position": "Lurah Oro-oro Dowo", "at": at,
                               "version": case.version, "signature": "c2ln"}])
        case.status, case.letter_number = "approved", "470/0042/35.73.02.1008/2026"
        case.letter_sha256 = "ab" * 32
        s.add(CaseEvent(case_id=case_id, action="approve", from_status="verified", to_status="approved",
                        actor=lurah.username, device=SERVER_DEVICE, reason=None, details=None, at=at,
                        received_at="2026-03-02T03:05:00.000000Z"))
        payload = to_json({"event": {"letter_number": case.letter_number}})
        for seq, (state, errno) in enumerate((("dismissed", 123), ("rejected", 121)), start=1):
            s.add(OutboxOp(op_id=f"00000000-0000-4000-8000-00000000000{seq}", kind="approval", case_id=case_id,
                           payload=payload, actor=lurah.username, created_at=at, state=state, errno=errno,
                           error="stale approval", refused_at="2026-03-02T04:00:00.000000Z"))
        s.add(OutboxOp(op_id="00000000-0000-4000-8000-000000000009", kind="case.transition", case_id=case_id,
                       payload=to_json({"action": "submit"}), actor="petugas", created_at=at, state="rejected",
                       errno=999, error=None, refused_at=None))
        s.add(DeviceName(id=SERVER_DEVICE, name="Laptop Lurah"))
        s.add(DeviceName(id=OTHER_LAPTOP, name="Laptop Loket 2"))
        from app.storage import meta

        meta.set_server_device(s, lurah.username, SERVER_DEVICE)
        meta.set_server_url(s, "https://loket.example.go.id/")


@pytest.fixture
def office_cases(ws: Workspace, staff: dict[str, Actor], petugas_lain: Actor, tmp_path: Path) -> dict[str, str]:
    """A signed and handed-over case with its whole history and documents, one refused at signing, a draft,
    and a case of another kelurahan that this laptop holds."""
    p, v, lurah = staff["petugas"], staff["verifikator"], staff["penandatangan"]
    docs = documents(tmp_path)
    rich = cases.create(ws, p, "SKD", NIK_WOMAN, "Siti Aminah", SKD_FIELDS, docs).id
    cases.transition(ws, p, rich, Action.SUBMIT)
    cases.transition(ws, v, rich, Action.RETURN, "foto KTP buram")
    cases.edit(ws, p, rich, {"keperluan": "pembukaan rekening"})
    cases.transition(ws, p, rich, Action.SUBMIT)
    cases.transition(ws, v, rich, Action.VERIFY)
    _signed(ws, rich, lurah)
    handover.hand_over(ws, p, rich, "Budi Santoso", "keluarga", "KTP 3573020101850001")
    refused = cases.create(ws, p, "SKD", NIK_MAN, "Budi Santoso", SKD_FIELDS, docs).id
    cases.transition(ws, p, refused, Action.SUBMIT)
    cases.transition(ws, v, refused, Action.VERIFY)
    cases.transition(ws, lurah, refused, Action.REJECT, "bukan warga kelurahan ini")
    draft = cases.create(ws, p, "SKD", NIK_WOMAN, "Siti Aminah", {}, {}).id
    other = cases.create(ws, petugas_lain, "SKD", NIK_MAN, "Agus Blimbing", SKD_FIELDS, docs).id
    with ws.db.read() as s:
        reg_no = s.get(Case, rich).reg_no  # type: ignore[union-attr]
    assert reg_no
    return {"rich": rich, "refused": refused, "draft": draft, "other": other, "reg_no": reg_no}


@pytest.mark.parametrize("language", ["id", "en"])
def test_both_paths_print_the_same_bytes(run: Run, office_cases: dict[str, str], language: str,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKET_LANG", language)
    rich = office_cases["rich"]
    idents = [rich, rich[:8], rich.upper(), f"  {rich[:6]} ", office_cases["reg_no"], office_cases["reg_no"].lower(),
              office_cases["refused"], office_cases["draft"][:8], office_cases["other"]]
    for ident in idents:
        for output in ([], ["--json"]):
            light = run(*output, "case", "show", ident)
            assert light[0] == 0, light
            assert light == run(*output, "case", "show", ident, light=False), ident
    shown = json.loads(run("--json", "case", "show", rich)[1])
    assert [e["action"] for e in shown["events"]] == ["create", "submit", "return", "edit", "submit", "verify",
                                                      "approve", "issue"]
    assert len(shown["documents"]) == 3 and shown["letter"]["verify_url"].startswith("https://loket.example")
    assert [r["handled"] for r in shown["refusals"]] == [True, False, False]
    assert shown["events"][6]["device_name"] == "Laptop Lurah" and shown["events"][6]["this_device"]
    assert shown["events"][-1]["handover"]["name"] == "Budi Santoso"
    text = run("case", "show", rich)[1]
    assert "Budi Santoso" in text and "→" in text
    other = json.loads(run("--json", "case", "show", office_cases["other"])[1])
    assert other["office"] == "35.73.01.1005"  # shown as the ordinary path shows it: the laptop holds it


@pytest.mark.parametrize("ident", ["ffffffff", "ab", "SKD-2026-XXX-9999", "%%%%", "a" * 5000,
                                   "'; DROP TABLE cases;--"], ids=["unknown", "short", "reg", "like", "huge", "sql"])
def test_a_case_not_found_is_refused_in_the_same_words(run: Run, office_cases: dict[str, str], ident: str) -> None:
    light = run("case", "show", ident)
    assert light[0] == 1 and light[1] == ""
    assert light == run("case", "show", ident, light=False)


def test_a_prefix_of_two_cases_is_refused_in_the_same_words(ws: Workspace, run: Run,
                                                            office_cases: dict[str, str]) -> None:
    twin = office_cases["draft"][:4] + "0000-0000-4000-8000-000000000000"[: 36 - 4]
    with ws.db.write() as s:
        s.add(Case(id=twin, service="SKD", office="35.73.02.1008", nik=None, name="Kembar", fields="{}",
                   status="draft", version=1, created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
                   created_by="petugas", device="d", due_date="2026-01-02"))
    light = run("case", "show", twin[:4])
    assert light[0] == 1 and light == run("case", "show", twin[:4], light=False)


def _digest(profile: Path) -> dict[str, str]:
    """The store and its key name; a write-ahead log only when it holds something (SQLite makes an empty one
    and its index beside a WAL store for any reader)."""
    files = [profile / "loket.db", profile / "loket.db.key-id", profile / "loket.db-wal"]
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files if p.is_file() and p.stat().st_size}


def test_the_light_path_reads_only(ws: Workspace, profile: Path, office_cases: dict[str, str]) -> None:
    ws.close()
    before = _digest(profile)
    shown = caseview.show_light(profile, office_cases["rich"])
    assert shown is not None and shown["id"] == office_cases["rich"]
    assert _digest(profile) == before
    store = lightread.open_profile(profile)
    assert store is not None
    with store, pytest.raises(Exception, match="readonly|read-only|query_only"):
        store._con.execute("DELETE FROM cases")


def test_the_schema_it_reads_is_the_newest() -> None:
    """A new migration fails this until the SELECTs in app/storage/lightread.py are checked against it and its
    revision is added to KNOWN_SCHEMAS (meanwhile ``case show`` simply takes the ordinary path)."""
    assert SCHEMA_HEAD in lightread.KNOWN_SCHEMAS


def test_a_store_it_does_not_know_is_left_to_the_ordinary_path(ws: Workspace, profile: Path, run: Run,
                                                                office_cases: dict[str, str],
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    rich = office_cases["rich"]
    ws.close()
    monkeypatch.setattr(lightread, "KNOWN_SCHEMAS", frozenset({"0009_older"}))
    assert caseview.show_light(profile, rich) is None
    monkeypatch.undo()
    assert caseview.show_light(profile / "nowhere", rich) is None  # no store: the ordinary path makes one
    with ws.db.write() as s:  # a profile whose device id was never made
        from app.storage.models import Meta

        s.delete(s.get(Meta, "device_id"))
    assert caseview.show_light(profile, rich) is None
    plain = profile.parent / "plain"
    plain.mkdir()
    sqlite3.connect(plain / "loket.db").execute("CREATE TABLE t (x)").connection.commit()
    assert caseview.show_light(plain, rich) is None  # an old plaintext store: encrypted by the ordinary path


def test_a_key_that_does_not_open_the_store_is_never_logged(ws: Workspace, profile: Path,
                                                            office_cases: dict[str, str],
                                                            caplog: pytest.LogCaptureFixture,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """No key, or a key that does not open the file: the ordinary path says so in its words; the light path
    steps aside without writing a key anywhere. (The profile shares the session template's keyring entry, so
    the keyring itself is left alone here.)"""
    ws.close()
    right = atrest.load_keys(profile / "loket.db")
    assert right is not None
    monkeypatch.setattr(atrest, "load_keys", lambda _path: None)
    assert caseview.show_light(profile, office_cases["rich"]) is None
    wrong = atrest.StoreKeys(os.urandom(32))
    monkeypatch.setattr(atrest, "load_keys", lambda _path: wrong)
    caplog.set_level("DEBUG")
    assert caseview.show_light(profile, office_cases["rich"]) is None
    logged = (caplog.text + "".join(str(r.exc_info) for r in caplog.records)).lower()
    assert "light read path not taken" in logged
    for keys in (right, wrong):
        assert keys.sqlcipher.hex() not in logged
