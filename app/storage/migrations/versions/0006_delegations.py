"""Delegations this device knows (granted by or to its users), pulled from the server.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("grantor", sa.String(64), nullable=False),
        sa.Column("grantor_name", sa.String(120), nullable=False),
        sa.Column("grantor_position", sa.String(120)),
        sa.Column("delegate", sa.String(64), nullable=False),
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("valid_from", sa.String(32), nullable=False),
        sa.Column("valid_until", sa.String(32), nullable=False),
        sa.Column("revoked", sa.Boolean, nullable=False),
    )
    op.create_index("ix_delegations_delegate", "delegations", ["delegate", "office"])


def downgrade() -> None:
    op.drop_index("ix_delegations_delegate", "delegations")
    op.drop_table("delegations")
