"""The city CA and TSA kept once in the database (no longer in each instance's --data folder), and failed
enrolment attempts per client address (the /enroll rate limit shared by every instance).

Revision ID: s0002_city_ca
Revises: s0001_baseline
"""

import sqlalchemy as sa
from alembic import op

revision = "s0002_city_ca"
down_revision = "s0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "city_authority",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ca_cert_pem", sa.Text(), nullable=False),
        sa.Column("ca_key_pem", sa.Text(), nullable=False),
        sa.Column("tsa_cert_pem", sa.Text(), nullable=False),
        sa.Column("tsa_key_pem", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "enrol_attempts",
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("address", "window_start"),
    )


def downgrade() -> None:
    op.drop_table("enrol_attempts")
    op.drop_table("city_authority")
