"""Messages to citizens (an outbox sent outside the push transaction) and the status page's attempt counter.

Revision ID: s0008_notify
Revises: s0007_registration
"""

import sqlalchemy as sa
from alembic import op

revision = 's0008_notify'
down_revision = 's0007_registration'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notify_outbox',
        sa.Column('id', sa.Integer(), nullable=False, autoincrement=True),
        sa.Column('case_id', sa.String(length=36), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('case_version', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_at', sa.String(length=32), nullable=False),
        sa.Column('claimed_by', sa.String(length=64), nullable=True),
        sa.Column('claimed_until', sa.String(length=32), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.Column('sent_via', sa.String(length=12), nullable=True),
        sa.Column('created_at', sa.String(length=32), nullable=False),
        sa.Column('sent_at', sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_notify_outbox_case_id', 'notify_outbox', ['case_id'])
    op.create_index('ix_notify_outbox_due', 'notify_outbox', ['status', 'next_at'])
    op.create_index('ix_notify_outbox_once', 'notify_outbox', ['case_id', 'case_version', 'kind', 'channel'],
                    unique=True)
    op.create_table(
        'status_attempts',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('window_start', sa.BigInteger(), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'window_start'),
    )


def downgrade() -> None:
    op.drop_table('status_attempts')
    op.drop_index('ix_notify_outbox_once', table_name='notify_outbox')
    op.drop_index('ix_notify_outbox_due', table_name='notify_outbox')
    op.drop_index('ix_notify_outbox_case_id', table_name='notify_outbox')
    op.drop_table('notify_outbox')
