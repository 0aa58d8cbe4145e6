"""Rotating log files. Tracebacks go here, never to the person's screen; secrets never go anywhere."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

_configured: Path | None = None


def log_dir(profile: Path | None = None) -> Path:
    env = os.environ.get("LOKET_LOG_DIR")
    if env:
        return Path(env)
    if profile is not None:
        return profile / "logs"
    return Path(platformdirs.user_log_dir("Loket", "Pemkot Malang"))


class _LoketHandler(logging.handlers.RotatingFileHandler):
    """Loket's own log file (so that a second :func:`setup` replaces it and leaves other handlers alone)."""


def setup(profile: Path | None, name: str = "loket") -> Path:
    """Send log records to ``<logs>/<name>.log`` (5 × 2 MB, owner-only). Idempotent per process."""
    global _configured
    folder = log_dir(profile)
    path = folder / f"{name}.log"
    if _configured == path:
        return path
    folder.mkdir(parents=True, exist_ok=True)
    handler = _LoketHandler(path, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if isinstance(h, _LoketHandler)]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    with contextlib.suppress(OSError):
        path.chmod(0o600)
    _configured = path
    return path
