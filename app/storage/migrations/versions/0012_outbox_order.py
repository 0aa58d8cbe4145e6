"""The outbox's state index in push order: ``(state, seq)`` instead of ``(state, priority, seq)``.

The sync engine reads the next ops to push as ``state = 'pending' … ORDER BY seq LIMIT 500`` (one order for
every op, see ``replica.pending_ops``); priority no longer ranks them. With priority between state and seq the
index could only find the pending ops, and SQLite sorted all of them for every batch: a push of 100,000 offline
cases sorted up to 100,000 rows 200 times. In ``(state, seq)`` order the batch is the next 500 entries after
the last op read. Counts by state read the same index as before.

Revision ID: 0012_outbox_order
Revises: 0011_rekap_fields
"""

from alembic import op

revision = "0012_outbox_order"
down_revision = "0011_rekap_fields"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_outbox_state", "outbox")
    op.create_index("ix_outbox_state", "outbox", ["state", "seq"])


def downgrade() -> None:
    op.drop_index("ix_outbox_state", "outbox")
    op.create_index("ix_outbox_state", "outbox", ["state", "priority", "seq"])
