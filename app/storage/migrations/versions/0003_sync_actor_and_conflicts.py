"""Sync: who made each outbox op (each enrolled user pushes with their own token), conflicts kept
until a person resolves them, and the letter's hash on the case.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("actor", sa.String(64), nullable=False, server_default=""))
    op.execute("UPDATE outbox SET actor = COALESCE((SELECT value FROM meta WHERE key = 'active_user'), '')")
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("letter_sha256", sa.String(64)))
    op.create_table(
        "conflicts",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("case_id", sa.String(36), sa.ForeignKey("cases.id", ondelete="CASCADE"), nullable=False),
        sa.Column("field", sa.String(40), nullable=False),
        sa.Column("server_value", sa.Text),
        sa.Column("client_value", sa.Text),
        sa.Column("client_device", sa.String(36)),
        sa.Column("created_at", sa.String(32), nullable=False),
        sa.Column("state", sa.String(12), nullable=False, server_default="open"),
    )
    op.create_index("ix_conflicts_case_id", "conflicts", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_conflicts_case_id", "conflicts")
    op.drop_table("conflicts")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("letter_sha256")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("actor")
