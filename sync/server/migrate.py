"""Migrations of the server's database (Alembic; the scripts are in ``sync/server/migrations/versions/``).

``loket-server init`` and ``run`` call :func:`upgrade` first, on SQLite and PostgreSQL alike. It runs in one
transaction: on PostgreSQL under an advisory lock, so instances started together migrate once (the others
wait, then find the head); on SQLite writers are serialised anyway. A database made by release 0.1.0
(``create_all``, no version table) is stamped with the baseline ``s0001_baseline`` and upgraded from there.

Adding a migration, when you change a table in ``sync/server/storage.py``:

1. Change the table in ``storage.py`` (it stays the description of the current schema).
2. Draft the script: ``.venv/bin/python -m sync.server.migrate revision "short topic"`` writes
   ``versions/sNNNN_short_topic.py`` (next number, ``down_revision`` = the current head) with what Alembic
   finds different between the migrated schema and ``storage.py``. Read it and fix what it guessed wrong;
   changes to existing columns go inside ``with op.batch_alter_table(...)`` (SQLite rebuilds the table).
3. Data go in the same script (``op.execute``, ``sa.table(...)``); never import ``storage.py``'s tables in a
   migration — they describe a later schema.
4. ``tests/sync/test_server_migrations.py`` fails until migrations and ``storage.py`` agree (SQLite and
   PostgreSQL) and upgrades the release fixture ``tests/fixtures/server-v1/``.

Never edit a migration that was released. Two branches adding one each: the later one's ``down_revision``
becomes the other's revision (a single head; the test checks that too).
"""

from __future__ import annotations

import logging
import re
import sys
import tempfile
from pathlib import Path

from sqlalchemy import Connection, Engine, inspect, text

log = logging.getLogger("loket.server.migrate")
MIGRATIONS = Path(__file__).with_name("migrations")
BASELINE = "s0001_baseline"
HEAD = "s0010_feed_xid"  # the newest migration (a new one updates this; tests/sync/test_server_migrations.py checks)
LOCK_KEY = 0x4C6F6B6574  # "Loket": PostgreSQL advisory lock held while migrating


def _config(conn: Connection | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("file_template", "%%(rev)s")
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def heads() -> list[str]:
    from alembic.script import ScriptDirectory

    return list(ScriptDirectory.from_config(_config()).get_heads())


def upgrade(engine: Engine, target: str = "head") -> None:
    """Bring the database to ``target`` (default: the newest schema), once, whoever else is starting.

    A database already at the newest schema (every start but the first after an update) is recognised
    from its version row alone: loading Alembic and its scripts costs most of a second per start."""
    if target == "head" and at_head(engine):
        return
    from alembic import command

    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        cfg = _config(conn)
        tables = set(inspect(conn).get_table_names())
        if "alembic_version" not in tables and "cases" in tables:
            log.info("database from release 0.1.0: stamping it %s before upgrading", BASELINE)
            command.stamp(cfg, BASELINE)
        command.upgrade(cfg, target)


def at_head(engine: Engine) -> bool:
    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return False
        return [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))] == [HEAD]


def current(engine: Engine) -> str | None:
    from alembic.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def draft(topic: str) -> Path:
    """Write a new migration script comparing a database at head with ``storage.py``."""
    from alembic import command

    from sync.server.storage import make_engine

    slug = re.sub(r"[^a-z0-9]+", "_", topic.lower()).strip("_")[:26] or "change"
    numbers = [int(p.name[1:5]) for p in (MIGRATIONS / "versions").glob("s[0-9][0-9][0-9][0-9]_*.py")]
    rev = f"s{max(numbers, default=0) + 1:04d}_{slug}"
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite:///{folder}/draft.db")
        upgrade(engine)
        with engine.begin() as conn:
            command.revision(_config(conn), message=topic, autogenerate=True, rev_id=rev)
        engine.dispose()
    return MIGRATIONS / "versions" / f"{rev}.py"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "revision":
        print(draft(sys.argv[2]))
    else:
        sys.stderr.write('usage: python -m sync.server.migrate revision "short topic"\n')
        raise SystemExit(2)
