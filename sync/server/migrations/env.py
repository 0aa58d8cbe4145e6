"""Alembic environment of the server: always run by sync.server.migrate with a live connection."""

from __future__ import annotations

from alembic import context

from sync.server.storage import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True, compare_type=True)
with context.begin_transaction():
    context.run_migrations()
