"""Cases carry a readable registration number and the access code printed on the citizen's receipt.

Revision ID: s0007_registration
Revises: s0006_chain_events
"""

import sqlalchemy as sa
from alembic import op

revision = 's0007_registration'
down_revision = 's0006_chain_events'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reg_no', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('access_code', sa.String(length=16), nullable=True))
        batch_op.create_index('ix_srv_cases_reg_no', ['reg_no'], unique=True)


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index('ix_srv_cases_reg_no')
        batch_op.drop_column('access_code')
        batch_op.drop_column('reg_no')
