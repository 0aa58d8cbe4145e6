"""Indexes for the desktop case list at a million cases: counts per office (and status/service) read a
covering index instead of the table, and every sortable column has an index whose order (column, rowid)
matches the list's ORDER BY column, rowid — so the first page of any sort is read straight from an index.

The laptop never runs ANALYZE, and without statistics SQLite takes ``office = ?`` for a selective filter
(almost every local case belongs to the device's office) and sorts 800,000 rows for one page. So this step
also pins planner statistics for ``cases`` in ``sqlite_stat1`` — the shape of a large office's store, as
SQLite documents for hand-tuned statistics. A later real ANALYZE simply replaces them.

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_cases_office_status", "cases", ["office", "status", "due_date"])
    op.create_index("ix_cases_office_service", "cases", ["office", "service", "status"])
    op.drop_index("ix_cases_service", "cases")  # was (service, status): its order did not serve a sort
    op.create_index("ix_cases_service", "cases", ["service"])
    op.create_index("ix_cases_status", "cases", ["status"])
    op.create_index("ix_cases_due", "cases", ["due_date"])
    op.create_index("ix_cases_created", "cases", ["created_at"])
    op.create_index("ix_cases_letter", "cases", ["letter_number"])
    pin_statistics()


# index → "rows, rows per distinct value of the first column, of the first two, …" (see sqlite_stat1)
CASE_STATISTICS = {
    "sqlite_autoindex_cases_1": "1000000 1",
    "ix_cases_updated": "1000000 2",
    "ix_cases_created": "1000000 1",
    "ix_cases_nik": "1000000 3",
    "ix_cases_name": "1000000 50",
    "ix_cases_letter": "1000000 2",
    "ix_cases_due": "1000000 1000",
    "ix_cases_status": "1000000 125000",
    "ix_cases_service": "1000000 125000",
    "ix_cases_status_updated": "1000000 125000 2",
    "ix_cases_office_status": "1000000 800000 100000 100",
    "ix_cases_office_service": "1000000 800000 100000 12000",
}


def pin_statistics() -> None:
    op.execute("PRAGMA analysis_limit = 100")
    op.execute("ANALYZE cases")  # creates sqlite_stat1 when missing; cheap with the limit above
    op.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'cases'")
    for index, stat in CASE_STATISTICS.items():
        op.execute(f"INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('cases', '{index}', '{stat}')")


def downgrade() -> None:
    for name in ("ix_cases_letter", "ix_cases_created", "ix_cases_due", "ix_cases_status", "ix_cases_service",
                 "ix_cases_office_service", "ix_cases_office_status"):
        op.drop_index(name, "cases")
    op.create_index("ix_cases_service", "cases", ["service", "status"])
    op.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'cases'")
