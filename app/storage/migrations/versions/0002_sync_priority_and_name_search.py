"""Sync priority for outbox ops (statuses and signatures before attachments) and a name index for search.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("priority", sa.Integer, nullable=False, server_default="5"))
    op.execute("UPDATE outbox SET priority = 1 WHERE kind IN ('case.transition', 'approval')")
    op.execute("UPDATE outbox SET priority = 9 WHERE kind = 'blob'")
    op.create_index("ix_outbox_state", "outbox", ["state", "priority", "seq"])
    op.create_index("ix_cases_name", "cases", ["name"])


def downgrade() -> None:
    op.drop_index("ix_cases_name", "cases")
    op.drop_index("ix_outbox_state", "outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("priority")
