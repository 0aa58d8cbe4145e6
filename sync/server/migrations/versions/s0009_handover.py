"""Case history steps carry details: the hand-over record of an issue (who collected the letter, relation, ID
shown, when).

Revision ID: s0009_handover
Revises: s0008_notify
"""

import sqlalchemy as sa
from alembic import op

revision = 's0009_handover'
down_revision = 's0008_notify'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.drop_column('details')
