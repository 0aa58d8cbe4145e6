"""Shared fixtures. Keep this file small: a fixture used by one test module lives in that module.

Import-time settings come first because they must hold before anything creates a QApplication or reads
the language: headless Qt, Bahasa Indonesia (tests that want English set ``LOKET_LANG`` themselves).
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

os.environ["QT_QPA_PLATFORM"] = "offscreen"
os.environ["LOKET_LANG"] = "id"
# Nothing in a test may fall back to the developer's real profile or log folder.
_SCRATCH = Path(tempfile.mkdtemp(prefix="loket-tests-"))
atexit.register(shutil.rmtree, _SCRATCH, True)
os.environ["LOKET_HOME"] = str(_SCRATCH / "home")
os.environ.pop("LOKET_LOG_DIR", None)

import keyring  # noqa: E402
import keyring.backend  # noqa: E402
import keyring.errors  # noqa: E402
import pytest  # noqa: E402

from app.events import EventBus  # noqa: E402
from app.i18n import set_language  # noqa: E402
from app.services.workspace import Actor, Workspace  # noqa: E402
from samples import OFFICE, OTHER_OFFICE  # noqa: E402
from support.keyring_session import KeyringSession  # noqa: E402
from support.memory_keyring import MemoryKeyring  # noqa: E402
from support.store_keys import share_with_subprocesses  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def memory_keyring() -> Iterator[MemoryKeyring]:
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    yield backend
    keyring.set_keyring(previous)


@pytest.fixture(autouse=True)
def _language_from_environment() -> Iterator[None]:
    """A test that switches the language in-process must not change the next test's language."""
    yield
    set_language(None)


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    path = tmp_path / "profile"
    path.mkdir()
    return path


@pytest.fixture(scope="session")
def template_profile(tmp_path_factory: pytest.TempPathFactory, memory_keyring: MemoryKeyring) -> Path:
    """A profile migrated once per session to the newest schema, without its device id (each copy makes its
    own on first open). Its store key stays in the session's in-memory keyring, so copies open as they are."""
    from support.profiles import migrated_template

    return migrated_template()


@pytest.fixture
def ws(profile: Path, template_profile: Path) -> Iterator[Workspace]:
    """A workspace on a fresh copy of the migrated template: no test pays for running every migration."""
    shutil.copytree(template_profile, profile, dirs_exist_ok=True)
    workspace = Workspace(profile, events=EventBus())
    yield workspace
    workspace.close()


def _user(ws: Workspace, username: str, role: str, office: str, full_name: str) -> Actor:
    ws.add_local_user(username, full_name, role, office)
    return ws.actor(username)


@pytest.fixture
def petugas(ws: Workspace) -> Actor:
    return _user(ws, "petugas", "petugas", OFFICE, "Siti Petugas")


@pytest.fixture
def verifikator(ws: Workspace) -> Actor:
    return _user(ws, "verifikator", "verifikator", OFFICE, "Bambang Sekretaris")


@pytest.fixture
def penandatangan(ws: Workspace) -> Actor:
    return _user(ws, "lurah", "penandatangan", OFFICE, "Dewi Lurah")


@pytest.fixture
def petugas_lain(ws: Workspace) -> Actor:
    """A petugas of another kelurahan (Blimbing)."""
    return _user(ws, "petugas_lain", "petugas", OTHER_OFFICE, "Agus Petugas Blimbing")


@pytest.fixture
def staff(petugas: Actor, verifikator: Actor, penandatangan: Actor) -> dict[str, Actor]:
    """The three people of Oro-oro Dowo, by role; ``petugas`` is the profile's active user."""
    return {"petugas": petugas, "verifikator": verifikator, "penandatangan": penandatangan}


CliResult = tuple[int, str, str]


@pytest.fixture
def cli(profile: Path) -> Callable[..., CliResult]:
    """Run ``loket-cli --profile <profile> ARGS…`` in a child process; returns (exit code, stdout, stderr)."""

    def run(*args: str, env: dict[str, str] | None = None, stdin: str | None = None,
            timeout: float = 60) -> CliResult:
        share_with_subprocesses(profile / "loket.db", env)  # one keyring for the GUI and the CLI
        proc = subprocess.run(
            [sys.executable, "-m", "ui.cli", "--profile", str(profile), *args],
            capture_output=True, text=True, cwd=ROOT, input=stdin, timeout=timeout,
            env={**os.environ, **(env or {})},
        )
        return proc.returncode, proc.stdout, proc.stderr

    return run


@pytest.fixture(scope="session")
def keyring_env() -> Iterator[dict[str, str]]:
    """A real Secret Service keyring for loket-cli subprocesses (this process keeps the in-memory one)."""
    session = KeyringSession()
    try:
        yield session.env
    finally:
        session.close()
