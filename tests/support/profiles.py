"""A profile migrated once per test process, copied wherever a test needs a fresh one.

A new profile runs every local migration when it is first opened (0.1–0.4 s each). The template is made once,
without its device id (each copy makes its own on first open); its store key stays in this process's keyring
(the session's in-memory one), so copies open in this process as they are. A ``loket-cli`` subprocess needs
the key shared first (``support.store_keys.share_with_subprocesses``)."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

_TEMPLATE: list[Path] = []


def migrated_template() -> Path:
    """The process's migrated template profile (made on first use)."""
    if not _TEMPLATE:
        from app.events import EventBus
        from app.services.workspace import Workspace
        from app.storage import meta

        root = Path(tempfile.mkdtemp(prefix="loket-template-"))
        atexit.register(shutil.rmtree, root, True)
        path = root / "profile"
        workspace = Workspace(path, events=EventBus())
        with workspace.db.write() as s:
            meta.forget_device_id(s)
        workspace.close()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


def fresh_profile(path: Path) -> Path:
    """``path`` as a copy of the migrated template (folders that already hold a profile are left alone)."""
    if not (path / "loket.db").exists():
        shutil.copytree(migrated_template(), path, dirs_exist_ok=True)
    return path
