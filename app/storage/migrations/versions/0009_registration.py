"""Cases carry a readable registration number and the access code printed on the citizen's receipt.

Revision ID: 0009_registration
Revises: 0008_event_received_at
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_registration"
down_revision = "0008_event_received_at"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("reg_no", sa.String(40)))
        batch.add_column(sa.Column("access_code", sa.String(16)))
        batch.create_index("ix_cases_reg_no", ["reg_no"])


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index("ix_cases_reg_no")
        batch.drop_column("access_code")
        batch.drop_column("reg_no")
