"""Stories as people meet them: real ``loket-cli`` processes, the real server, a shared office laptop.

Every fixture here starts real processes: the server runs as ``loket-server run`` on 127.0.0.1 with SQLite
(the storage-specific behaviour is covered by the PostgreSQL suites under ``tests/sync``), and each laptop
command is its own ``loket-cli`` process against the session's Secret Service keyring. ``office`` is the
kelurahan's one shared laptop with its petugas, verifikator and Lurah enrolled on it.

Each person enrolled on a laptop chose their own secret (``office.SECRETS``; the Lurah's is ``office.PIN``),
and every command that acts in someone's name reads it from stdin. ``Laptop`` remembers the secrets it
enrolled and passes the right one by itself when ``stdin`` is not given, so ``office.ok("--user", "bambang",
"case", "verify", case_id)`` works as before; pass ``stdin=""`` or a wrong line to act without it (see
``support.server.Laptop``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from scenarios.office import enrol
from support.server import Laptop, ServerProcess, demo_server


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with demo_server(tmp_path / "server") as srv:
        yield srv


@pytest.fixture
def new_laptop(tmp_path: Path, keyring_env: dict[str, str]) -> Callable[[str], Laptop]:
    """``new_laptop("name")``: an empty profile driven through real loket-cli processes."""

    def make(name: str) -> Laptop:
        return Laptop(tmp_path / f"laptop-{name}", keyring_env, subprocess=True)

    return make


@pytest.fixture
def office(new_laptop: Callable[[str], Laptop], server: ServerProcess) -> Laptop:
    """The Oro-oro Dowo office laptop, shared by siti (petugas), bambang (verifikator) and lurah (signer)."""
    device = new_laptop("kantor")
    enrol(device, server, "siti")
    enrol(device, server, "bambang")
    enrol(device, server, "lurah", signer=True)
    return device
