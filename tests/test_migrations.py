"""Schema migrations: a fresh database reaches head, a database of release 0001 upgrades with its data
intact and a backup taken first, and the declared head is the newest revision file."""

from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest
import sqlcipher3
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.storage import audit
from app.storage.atrest import is_plaintext_sqlite
from app.storage.db import MIGRATIONS, SCHEMA_HEAD, Database, known_revisions, open_store
from app.storage.models import Base

FIXTURES = Path(__file__).with_name("fixtures")
V1 = FIXTURES / "loket-v1.db"

# Known, harmless differences between the migrations and the models. Anything else is drift and fails.
ACCEPTED_DRIFT = {
    ("modify_nullable", "meta", "value"),  # 0001 made meta.value nullable; the code always writes a value
    # 0010: the FTS5 search index over cases is a virtual table (no model), with SQLite's shadow tables
    *(("remove_table", name) for name in ("cases_search", "cases_search_data", "cases_search_idx",
                                          "cases_search_docsize", "cases_search_config")),
}


def _revisions() -> dict[str, str | None]:
    """revision → down_revision, read from the files themselves."""
    chain: dict[str, str | None] = {}
    for path in (MIGRATIONS / "versions").glob("[0-9]*.py"):
        text = path.read_text(encoding="utf-8")
        rev = re.search(r'^revision\s*=\s*"([^"]+)"', text, re.M)
        down = re.search(r'^down_revision\s*=\s*(?:"([^"]+)"|None)', text, re.M)
        assert rev and down, f"{path.name} does not declare revision and down_revision"
        assert path.stem == rev.group(1) or path.name.startswith(rev.group(1) + "_"), \
            f"{path.name} is not named after its revision"
        chain[rev.group(1)] = down.group(1)
    return chain


def _connect(db: Path) -> sqlite3.Connection:
    """The fixture of an old release is plain SQLite; everything this release writes is encrypted."""
    return sqlite3.connect(db) if is_plaintext_sqlite(db) else open_store(db)  # type: ignore[return-value]


def _schema(db: Path) -> tuple[dict[str, set[str]], set[str]]:
    con = _connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        columns = {t: {r[1] for r in con.execute(f"PRAGMA table_info({t})")} for t in tables}
        indexes = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    finally:
        con.close()
    return columns, indexes


def _connect_backup(backup: Path, db: Path) -> sqlcipher3.Connection:
    """A backup opens with its store's key."""
    from app.storage.atrest import load_keys
    from app.storage.db import connect

    keys = load_keys(db)
    assert keys is not None
    return connect(backup, keys)


