"""Anyone at the keyboard is not anyone: on the shared office laptop each person acts only with their own
secret, and the server keeps duties apart whatever a laptop sends.

siti (petugas), bambang (verifikator) and the Lurah share the Oro-oro Dowo laptop. The petugas must not be
able to become bambang and initial her own case, neither through ``loket-cli --user`` nor by switching the
active user; wrong secrets are counted where restoring the profile cannot reset them. And when a laptop is
tampered with, the server still refuses the registrar verifying and the verifier signing (FORBIDDEN).
"""

from __future__ import annotations

import shutil
import sqlite3
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from scenarios.office import PIN, SECRETS, enrol, register_skd
from support.server import Laptop, ServerProcess
from sync.protocol import Errno


def status_of(device: Laptop, case_id: str) -> str:
    return str(device.ok("case", "show", case_id)["status"])


def test_verify_needs_the_verifiers_own_secret(office: Laptop, tmp_path: Path) -> None:
    case_id = register_skd(office, tmp_path)

    # siti at the keyboard, without bambang's secret: refused, one sentence, nothing changed
    bare = office.run("--user", "bambang", "case", "verify", case_id, stdin="")
    assert bare.returncode == 1, bare.stderr
    assert "bambang" in bare.stderr and "masukan standar" in bare.stderr and "Traceback" not in bare.stderr
    assert status_of(office, case_id) == "submitted"

    # her own password does not unlock bambang; the refusal says how many tries are left
    wrong = office.run("--user", "bambang", "case", "verify", case_id, stdin=SECRETS["siti"] + "\n")
    assert wrong.returncode == 1 and "salah" in wrong.stderr and "Sisa 2" in wrong.stderr, wrong.stderr
    assert status_of(office, case_id) == "submitted"

    # nor does making bambang the active user without his secret, nor acting as the active user without it
    assert office.run("user", "use", "bambang", stdin="").returncode == 1
    assert office.run("user", "use", "bambang", stdin="tebak-tebakan\n").returncode == 1
    office.ok("user", "use", "bambang")  # the laptop types bambang's own secret
    assert office.run("case", "verify", case_id, stdin="").returncode == 1
    assert status_of(office, case_id) == "submitted"

    # bambang himself: his secret on stdin's first line
    verified = office.ok("--user", "bambang", "case", "verify", case_id, stdin=SECRETS["bambang"] + "\n")
    assert verified["status"] == "verified"
    history = office.ok("case", "show", case_id)["events"]
    assert [(e["action"], e["actor"]) for e in history][-1] == ("verify", "bambang")

    # a signer's secret is the PIN: one line unlocks the Lurah and signs
    [signed] = office.ok("--user", "lurah", "case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert signed["status"] == "approved"


def test_wrong_secrets_lock_the_person_and_restoring_the_profile_does_not_unlock(
        office: Laptop, tmp_path: Path) -> None:
    case_id = register_skd(office, tmp_path)
    backup = tmp_path / "backup"
    backup.mkdir()
    for path in office.profile.glob("loket.db*"):
        shutil.copy2(path, backup / path.name)

    for attempt in range(3):
        out = office.run("--user", "bambang", "case", "verify", case_id, stdin=f"tebakan-{attempt}\n")
        assert out.returncode == 1, out.stderr
    assert "dikunci selama 30 detik" in out.stderr, out.stderr

    # the right secret now waits too: the count is in the keyring, not in a file of the profile
    for path in backup.iterdir():
        shutil.copy2(path, office.profile / path.name)
    locked = office.run("--user", "bambang", "case", "verify", case_id)
    assert locked.returncode == 1 and "Terlalu banyak" in locked.stderr, locked.stderr
    assert status_of(office, case_id) == "submitted"
    # only bambang is locked: the Lurah and siti still work on the same laptop
    assert office.ok("--user", "siti", "case", "show", case_id)["status"] == "submitted"
    assert office.ok("--user", "lurah", "keys", "status")["has_key"]


def test_enrolment_asks_the_new_persons_secret(new_laptop: Callable[[str], Laptop], server: ServerProcess) -> None:
    device = new_laptop("baru")
    code = server.codes.pop("siti")
    args = ["enroll", "--server", server.url, "--code", code]
    usage = device._run(args, "", 60)  # neither --secret-stdin nor --pin-stdin: a usage error, code kept
    assert usage.returncode == 2 and "--secret-stdin" in usage.stderr
    short = device.run(*args, "--secret-stdin", stdin="1234\n")
    assert short.returncode == 1 and "minimal" in short.stderr
    enrol(device, server, "siti")
    assert device.ok("user", "list")[0]["username"] == "siti"


def _as_role(server: ServerProcess, username: str, role: str) -> None:
    """IT moves a person to another role in the same office (mutasi jabatan)."""
    db = sqlite3.connect(server.data / "loket-server.db")
    try:
        db.execute("UPDATE users SET role = ? WHERE username = ?", (role, username))
        db.commit()
    finally:
        db.close()


def _push(server: ServerProcess, token: str, case_id: str, action: str, version: int) -> dict[str, object]:
    op = {"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": case_id, "base_version": version,
          "payload": {"action": action}}
    answer = requests.post(f"{server.url}/api/v1/push", json={"ops": [op]},
                           headers={"Authorization": f"Bearer {token}"}, timeout=30)
    answer.raise_for_status()
    [result] = answer.json()["results"]
    return dict(result)


def test_server_refuses_the_registrar_verifying_her_own_case(
        office: Laptop, server: ServerProcess, new_laptop: Callable[[str], Laptop], tmp_path: Path) -> None:
    case_id = register_skd(office, tmp_path)
    office.ok("sync")
    _as_role(server, "siti", "verifikator")  # siti now verifies at the same kelurahan

    # her laptop knows the rule and says so before anything is queued
    second = new_laptop("siti-verifikator")
    enrol(second, server, "siti")
    second.ok("sync")
    local = second.run("case", "verify", case_id)
    assert local.returncode == 1 and "Pemisahan tugas" in local.stderr, local.stderr

    # a tampered laptop pushes the op anyway: the server refuses it
    token = server.token("siti")
    version = next(c for c in server.all_cases(token) if c["id"] == case_id)["version"]
    result = _push(server, token, case_id, "verify", int(version))
    assert result["status"] == "rejected" and result["errno"] == Errno.FORBIDDEN
    assert "registered this case" in str(result["message"])
    assert next(c for c in server.all_cases(token) if c["id"] == case_id)["status"] == "submitted"


def test_server_refuses_the_verifier_as_final_signer(
        office: Laptop, server: ServerProcess, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = register_skd(office, tmp_path)
    office.ok("--user", "bambang", "case", "verify", case_id)
    office.ok("sync")
    _as_role(server, "bambang", "penandatangan")  # bambang is appointed signer of the same office

    # an in-process laptop whose separation check was cut out: it signs, the server refuses
    tampered = Laptop(tmp_path / "laptop-tampered", {})
    enrol(tampered, server, "bambang", signer=True)
    tampered.ok("sync")
    honest = tampered.run("case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert honest.returncode == 1 and "Pemisahan tugas" in honest.stdout + honest.stderr
    monkeypatch.setattr("app.services.approvals.check_duties", lambda *_a, **_k: None)
    [signed] = tampered.ok("case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert signed["status"] == "approved"
    report = tampered.ok("sync")
    assert report["rejected"] == 1
    [refusal] = report["refused"]
    assert "verified this case" in str(refusal["message"]), refusal
    token = server.token("siti")
    assert next(c for c in server.all_cases(token) if c["id"] == case_id)["status"] == "verified"
