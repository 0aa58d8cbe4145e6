"""The support bundle IT asks for: a zip with redacted logs, versions, settings, doctor output, no secrets.

Contract
--------
* :func:`write_bundle` writes ``loket-support/…`` entries into one zip, atomically and owner-only:
  ``about.json`` (Loket, Python, Qt and library versions read from package metadata — Qt is never imported —,
  the OS, whether the build is frozen, the database schema revision, the keyring backend's *name*),
  ``doctor.json`` (the checks it is given), ``catalog.json`` (catalogue problems), ``settings.json``
  (effective settings and where each came from, plus settings-file problems), ``logs/…`` (every file of the
  profile's log folder, redacted).
* Never included: the database, blobs (citizens' documents), the keyring's contents, key or chain files.
* :func:`redact` removes anything that looks like a secret from log text: PEM blocks, ``Bearer`` tokens,
  values of ``token``/``pin``/``password``/``secret``/``key``/``code``… assignments, long mixed-case
  base64-like strings, and NIKs (16-digit numbers, personal data). Lowercase hex digests and UUIDs are kept:
  support needs them to find a blob or a case.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import platform
import re
import sys
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import sqlcipher3.dbapi2 as sqlcipher

from app import __version__, config, logs
from app.fileio import write_atomic
from app.services.doctor import Check
from app.services.workspace import Workspace

ROOT = "loket-support"
REDACTED = "[DISENSOR]"
LIBRARIES = ("PySide6-Essentials", "shiboken6", "SQLAlchemy", "alembic", "keyring", "cryptography", "pyHanko",
             "reportlab", "platformdirs", "requests", "pypdfium2", "SecretStorage", "jeepney")

_PEM = re.compile(r"-----BEGIN ([A-Z0-9 ]+)-----.*?(?:-----END \1-----|\Z)", re.DOTALL)
_BEARER = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}")
_ASSIGN = re.compile(
    r"(?i)([\"']?\b(?:[a-z_]*token|pin|pin_code|password|passwd|passphrase|secret|[a-z_]*secret|api[_-]?key|"
    r"private[_-]?key|key|code|enrolment_code|enrollment_code|authorization|cookie)\b[\"']?"
    r"\s*[:=]\s*[\"']?)(?!(?:bearer|basic)\s)([^\s\"',;&}\]]+)")
_BLOB = re.compile(r"(?<![A-Za-z0-9+_-])[A-Za-z0-9+_-]{24,}={0,2}(?![A-Za-z0-9+_=-])")
_HEX = re.compile(r"[0-9a-f-]+")  # digests and UUIDs: kept, support needs them
_CODE = re.compile(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}\b")  # one-time enrolment codes
_NIK = re.compile(r"(?<!\d)\d{16}(?!\d)")


def _blob(m: re.Match[str]) -> str:
    """A long token-like run (base64/urlsafe, at least two of upper/lower/digit) unless it is plain hex."""
    run = m.group(0)
    classes = sum(bool(re.search(pattern, run)) for pattern in ("[A-Z]", "[a-z]", "[0-9]"))
    if _HEX.fullmatch(run) or classes < 2:
        return run
    return REDACTED


def redact(text: str) -> tuple[str, int]:
    """``text`` with secrets replaced by :data:`REDACTED`; also returns how many replacements were made."""
    count = 0

    def pem(m: re.Match[str]) -> str:
        return f"-----BEGIN {m.group(1)}----- {REDACTED} -----END {m.group(1)}-----"

    def keep_prefix(m: re.Match[str]) -> str:
        return f"{m.group(1)} {REDACTED}" if m.re is _BEARER else f"{m.group(1)}{REDACTED}"

    for pattern, repl in ((_PEM, pem), (_BEARER, keep_prefix), (_ASSIGN, keep_prefix)):
        text, n = pattern.subn(repl, text)
        count += n
    before = text.count(REDACTED)
    text = _BLOB.sub(_blob, text)
    count += text.count(REDACTED) - before
    text, n = _CODE.subn(REDACTED, text)
    count += n
    text, n = _NIK.subn("[NIK]", text)
    return text, count + n


def _version_of(dist: str) -> str | None:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return None


def schema_revision(db_path: Path) -> str | None:
    """The Alembic revision stored in the profile's database, read without opening it for writing."""
    if not db_path.exists():
        return None
    from app.errors import LoketError
    from app.storage.db import open_store

    try:
        con = open_store(db_path, readonly=True)
    except LoketError:
        return None
    try:
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return str(row[0]) if row else None
    except sqlcipher.DatabaseError:
        return None
    finally:
        con.close()


def about(ws: Workspace) -> dict[str, Any]:
    """Versions and environment (no personal data, no secrets)."""
    from app import oskeyring
    from app.storage import meta, repo
    from app.storage.db import SCHEMA_HEAD

    backend = oskeyring.backend()
    with ws.db.read() as s:
        server_devices = {u.username: meta.server_device(s, u.username) for u in repo.users(s)}
    return {
        "loket": __version__,
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "qt": _version_of("PySide6-Essentials") or _version_of("PySide6"),
        "libraries": {name: _version_of(name) for name in LIBRARIES},
        "os": {"system": platform.system(), "release": platform.release(), "version": platform.version(),
               "machine": platform.machine(), "platform": platform.platform()},
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable_dir": str(config.executable_dir() or ""),
        "schema": {"revision": schema_revision(ws.db.path), "head": SCHEMA_HEAD},
        "keyring_backend": f"{type(backend).__module__}.{type(backend).__name__}",
        "device_id": ws.device_id,
        "server_device_ids": server_devices,  # what `loket-server revoke --device ID` takes
        "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }


def _log_files(ws: Workspace) -> list[Path]:
    folders = {ws.logs_dir, logs.log_dir(ws.profile)}
    found: list[Path] = []
    for folder in sorted(folders):
        if folder.is_dir():
            found += sorted(p for p in folder.iterdir() if p.is_file() and ".log" in p.name)
    return found


@dataclass(frozen=True, slots=True)
class BundleReport:
    path: Path
    size: int
    entries: list[str]
    redactions: int

    def as_dict(self) -> dict[str, object]:
        return {"path": str(self.path), "size": self.size, "entries": self.entries, "redactions": self.redactions}


def _json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1, default=str).encode("utf-8")


def write_bundle(ws: Workspace, out: Path, checks: Iterable[Check] | None = None,
                 run_doctor: Callable[[Workspace], list[Check]] | None = None) -> BundleReport:
    """Write the support zip to ``out``. ``checks`` (already run) or ``run_doctor`` supply the doctor part;
    with neither, the offline doctor checks run here."""
    if checks is None:
        if run_doctor is None:
            from app.services import doctor

            run_doctor = doctor.run
        checks = run_doctor(ws)
    cfg = config.load(ws.profile)
    entries: dict[str, bytes] = {
        "about.json": _json(about(ws)),
        "doctor.json": _json({"checks": [c.as_dict() for c in checks]}),
        "catalog.json": _json({"services": len(ws.catalog.services),
                               "problems": [str(p) for p in ws.catalog.problems]}),
        "settings.json": _json(cfg.as_dict()),
    }
    redactions = 0
    for path in _log_files(ws):
        text, n = redact(path.read_bytes().decode("utf-8", errors="replace"))
        redactions += n
        entries[f"logs/{path.name}"] = text.encode("utf-8")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(f"{ROOT}/{name}", data)
    payload = buffer.getvalue()
    write_atomic(out, payload, mode=0o600)
    return BundleReport(out, len(payload), [f"{ROOT}/{n}" for n in entries], redactions)
