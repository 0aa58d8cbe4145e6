"""Baseline: the server schema of release 0.1.0, which ``create_all`` made before there were migrations.

A database from that release has these tables and no version table; ``upgrade`` stamps it with this revision
instead of running it (see ``sync/server/migrate.py``).

Revision ID: s0001_baseline
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "s0001_baseline"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("blobs",
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("size", sa.BigInteger(), nullable=False),
    sa.Column("complete", sa.Boolean(), nullable=False),
    sa.Column("data", sa.LargeBinary(), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint("sha256")
    )
    op.create_table("cases",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("service", sa.String(length=16), nullable=False),
    sa.Column("office", sa.String(length=40), nullable=False),
    sa.Column("signer_office", sa.String(length=40), nullable=False),
    sa.Column("nik", sa.String(length=16), nullable=True),
    sa.Column("name", sa.String(length=120), nullable=False),
    sa.Column("fields", sa.Text(), nullable=False),
    sa.Column("field_versions", sa.Text(), nullable=False),
    sa.Column("status", sa.String(length=16), nullable=False),
    sa.Column("version", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.Column("updated_at", sa.String(length=32), nullable=False),
    sa.Column("created_by", sa.String(length=64), nullable=False),
    sa.Column("device", sa.String(length=36), nullable=False),
    sa.Column("due_date", sa.String(length=10), nullable=False),
    sa.Column("letter_number", sa.String(length=80), nullable=True),
    sa.Column("letter_sha256", sa.String(length=64), nullable=True),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("deleted", sa.Boolean(), nullable=False),
    sa.Column("feed_seq", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index("ix_srv_cases_office_feed", "cases", ["office", "feed_seq"], unique=False)
    op.create_index("ix_srv_cases_signer_feed", "cases", ["signer_office", "feed_seq"], unique=False)
    op.create_table("counters",
    sa.Column("name", sa.String(length=32), nullable=False),
    sa.Column("value", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("name")
    )
    op.create_table("device_chains",
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("counter", sa.BigInteger(), nullable=False),
    sa.Column("last_hash", sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint("device_id")
    )
    op.create_table("feed_counter",
    sa.Column("id", sa.Integer(), nullable=False),
    sa.Column("value", sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_table("idempotency",
    sa.Column("device", sa.String(length=36), nullable=False),
    sa.Column("op_id", sa.String(length=36), nullable=False),
    sa.Column("request_hash", sa.String(length=64), nullable=False),
    sa.Column("response", sa.Text(), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint("device", "op_id")
    )
    op.create_table("leases",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("office", sa.String(length=40), nullable=False),
    sa.Column("classification", sa.String(length=40), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("first", sa.Integer(), nullable=False),
    sa.Column("last", sa.Integer(), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_leases_device_id"), "leases", ["device_id"], unique=False)
    op.create_table("number_counters",
    sa.Column("office", sa.String(length=40), nullable=False),
    sa.Column("classification", sa.String(length=40), nullable=False),
    sa.Column("year", sa.Integer(), nullable=False),
    sa.Column("next", sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint("office", "classification", "year")
    )
    op.create_table("offices",
    sa.Column("code", sa.String(length=40), nullable=False),
    sa.Column("name", sa.String(length=120), nullable=False),
    sa.Column("level", sa.String(length=16), nullable=False),
    sa.Column("parent", sa.String(length=40), nullable=True),
    sa.PrimaryKeyConstraint("code")
    )
    op.create_table("server_meta",
    sa.Column("key", sa.String(length=64), nullable=False),
    sa.Column("value", sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint("key")
    )
    op.create_table("approvals",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("case_id", sa.String(length=36), nullable=False),
    sa.Column("letter_number", sa.String(length=80), nullable=False),
    sa.Column("event", sa.Text(), nullable=False),
    sa.Column("signature", sa.Text(), nullable=False),
    sa.Column("event_hash", sa.String(length=64), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("device_counter", sa.BigInteger(), nullable=False),
    sa.Column("cert_serial", sa.String(length=40), nullable=False),
    sa.Column("signer", sa.String(length=64), nullable=False),
    sa.Column("signed_sha256", sa.String(length=64), nullable=False),
    sa.Column("letter_sha256", sa.String(length=64), nullable=False),
    sa.Column("accepted_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("letter_number")
    )
    op.create_index(op.f("ix_approvals_case_id"), "approvals", ["case_id"], unique=False)
    op.create_table("attachments",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("case_id", sa.String(length=36), nullable=False),
    sa.Column("doc_code", sa.String(length=40), nullable=False),
    sa.Column("sha256", sa.String(length=64), nullable=False),
    sa.Column("filename", sa.String(length=255), nullable=False),
    sa.Column("size", sa.Integer(), nullable=False),
    sa.Column("mime", sa.String(length=64), nullable=False),
    sa.Column("added_by", sa.String(length=64), nullable=False),
    sa.Column("added_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_attachments_case_id"), "attachments", ["case_id"], unique=False)
    op.create_table("case_events",
    sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
    sa.Column("case_id", sa.String(length=36), nullable=False),
    sa.Column("action", sa.String(length=16), nullable=False),
    sa.Column("from_status", sa.String(length=16), nullable=True),
    sa.Column("to_status", sa.String(length=16), nullable=True),
    sa.Column("actor", sa.String(length=64), nullable=False),
    sa.Column("device", sa.String(length=36), nullable=False),
    sa.Column("reason", sa.Text(), nullable=True),
    sa.Column("at", sa.String(length=32), nullable=False),
    sa.Column("received_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_case_events_case_id"), "case_events", ["case_id"], unique=False)
    op.create_table("conflicts",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("case_id", sa.String(length=36), nullable=False),
    sa.Column("field", sa.String(length=40), nullable=False),
    sa.Column("base_version", sa.Integer(), nullable=True),
    sa.Column("server_value", sa.Text(), nullable=True),
    sa.Column("client_value", sa.Text(), nullable=True),
    sa.Column("server_device", sa.String(length=36), nullable=True),
    sa.Column("client_device", sa.String(length=36), nullable=False),
    sa.Column("op_id", sa.String(length=36), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.Column("resolved_at", sa.String(length=32), nullable=True),
    sa.Column("resolution", sa.Text(), nullable=True),
    sa.Column("resolved_by", sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_conflicts_case_id"), "conflicts", ["case_id"], unique=False)
    op.create_table("users",
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("full_name", sa.String(length=120), nullable=False),
    sa.Column("role", sa.String(length=20), nullable=False),
    sa.Column("office", sa.String(length=40), nullable=False),
    sa.Column("nip", sa.String(length=18), nullable=True),
    sa.Column("position", sa.String(length=120), nullable=True),
    sa.Column("active", sa.Boolean(), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.ForeignKeyConstraint(["office"], ["offices.code"], ),
    sa.PrimaryKeyConstraint("username")
    )
    op.create_table("certificates",
    sa.Column("serial", sa.String(length=40), nullable=False),
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("device_id", sa.String(length=36), nullable=False),
    sa.Column("pem", sa.Text(), nullable=False),
    sa.Column("not_after", sa.String(length=32), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.Column("revoked_at", sa.String(length=32), nullable=True),
    sa.Column("revoke_reason", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["username"], ["users.username"], ),
    sa.PrimaryKeyConstraint("serial")
    )
    op.create_table("delegations",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("grantor", sa.String(length=64), nullable=False),
    sa.Column("delegate", sa.String(length=64), nullable=False),
    sa.Column("office", sa.String(length=40), nullable=False),
    sa.Column("kind", sa.String(length=8), nullable=False),
    sa.Column("valid_from", sa.String(length=32), nullable=False),
    sa.Column("valid_until", sa.String(length=32), nullable=False),
    sa.Column("grantor_cert_serial", sa.String(length=40), nullable=False),
    sa.Column("signature", sa.Text(), nullable=False),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.Column("revoked_at", sa.String(length=32), nullable=True),
    sa.ForeignKeyConstraint(["delegate"], ["users.username"], ),
    sa.ForeignKeyConstraint(["grantor"], ["users.username"], ),
    sa.PrimaryKeyConstraint("id")
    )
    op.create_index(op.f("ix_delegations_delegate"), "delegations", ["delegate"], unique=False)
    op.create_table("devices",
    sa.Column("id", sa.String(length=36), nullable=False),
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("token_hash", sa.String(length=64), nullable=False),
    sa.Column("name", sa.String(length=120), nullable=True),
    sa.Column("created_at", sa.String(length=32), nullable=False),
    sa.Column("last_seen", sa.String(length=32), nullable=True),
    sa.Column("revoked_at", sa.String(length=32), nullable=True),
    sa.Column("revoke_reason", sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(["username"], ["users.username"], ),
    sa.PrimaryKeyConstraint("id"),
    sa.UniqueConstraint("token_hash")
    )
    op.create_table("enrolment_codes",
    sa.Column("code_hash", sa.String(length=64), nullable=False),
    sa.Column("username", sa.String(length=64), nullable=False),
    sa.Column("expires_at", sa.String(length=32), nullable=False),
    sa.Column("used_at", sa.String(length=32), nullable=True),
    sa.Column("device_id", sa.String(length=36), nullable=True),
    sa.ForeignKeyConstraint(["username"], ["users.username"], ),
    sa.PrimaryKeyConstraint("code_hash")
    )


def downgrade() -> None:
    op.drop_table("enrolment_codes")
    op.drop_table("devices")
    op.drop_index(op.f("ix_delegations_delegate"), table_name="delegations")
    op.drop_table("delegations")
    op.drop_table("certificates")
    op.drop_table("users")
    op.drop_index(op.f("ix_conflicts_case_id"), table_name="conflicts")
    op.drop_table("conflicts")
    op.drop_index(op.f("ix_case_events_case_id"), table_name="case_events")
    op.drop_table("case_events")
    op.drop_index(op.f("ix_attachments_case_id"), table_name="attachments")
    op.drop_table("attachments")
    op.drop_index(op.f("ix_approvals_case_id"), table_name="approvals")
    op.drop_table("approvals")
    op.drop_table("server_meta")
    op.drop_table("offices")
    op.drop_table("number_counters")
    op.drop_index(op.f("ix_leases_device_id"), table_name="leases")
    op.drop_table("leases")
    op.drop_table("idempotency")
    op.drop_table("feed_counter")
    op.drop_table("device_chains")
    op.drop_table("counters")
    op.drop_index("ix_srv_cases_signer_feed", table_name="cases")
    op.drop_index("ix_srv_cases_office_feed", table_name="cases")
    op.drop_table("cases")
    op.drop_table("blobs")
