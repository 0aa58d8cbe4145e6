"""The support bundle: redacted logs, versions, doctor output; never the database, never a secret."""

from __future__ import annotations

import json
import stat
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from app.services import support
from app.services.doctor import Check
from app.services.workspace import Actor, Workspace

TOKEN = "Zq8xM1vZ-Pp0aQW3e7Yk9rT2uV5bN8cL0dF4gH6jK1m"  # token_urlsafe(32)-shaped
PEM = ("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSECRETSECRET\n"
       "-----END ENCRYPTED PRIVATE KEY-----")
DIGEST = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
CASE_ID = "3f2c1a9e-1b2c-4d5e-8f9a-0b1c2d3e4f5a"


def _plant_log(ws: Workspace) -> Path:
    ws.logs_dir.mkdir(parents=True, exist_ok=True)
    path = ws.logs_dir / "loket-cli.log"
    path.write_text(
        f"2026-11-27 10:00:00 1 INFO loket.sync: GET /api/v1/changes Authorization: Bearer {TOKEN}\n"
        f"2026-11-27 10:00:01 1 INFO loket.sync: enrolled token={TOKEN} pin=246810 code ABCD-EF23-GH45\n"
        f'2026-11-27 10:00:02 1 INFO loket.x: {{"token": "{TOKEN}", "password": "hunter2"}}\n'
        f"2026-11-27 10:00:03 1 ERROR loket.keys: dumped\n{PEM}\n"
        f"2026-11-27 10:00:04 1 INFO loket.blobs: uploaded {DIGEST} for case {CASE_ID} NIK 3573015708900003\n",
        encoding="utf-8")
    (ws.logs_dir / "loket-cli.log.1").write_text(f"old line with {TOKEN}\n", encoding="utf-8")
    return path


def _read(zip_path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(zip_path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_planted_token_and_pem_are_redacted(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    _plant_log(ws)
    out = tmp_path / "bundle.zip"
    report = support.write_bundle(ws, out, checks=[Check("user", True, "petugas")])
    files = _read(out)
    everything = b"\n".join(files.values()).decode("utf-8")
    assert TOKEN not in everything
    assert "SECRETSECRET" not in everything and "MIGHAgEAMBMG" not in everything
    assert "hunter2" not in everything and "246810" not in everything and "ABCD-EF23-GH45" not in everything
    assert "3573015708900003" not in everything
    log = files["loket-support/logs/loket-cli.log"].decode("utf-8")
    assert "-----BEGIN ENCRYPTED PRIVATE KEY----- [DISENSOR] -----END ENCRYPTED PRIVATE KEY-----" in log
    assert "Bearer [DISENSOR]" in log
    assert DIGEST in log and CASE_ID in log  # what support needs to find a blob or a case survives
    assert "loket-support/logs/loket-cli.log.1" in files
    assert report.redactions >= 8
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_bundle_contents_and_no_database(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    out = tmp_path / "bundle.zip"
    support.write_bundle(ws, out)  # runs the offline doctor itself
    files = _read(out)
    assert {"loket-support/about.json", "loket-support/doctor.json", "loket-support/catalog.json",
            "loket-support/settings.json"} <= set(files)
    assert not [n for n in files if n.endswith((".db", ".db-wal", ".pem", ".crl"))]
    about = json.loads(files["loket-support/about.json"])
    from app import __version__
    from app.storage.db import SCHEMA_HEAD

    assert about["loket"] == __version__
    assert about["schema"] == {"revision": SCHEMA_HEAD, "head": SCHEMA_HEAD}
    assert about["python"].startswith("3.11")
    assert about["qt"] == "6.11.3"
    assert about["os"]["system"]
    doctor = json.loads(files["loket-support/doctor.json"])
    assert {c["name"] for c in doctor["checks"]} >= {"database", "audit_chain", "keyring"}
    assert json.loads(files["loket-support/catalog.json"])["problems"] == []
    settings = json.loads(files["loket-support/settings.json"])
    assert {s["key"] for s in settings["settings"]} >= {"server_url", "ca_fingerprint", "language"}


def test_keyring_contents_never_leave(ws: Workspace, petugas: Actor, tmp_path: Path, memory_keyring: object) -> None:
    import keyring

    keyring.get_keyring().set_password("loket-sync", f"{ws.device_id}:petugas", TOKEN)
    out = tmp_path / "bundle.zip"
    support.write_bundle(ws, out)
    assert TOKEN.encode() not in b"".join(_read(out).values())


@pytest.mark.parametrize("text", ["hash " + DIGEST, "case " + CASE_ID, "/tmp/pytest-of-root/pytest-12/test_X0/p",
                                  "sync.offline refused", "pushed 12, pulled 3"])
def test_redact_keeps_ordinary_text(text: str) -> None:
    assert support.redact(text) == (text, 0)


def test_cli_support_bundle(cli: Callable[..., tuple[int, str, str]], tmp_path: Path) -> None:
    out = tmp_path / "s.zip"
    code, stdout, err = cli("--json", "support-bundle", "--offline", "--out", str(out))
    assert code == 0, err
    data = json.loads(stdout)
    assert data["path"] == str(out) and out.exists()
    assert "loket-support/doctor.json" in data["entries"]


def test_versions_from_both_commands(cli: Callable[..., tuple[int, str, str]]) -> None:
    import subprocess
    import sys

    from app import __version__

    code, out, _ = cli("--version")
    assert code == 0 and out.strip() == f"loket-cli {__version__}"
    server = subprocess.run([sys.executable, "-m", "sync.server.cli", "--version"], capture_output=True,
                            text=True, cwd=Path(__file__).resolve().parent.parent, timeout=60)
    assert server.returncode == 0 and server.stdout.strip() == f"loket-server {__version__}"
