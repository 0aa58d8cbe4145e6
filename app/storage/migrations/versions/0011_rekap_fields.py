"""What the rekaps read of each USULMUS and LAPSEK case — its office, status, number, name and the wanted keys
of its fields in typed columns — kept in a narrow table per service by triggers on ``cases`` (in the same
transaction as the change), so opening a rekap of 10,000 proposals reads one small table instead of decoding
10,000 JSON objects in Python or joining back to ``cases``.

A row is ``plain`` when every wanted key of the case's fields is absent, null or text, and every number key
is a text of 1..18 ASCII digits: then its columns say exactly what the Python decoding would (texts as
stored, numbers as integers). Any other case (damaged JSON, a number written as "12.0" or 12, a hostile
value) has ``plain = 0`` and the rekap decodes its ``fields`` in Python as before, so the rekap is the same
either way.

A later migration that rebuilds ``cases`` (Alembic's batch mode copies the table) drops these triggers: it
must recreate them (``create_rekap_fields``) and fill the tables again.

Revision ID: 0011_rekap_fields
Revises: 0010_case_search
"""

from alembic import op

revision = "0011_rekap_fields"
down_revision = "0010_case_search"
branch_labels = None
depends_on = None

# table -> (service, text keys, number keys); the columns are named after the keys
TABLES = {
    "rekap_usulan": ("USULMUS", ("bidang", "program", "kegiatan", "lokasi"),
                     ("tahun_anggaran", "prioritas", "estimasi_biaya", "penerima_manfaat")),
    "rekap_sekolah": ("LAPSEK", ("npsn", "tahun_ajaran", "semester", "jenjang", "alamat_sekolah"),
                      ("jumlah_siswa", "jumlah_rombel", "jumlah_guru", "siswa_putus_sekolah")),
}
MAX_DIGITS = 18  # below 2**63: SQLite's integer


def _values(source: str, texts: tuple[str, ...], numbers: tuple[str, ...]) -> str:
    """The SELECT list of one row from ``source`` (``new`` in a trigger, ``cases`` when filling)."""
    f = f"{source}.fields"

    def kind(key: str) -> str:
        return f"coalesce(json_type({f}, '$.{key}'), 'null')"

    def value(key: str) -> str:
        return f"json_extract({f}, '$.{key}')"

    def digits(key: str) -> str:
        return (f"{kind(key)} = 'text' AND {value(key)} <> '' AND {value(key)} NOT GLOB '*[^0-9]*' "
                f"AND length({value(key)}) <= {MAX_DIGITS}")

    # SQLite evaluates both sides of an AND: only CASE keeps json_type() away from damaged JSON (an error)
    plain = [f"{kind(k)} IN ('text', 'null')" for k in texts]
    plain += [f"({kind(k)} = 'null' OR ({digits(k)}))" for k in numbers]
    columns = [f"CASE WHEN NOT json_valid({f}) THEN NULL WHEN {kind(k)} = 'text' THEN {value(k)} END" for k in texts]
    columns += [f"CASE WHEN NOT json_valid({f}) THEN NULL WHEN {digits(k)} THEN CAST({value(k)} AS INTEGER) END"
                for k in numbers]
    return (f"{source}.id, {source}.office, {source}.status, {source}.reg_no, {source}.name, "
            f"{source}.updated_at, CASE WHEN NOT json_valid({f}) THEN 0 WHEN json_type({f}) <> 'object' THEN 1 "
            f"ELSE ({' AND '.join(plain)}) END, " + ", ".join(columns))


CASE_COLUMNS = ("office", "status", "reg_no", "name", "updated_at")


def statements() -> list[str]:
    out: list[str] = []
    for table, (service, texts, numbers) in TABLES.items():
        names = ", ".join(("case_id", *CASE_COLUMNS, "plain", *texts, *numbers))
        insert = f"INSERT OR REPLACE INTO {table} ({names}) SELECT {_values('new', texts, numbers)}"
        changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in CASE_COLUMNS)
        out += [
            f"CREATE TABLE {table} (case_id VARCHAR(36) NOT NULL, office VARCHAR(40) NOT NULL, "
            "status VARCHAR(16) NOT NULL, reg_no VARCHAR(40), name VARCHAR(120) NOT NULL, updated_at VARCHAR(32), "
            "plain INTEGER NOT NULL, " + ", ".join(f"{k} TEXT" for k in texts) + ", "
            + ", ".join(f"{k} INTEGER" for k in numbers) + f", CONSTRAINT pk_{table} PRIMARY KEY (case_id))",
            f"CREATE TRIGGER {table}_insert AFTER INSERT ON cases WHEN new.service = '{service}' "
            f"BEGIN {insert}; END",
            f"CREATE TRIGGER {table}_delete AFTER DELETE ON cases WHEN old.service = '{service}' "
            f"BEGIN DELETE FROM {table} WHERE case_id = old.id; END",
            # the fields read again only when they change: the pull's upsert names every column on every case
            f"CREATE TRIGGER {table}_fields AFTER UPDATE OF id, service, fields ON cases "
            f"WHEN (old.service = '{service}' OR new.service = '{service}') AND (old.fields IS NOT new.fields "
            f"OR old.service IS NOT new.service OR old.id IS NOT new.id) "
            f"BEGIN DELETE FROM {table} WHERE case_id = old.id; {insert} WHERE new.service = '{service}'; END",
            f"CREATE TRIGGER {table}_case AFTER UPDATE OF {', '.join(CASE_COLUMNS)} ON cases "
            f"WHEN new.service = '{service}' AND ({changed}) "
            f"BEGIN UPDATE {table} SET " + ", ".join(f"{c} = new.{c}" for c in CASE_COLUMNS)
            + " WHERE case_id = new.id; END",
            f"INSERT INTO {table} ({names}) SELECT {_values('cases', texts, numbers)} FROM cases "
            f"WHERE service = '{service}'",
        ]
    out.append("CREATE INDEX ix_rekap_usulan_year ON rekap_usulan (plain, tahun_anggaran, office)")
    return out


def create_rekap_fields() -> None:
    for statement in statements():
        op.execute(statement)


def upgrade() -> None:
    create_rekap_fields()


def downgrade() -> None:
    for table in TABLES:
        for trigger in ("case", "fields", "delete", "insert"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_{trigger}")
        op.execute(f"DROP TABLE IF EXISTS {table}")
