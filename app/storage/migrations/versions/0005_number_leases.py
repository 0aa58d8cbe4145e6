"""Letter numbers the server leased to this device, and numbers that went unused (gaps).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_leases",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("office", sa.String(40), nullable=False),
        sa.Column("classification", sa.String(40), nullable=False),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("first", sa.Integer, nullable=False),
        sa.Column("last", sa.Integer, nullable=False),
        sa.Column("next", sa.Integer, nullable=False),
        sa.Column("created_at", sa.String(32), nullable=False),
    )
    op.create_index("ix_number_leases_key", "number_leases", ["office", "classification", "year", "next"])
    op.create_table(
        "letter_gaps",
        sa.Column("number", sa.String(80), primary_key=True),
        sa.Column("case_id", sa.String(36)),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", sa.String(32), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("letter_gaps")
    op.drop_index("ix_number_leases_key", "number_leases")
    op.drop_table("number_leases")
