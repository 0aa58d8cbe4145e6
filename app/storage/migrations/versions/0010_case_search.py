"""Full-text search over cases: an FTS5 trigram index of name, registration number and letter number, kept
by triggers (substring search at a million cases in milliseconds instead of a scan).

The index is external-content (``content='cases'``): it stores only the trigrams and reads the text from
``cases`` by rowid. A later migration that rebuilds ``cases`` (Alembic's batch mode copies the table) drops
these triggers and may renumber rowids: it must recreate them (``create_search``) and rebuild the index.

Revision ID: 0010_case_search
Revises: 0009_registration
"""

from alembic import op

revision = "0010_case_search"
down_revision = "0009_registration"
branch_labels = None
depends_on = None

COLUMNS = "name, reg_no, letter_number"
STATEMENTS = (
    f"CREATE VIRTUAL TABLE cases_search USING fts5({COLUMNS}, content='cases', content_rowid='rowid', "
    "tokenize='trigram')",
    "CREATE TRIGGER cases_search_insert AFTER INSERT ON cases BEGIN "
    "INSERT INTO cases_search (rowid, name, reg_no, letter_number) "
    "VALUES (new.rowid, new.name, new.reg_no, new.letter_number); END",
    "CREATE TRIGGER cases_search_delete AFTER DELETE ON cases BEGIN "
    "INSERT INTO cases_search (cases_search, rowid, name, reg_no, letter_number) "
    "VALUES ('delete', old.rowid, old.name, old.reg_no, old.letter_number); END",
    # Only when a searched column really changes: the pull's upsert names every column on every case.
    "CREATE TRIGGER cases_search_update AFTER UPDATE OF name, reg_no, letter_number ON cases "
    "WHEN old.name IS NOT new.name OR old.reg_no IS NOT new.reg_no OR old.letter_number IS NOT new.letter_number "
    "BEGIN "
    "INSERT INTO cases_search (cases_search, rowid, name, reg_no, letter_number) "
    "VALUES ('delete', old.rowid, old.name, old.reg_no, old.letter_number); "
    "INSERT INTO cases_search (rowid, name, reg_no, letter_number) "
    "VALUES (new.rowid, new.name, new.reg_no, new.letter_number); END",
    "INSERT INTO cases_search (cases_search) VALUES ('rebuild')",
)


def create_search() -> None:
    for statement in STATEMENTS:
        op.execute(statement)


def upgrade() -> None:
    create_search()


def downgrade() -> None:
    for trigger in ("cases_search_update", "cases_search_delete", "cases_search_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS cases_search")
