"""Fixtures of the fault suite: a real server process, laptops driven by loket-cli, an in-process server."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from faults.harness import LocalServer
from support.server import Laptop, ServerProcess, demo_server


@pytest.fixture
def local_server(tmp_path: Path) -> Iterator[LocalServer]:
    srv = LocalServer(tmp_path / "server")
    try:
        yield srv
    finally:
        srv.close()


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    with demo_server(tmp_path / "server") as srv:
        yield srv


@pytest.fixture
def cli_laptop(tmp_path: Path, keyring_env: dict[str, str],
               server_process: ServerProcess) -> Callable[[str, str], Laptop]:
    """``cli_laptop("siti", "a")``: a real loket-cli profile (subprocesses) enrolled as that demo user."""

    def make(username: str, name: str) -> Laptop:
        device = Laptop(tmp_path / f"laptop-{name}", keyring_env, subprocess=True)
        code = server_process.codes.pop(username, None) or server_process.code(username)
        device.ok("enroll", "--server", server_process.url, "--code", code)
        return device

    return make
