"""History keeps both times and names devices; refused ops remember when they were refused.

``case_events.received_at``: when the server received the step (the ``at`` column stays the device's clock).
``device_names``: the server's names of enrolled devices, so the history shows a name instead of an id.
``outbox.refused_at``: when the server refused an op (the refusal list and the case timeline show it).

Revision ID: 0008_event_received_at
Revises: 0007_approval_steps
"""

import sqlalchemy as sa
from alembic import op

revision = "0008_event_received_at"
down_revision = "0007_approval_steps"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("case_events") as batch:
        batch.add_column(sa.Column("received_at", sa.String(32)))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("refused_at", sa.String(32)))
    op.create_table(
        "device_names",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("device_names")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("refused_at")
    with op.batch_alter_table("case_events") as batch:
        batch.drop_column("received_at")
