"""GUI tests: one offscreen QApplication (pytest-qt's ``qapp``), real SQLite profiles, fakes only for the
signing engine that is not built yet."""

from __future__ import annotations

import os

os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before any QApplication exists

import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from app.domain.lifecycle import Action  # noqa: E402
from app.services import cases  # noqa: E402
from app.services.workspace import Actor, Workspace  # noqa: E402
from samples import OFFICE, SKD_FIELDS, documents  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def translations() -> None:
    """The .qm files the language tests load (git-ignored; built here if missing or stale)."""
    stale = [ts for ts in (ROOT / "resources" / "translations").glob("*.ts")
             if not ts.with_suffix(".qm").exists() or ts.with_suffix(".qm").stat().st_mtime < ts.stat().st_mtime]
    if stale:
        subprocess.run([sys.executable, "-m", "ui.i18n_build"], cwd=ROOT, check=True, capture_output=True)


@pytest.fixture(autouse=True)
def _qt_language(qapp) -> Iterator[None]:  # type: ignore[no-untyped-def]
    from ui import lang

    lang.apply_language("id")
    yield
    lang.apply_language("id")


@pytest.fixture
def settle(qapp) -> Callable[..., None]:  # type: ignore[no-untyped-def]
    """Run background ops to completion and deliver their callbacks."""
    from ui.tasks import manager

    def run(ms: int = 50) -> None:
        end = time.monotonic() + ms / 1000
        while True:
            qapp.processEvents()
            manager().wait_idle(5000)
            qapp.processEvents()
            if time.monotonic() >= end and not manager().busy:
                qapp.processEvents()
                return
            time.sleep(0.005)

    return run


@pytest.fixture
def make_case(ws: Workspace, tmp_path: Path) -> Callable[..., str]:
    """Register an SKD case (with its documents) and walk it through ``steps`` as the given actors."""
    docs = documents(tmp_path)

    def make(petugas: Actor, steps: tuple[tuple[Actor, Action], ...] = (), nik: str = "3573020101850001",
             name: str = "Budi Santoso") -> str:
        new = cases.create(ws, petugas, "SKD", nik, name, SKD_FIELDS, docs)
        for actor, action in steps:
            cases.transition(ws, actor, new.id, action, "alasan uji" if action in (Action.RETURN,
                                                                                   Action.REJECT) else None)
        return new.id

    return make


__all__ = ["OFFICE"]
