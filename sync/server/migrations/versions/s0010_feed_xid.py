"""The change feed records each change's writing transaction: cases.feed_xid (0 for every existing row, which
keeps its feed_seq), the feed indexes on (office | signer_office, feed_xid, feed_seq), and on PostgreSQL the
sequence feed_numbers, started above the old counter, instead of the locked feed_counter row.

Revision ID: s0010_feed_xid
Revises: s0009_handover
"""

import sqlalchemy as sa
from alembic import op

revision = 's0010_feed_xid'
down_revision = 's0009_handover'
branch_labels = None
depends_on = None

SEQUENCE = "feed_numbers"


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('feed_xid', sa.BigInteger(), server_default='0', nullable=False))
    op.drop_index('ix_srv_cases_office_feed', table_name='cases')
    op.drop_index('ix_srv_cases_signer_feed', table_name='cases')
    op.create_index('ix_srv_cases_office_feed', 'cases', ['office', 'feed_xid', 'feed_seq'], unique=False)
    op.create_index('ix_srv_cases_signer_feed', 'cases', ['signer_office', 'feed_xid', 'feed_seq'], unique=False)
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        top = bind.execute(sa.text(
            "SELECT GREATEST((SELECT COALESCE(MAX(value), 0) FROM feed_counter),"
            " (SELECT COALESCE(MAX(feed_seq), 0) FROM cases))")).scalar_one()
        op.execute(f"CREATE SEQUENCE {SEQUENCE} AS bigint START WITH {int(top) + 1}")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        # the old feed orders by feed_seq alone: number the newer changes again in their (xid, seq) order,
        # above everything, and leave the counter at the top
        top = int(bind.execute(sa.text("SELECT COALESCE(MAX(feed_seq), 0) FROM cases")).scalar_one())
        ids = [r[0] for r in bind.execute(sa.text(
            "SELECT id FROM cases WHERE feed_xid > 0 ORDER BY feed_xid, feed_seq"))]
        if ids:
            bind.execute(sa.text("UPDATE cases SET feed_seq = :seq WHERE id = :id"),
                         [{"seq": top + i + 1, "id": cid} for i, cid in enumerate(ids)])
        bind.execute(sa.text("UPDATE feed_counter SET value = GREATEST(value, :top)"), {"top": top + len(ids)})
        op.execute(f"DROP SEQUENCE IF EXISTS {SEQUENCE}")
    op.drop_index('ix_srv_cases_signer_feed', table_name='cases')
    op.drop_index('ix_srv_cases_office_feed', table_name='cases')
    op.create_index('ix_srv_cases_signer_feed', 'cases', ['signer_office', 'feed_seq'], unique=False)
    op.create_index('ix_srv_cases_office_feed', 'cases', ['office', 'feed_seq'], unique=False)
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('feed_xid')
