"""The signed steps of a case's approval chain (a Lurah's recommendation before the Camat signs), and the
office whose penandatangan the case waits for, derived from them (app.domain.chain) so the signing queue is
one indexed query.

Revision ID: 0007_approval_steps
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007_approval_steps"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("steps", sa.Text))  # JSON list of recorded signed steps; NULL = none
        batch.add_column(sa.Column("next_office", sa.String(40)))
    # Verified cases already on the device wait for their own office's signer (every chain before this
    # revision ended at the case's office or was taken there).
    op.execute("UPDATE cases SET next_office = office WHERE status = 'verified'")
    op.create_index("ix_cases_next_office", "cases", ["next_office", "status", "due_date"])


def downgrade() -> None:
    op.drop_index("ix_cases_next_office", "cases")
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("next_office")
        batch.drop_column("steps")