def _revision_of(db: Path) -> str:
    plain_or_store = db.name == "loket.db" or is_plaintext_sqlite(db)
    con = _connect(db) if plain_or_store else _connect_backup(db, db.parent.parent / "loket.db")
    try:
        return str(con.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    finally:
        con.close()


def test_head_is_the_newest_revision_file() -> None:
    chain = _revisions()
    roots = [rev for rev, down in chain.items() if down is None]
    assert roots == ["0001"]
    # one straight line from 0001 to the head: no branches, no gaps
    order, current = [], "0001"
    children = {down: rev for rev, down in chain.items() if down is not None}
    assert len(children) == len(chain) - 1, "two migrations revise the same revision"
    while current:
        order.append(current)
        current = children.get(current, "")
    assert sorted(chain) == order == known_revisions()
    assert order[-1] == SCHEMA_HEAD


def test_empty_database_migrates_to_head_matching_the_models(tmp_path: Path) -> None:
    path = tmp_path / "loket.db"
    db = Database(path)
    try:
        assert _revision_of(path) == SCHEMA_HEAD
        with db.writer.connect() as conn:
            context = MigrationContext.configure(conn, opts={"render_as_batch": True})
            diffs = compare_metadata(context, Base.metadata)
    finally:
        db.close()
    drift = []
    for diff in diffs:
        item = diff[0] if isinstance(diff, list) else diff  # column changes come wrapped in a list
        key = (item[0], item[2], item[3]) if item[0].startswith("modify_") else (item[0], str(item[1]))
        if key not in ACCEPTED_DRIFT:
            drift.append(item)
    assert drift == []
    assert not (tmp_path / "backups").exists()  # nothing to back up in a new database


def test_reopening_at_head_takes_no_backup(tmp_path: Path) -> None:
    path = tmp_path / "loket.db"
    Database(path).close()
    Database(path).close()
    assert not (tmp_path / "backups").exists()


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    target = tmp_path / "profile" / "loket.db"
    target.parent.mkdir()
    shutil.copyfile(V1, target)
    return target


def test_v1_fixture_is_release_0001() -> None:
    assert V1.exists(), "run tests/fixtures/make_db_v1.py"
    assert V1.stat().st_size < 256 * 1024
    assert _revision_of(V1) == "0001"


def test_upgrade_from_v1_keeps_data_and_adds_the_new_schema(v1_copy: Path) -> None:
    columns_before, _ = _schema(v1_copy)
    assert "priority" not in columns_before["outbox"]
    con = _connect(v1_copy)
    cases_before = con.execute("SELECT * FROM cases ORDER BY id").fetchall()
    audit_before = con.execute("SELECT * FROM audit ORDER BY seq").fetchall()
    events_before = con.execute("SELECT * FROM case_events").fetchall()
    attachments_before = con.execute("SELECT * FROM attachments").fetchall()
    ops_before = con.execute("SELECT op_id, kind, case_id, payload FROM outbox ORDER BY seq").fetchall()
    con.close()

    db = Database(v1_copy)
    try:
        with db.read() as s:
            assert audit.verify(s) == audit.ChainReport(len(audit_before), None)
    finally:
        db.close()

    assert _revision_of(v1_copy) == SCHEMA_HEAD
    columns, indexes = _schema(v1_copy)
    for table in Base.metadata.sorted_tables:  # every column and index the code expects is there
        assert table.name in columns, table.name
        assert {c.name for c in table.columns} <= columns[table.name], table.name
        assert {i.name for i in table.indexes} <= indexes, table.name
    assert {"ix_outbox_state", "ix_cases_name"} <= indexes

    con = _connect(v1_copy)
    con.row_factory = sqlcipher3.Row
    kept = [c.name for c in Base.metadata.tables["cases"].columns if c.name in columns_before["cases"]]
    after = con.execute(f"SELECT {', '.join(kept)} FROM cases ORDER BY id").fetchall()
    assert [tuple(r) for r in after] == cases_before
    width = len(events_before[0]) if events_before else 0  # later revisions add columns at the end
    assert [tuple(r)[:width] for r in con.execute("SELECT * FROM case_events")] == events_before
    assert [tuple(r) for r in con.execute("SELECT * FROM attachments")] == attachments_before
    ops = con.execute("SELECT op_id, kind, case_id, payload, priority, state FROM outbox "
                      "ORDER BY seq").fetchall()
    assert [tuple(r)[:4] for r in ops] == ops_before
    priority = {r["kind"]: r["priority"] for r in ops}
    assert priority == {"case.create": 5, "case.transition": 1, "attachment.add": 5, "blob": 9}
    assert {r["state"] for r in ops} == {"pending"}
    assert con.execute("PRAGMA integrity_check").fetchall()[0][0] == "ok"
    con.close()


def test_backup_is_taken_before_migrating(v1_copy: Path) -> None:
    original = sqlite3.connect(v1_copy).execute("SELECT count(*) FROM cases").fetchone()[0]
    Database(v1_copy).close()
    backups = sorted((v1_copy.parent / "backups").glob("*.db"))
    # the plaintext release-0001 file is encrypted first (with its own backup), then migrated
    assert [b.name.split("-")[1] for b in backups] == ["before"] * 2
    assert not any(is_plaintext_sqlite(b) for b in backups)
    backup, = [b for b in backups if "from-0001" in b.name]
    assert _revision_of(backup) == "0001"  # the state before the migration, not after
    con = _connect_backup(backup, v1_copy)
    assert con.execute("SELECT count(*) FROM cases").fetchone()[0] == original
    assert "priority" not in {r[1] for r in con.execute("PRAGMA table_info(outbox)")}
    con.close()
    assert backup.stat().st_mode & 0o077 == 0  # owner-only, like the database itself


def test_workspace_opens_a_v1_profile(v1_copy: Path) -> None:
    from app.events import EventBus
    from app.services import cases
    from app.services.workspace import Workspace

    ws = Workspace(v1_copy.parent, events=EventBus())
    try:
        assert ws.device_id == "d0000000-0000-4000-8000-000000000001"
        actor = ws.actor()
        assert actor.username == "siti"
        shown = cases.show(ws, "c0000000-0000-4000-8000-000000000002")
        assert shown["status"] == "submitted"
        assert [e["action"] for e in shown["events"]] == ["create", "submit"]
        new_id = cases.create(ws, actor, "SKD", "3573015708900003", "Setelah Upgrade").id
        with ws.db.read() as s:
            assert audit.verify(s).broken_at is None
        assert cases.show(ws, new_id)["status"] == "draft"
    finally:
        ws.close()
