"""The city server can be upgraded: migrations describe exactly the schema in storage.py, on SQLite and
PostgreSQL, and a data folder left by release 0.1.0 upgrades in place and goes on serving its laptops."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

from support.server import Laptop, ServerProcess
from sync.server import migrate
from sync.server.storage import create_schema, make_engine, metadata

RELEASE = Path(__file__).resolve().parents[1] / "fixtures" / "server-v1"
TOKEN = "release-0.1.0-token-of-siti"  # tests/fixtures/make_server_v1.py
CASE = "c0000000-0000-4000-8000-0000000000a1"


def fresh_engine(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Engine:
    if backend == "postgres":
        return make_engine(request.getfixturevalue("pg_cluster").create_database())
    return make_engine(f"sqlite:///{tmp_path / 'server.db'}")


def test_one_head() -> None:
    assert len(migrate.heads()) == 1, "two migrations name the same down_revision: chain them"
    assert migrate.heads() == [migrate.HEAD], "a new migration: set migrate.HEAD to its revision"


def test_revision_ids_fit_the_version_table() -> None:
    """Alembic's version column is VARCHAR(32): PostgreSQL refuses a longer id (SQLite would not notice)."""
    import re

    for path in (migrate.MIGRATIONS / "versions").glob("s*.py"):
        found = re.search(r"^revision = ['\"]([^'\"]+)['\"]", path.read_text(encoding="utf-8"), re.MULTILINE)
        assert found and len(found.group(1)) <= 32, path.name


def test_migrations_build_exactly_the_tables_of_storage(backend: str, tmp_path: Path,
                                                        request: pytest.FixtureRequest) -> None:
    engine = fresh_engine(backend, tmp_path, request)
    create_schema(engine)
    with engine.connect() as conn:
        drift = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert drift == [], "storage.py and the migrations differ: add a migration (see sync/server/migrate.py)"
    assert migrate.current(engine) == migrate.heads()[0]
    engine.dispose()


def test_a_release_database_is_stamped_then_upgraded(backend: str, tmp_path: Path,
                                                     request: pytest.FixtureRequest) -> None:
    engine = fresh_engine(backend, tmp_path, request)
    migrate.upgrade(engine, migrate.BASELINE)
    with engine.begin() as conn:  # what release 0.1.0's create_all left: the tables, no version
        conn.execute(text("DROP TABLE alembic_version"))
        conn.execute(text("INSERT INTO server_meta (key, value) VALUES ('kept', 'yes')"))
    # several instances start together on the same database: one migrates, the others find it done
    errors: list[BaseException] = []

    def start() -> None:
        try:
            create_schema(engine)
        except BaseException as err:  # noqa: BLE001 - reported by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert migrate.current(engine) == migrate.heads()[0]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT value FROM server_meta WHERE key = 'kept'")).scalar() == "yes"
    engine.dispose()


def test_the_release_data_folder_upgrades_and_serves_its_laptops(tmp_path: Path,
                                                                  keyring_env: dict[str, str]) -> None:
    data = tmp_path / "server"
    shutil.copytree(RELEASE, data)
    release_ca = (RELEASE / "ca" / "ca.pem").read_text()
    srv = ServerProcess(data)
    srv.start()  # `run` upgrades the database and moves the CA into it
    try:
        with sqlite3.connect(data / "loket-server.db") as con:
            assert con.execute("SELECT version_num FROM alembic_version").fetchone()[0] == migrate.heads()[0]
        # the laptop enrolled under 0.1.0 keeps syncing with its token
        page = requests.get(f"{srv.url}/api/v1/changes", headers={"Authorization": f"Bearer {TOKEN}"},
                            timeout=30).json()
        [case] = [c for c in page["changes"] if c["id"] == CASE]
        assert case["name"] == "Ani Lestari" and case["documents"][0]["filename"] == "ktp.pdf"
        blob = requests.get(f"{srv.url}/api/v1/blobs/{case['documents'][0]['sha256']}",
                            headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30)
        assert blob.status_code == 200 and blob.content.startswith(b"%PDF")
        # the city CA is still the release's, now read from the database
        pem = subprocess.run([*srv._base(), "ca", "export"], capture_output=True, text=True, check=True).stdout
        assert pem.strip() == release_ca.strip()
        # a code printed by 0.1.0, typed the way people type it, enrols a new laptop that sees the case
        bambang = Laptop(tmp_path / "laptop-bambang", keyring_env)
        bambang.ok("enroll", "--server", srv.url, "--code", "abcd efgh jklm")
        bambang.ok("sync")
        assert [c["id"] for c in bambang.ok("case", "list")] == [CASE]
    finally:
        srv.stop()


def test_the_baseline_is_release_0_1_0() -> None:
    """The fixture was written by the baseline migration: no table of a later release sneaks into it."""
    with sqlite3.connect(RELEASE / "loket-server.db") as con:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "alembic_version" not in tables and "cases" in tables and "city_authority" not in tables


def test_a_start_on_the_newest_schema_does_not_load_alembic(tmp_path: Path) -> None:
    """Every server start checks the schema: at the newest one that is a read of the version row."""
    import sys

    url = f"sqlite:///{tmp_path / 'loket-server.db'}"
    create_schema(make_engine(url))
    script = ("import sys; from sync.server.storage import create_schema, make_engine; "
              f"create_schema(make_engine({url!r})); print('alembic' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "False"
    engine = make_engine(url)
    assert migrate.at_head(engine)
    with engine.begin() as conn:  # one step behind: the ordinary upgrade (Alembic) runs
        conn.execute(text("UPDATE alembic_version SET version_num = 's0009_handover'"))
    assert not migrate.at_head(engine)
    engine.dispose()
