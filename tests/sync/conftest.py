"""Fixtures for tests against the real server: on SQLite and on a throwaway PostgreSQL cluster."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.pg import Cluster, start_cluster
from support.server import Laptop, ServerProcess


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    cluster = start_cluster()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[ServerProcess]:
    url = request.getfixturevalue("pg_cluster").create_database() if backend == "postgres" else None
    data = tmp_path / "server"
    data.mkdir()
    srv = ServerProcess(data, url)
    srv.init_demo()
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.fixture
def laptop(tmp_path: Path, keyring_env: dict[str, str], server: ServerProcess) -> Callable[[str], Laptop]:
    """``laptop("siti")``: a fresh profile enrolled as that demo user."""
    made: dict[str, Laptop] = {}

    def make(username: str, name: str | None = None, *, subprocess: bool = False) -> Laptop:
        key = name or username
        if key not in made:
            device = Laptop(tmp_path / f"laptop-{key}", keyring_env, subprocess=subprocess)
            code = server.codes.pop(username, None) or server.code(username)
            device.ok("enroll", "--server", server.url, "--code", code)
            made[key] = device
        return made[key]

    return make
