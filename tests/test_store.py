"""The local store: one transaction per mutation, the audit chain, attachments, damaged and newer databases,
and durability when the process is killed mid-write."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from app.domain.lifecycle import Action
from app.errors import StorageError, UserFacingError, ValidationError
from app.services import cases, doctor, importer
from app.services.workspace import Actor, Workspace
from app.storage import audit, replica
from app.storage.blobs import MAX_ATTACHMENT_BYTES, BlobStore
from app.storage.db import Database
from samples import NIK_MAN, NIK_WOMAN, PNG, SKD_FIELDS, documents
from support.store_keys import open_store, share_with_subprocesses

ROOT = Path(__file__).resolve().parent.parent


def _counts(db: Path) -> dict[str, int]:
    con = open_store(db)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("cases", "outbox", "audit", "case_events", "attachments")}
    finally:
        con.close()


def _blob_files(profile: Path) -> list[Path]:
    folder = profile / "blobs"
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


# --- one transaction per mutation -------------------------------------------------------------------------


def test_create_writes_case_outbox_and_audit_together(ws: Workspace, petugas: Actor) -> None:
    case_id = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", {"keperluan": "sekolah"}).id
    con = open_store(ws.db.path)
    (kind, op_case, payload), = con.execute("SELECT kind, case_id, payload FROM outbox").fetchall()
    assert (kind, op_case, payload) == ("case.create", case_id, replica.BY_REFERENCE)
    assert _pushed_body(ws, case_id)["case"]["fields"] == {"keperluan": "sekolah"}  # type: ignore[index]
    assert con.execute("SELECT action, entity_id FROM audit").fetchall() == [("case.create", case_id)]
    con.close()


def test_refused_validation_writes_nothing(ws: Workspace, petugas: Actor) -> None:
    before = _counts(ws.db.path)
    with pytest.raises(ValidationError):
        cases.create(ws, petugas, "SKD", "3573015708900000", "Siti Aminah")  # serial 0000
    with pytest.raises(ValidationError):
        cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti", {"tanggal_lahir": "kemarin"})
    assert _counts(ws.db.path) == before == {"cases": 0, "outbox": 0, "audit": 0, "case_events": 0,
                                             "attachments": 0}


def test_refused_step_writes_nothing(ws: Workspace, petugas: Actor) -> None:
    case_id = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah").id
    before = _counts(ws.db.path)
    with pytest.raises(ValidationError):  # required fields and documents are missing
        cases.transition(ws, petugas, case_id, Action.SUBMIT)
    assert _counts(ws.db.path) == before
    assert cases.show(ws, case_id)["version"] == 1


def test_failure_half_way_rolls_everything_back(ws: Workspace, petugas: Actor,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit entry is written last; when it fails, the case and its outbox op must not stay behind."""

    def broken(*_args: object, **_kw: object) -> None:
        raise RuntimeError("disk full")

    case_id = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah").id
    before = _counts(ws.db.path)
    monkeypatch.setattr(audit, "append", broken)
    with pytest.raises(RuntimeError):
        cases.create(ws, petugas, "SKD", NIK_MAN, "Budi Santoso")
    with pytest.raises(RuntimeError):
        cases.edit(ws, petugas, case_id, {"keperluan": "lain"})
    with pytest.raises(RuntimeError):
        cases.transition(ws, petugas, case_id, Action.WITHDRAW)
    with pytest.raises(RuntimeError):
        importer.create_many(ws, petugas, "SKD", [(NIK_MAN, "Budi", {}), (NIK_WOMAN, "Siti", {})])
    assert _counts(ws.db.path) == before
    shown = cases.show(ws, case_id)
    assert (shown["status"], shown["version"], shown["fields"]) == ("draft", 1, {})


def _is_uuid4(text: str) -> bool:
    value = uuid.UUID(text)
    return value.version == 4 and value.variant == uuid.RFC_4122 and str(value) == text


def test_bulk_create_keeps_good_rows(ws: Workspace, petugas: Actor) -> None:
    rows: list[tuple[str | None, str, dict[str, str]]] = [
        (NIK_WOMAN, "Siti Aminah", dict(SKD_FIELDS)),
        ("3573019999990001", "Bad Date", {}),
        (NIK_MAN, "Budi Santoso", {"keperluan": "bank"}),
        (NIK_MAN, "", {"warna": "biru"}),
    ]
    result = importer.create_many(ws, petugas, "SKD", rows, chunk=1)
    assert len(result.ids) == 2 and len(set(result.ids)) == 2
    assert sorted((i, p.field) for i, p in result.rejected) == [(1, "nik"), (3, "name"), (3, "warna")]
    assert _counts(ws.db.path) == {"cases": 2, "outbox": 2, "audit": 2, "case_events": 0, "attachments": 0}
    assert all(_is_uuid4(i) for i in result.ids)
    shown = cases.show(ws, result.ids[0])
    assert shown["fields"]["tanggal_lahir"] == "1990-08-17" and shown["nik"] == NIK_WOMAN
    con = open_store(ws.db.path)
    op_ids = [r[0] for r in con.execute("SELECT op_id FROM outbox")]
    assert all(_is_uuid4(i) for i in op_ids) and len(set(op_ids)) == 2
    (raw,) = con.execute("SELECT payload FROM outbox WHERE case_id = ?", (result.ids[0],)).fetchone()
    con.close()
    assert raw == replica.BY_REFERENCE  # the op refers to the case; its body is built when it is pushed
    payload = _pushed_body(ws, result.ids[0])
    assert payload["case"]["id"] == result.ids[0] and payload["case"]["fields"]["jenis_kelamin"] == "P"
    with ws.db.read() as s:
        assert audit.verify(s).broken_at is None


# --- the audit chain --------------------------------------------------------------------------------------


def test_audit_chain_verifies_and_tampering_is_found(ws: Workspace, petugas: Actor,
                                                     cli: Callable[..., tuple[int, str, str]]) -> None:
    for i in range(3):
        cases.create(ws, petugas, "SKD", NIK_WOMAN, f"Warga {i}")
    with ws.db.read() as s:
        assert audit.verify(s) == audit.ChainReport(3, None)
    by_name = {c.name: c for c in doctor.run(ws)}
    assert by_name["audit_chain"].ok, by_name["audit_chain"].detail

    con = open_store(ws.db.path)
    con.execute("""UPDATE audit SET detail = '{"service":"SKD","status":"issued"}' WHERE seq = 2""")
    con.commit()
    con.close()

    with ws.db.read() as s:
        assert audit.verify(s).broken_at == 2
    check = {c.name: c for c in doctor.run(ws)}["audit_chain"]
    assert not check.ok and "#2" in check.detail
    rc, out, err = cli("--json", "doctor")
    assert rc == 1, err
    checks = {c["name"]: c for c in json.loads(out)["checks"]}
    assert checks["audit_chain"]["ok"] is False
    assert "Traceback" not in err


# --- attachments ------------------------------------------------------------------------------------------


def test_attachments_are_content_addressed(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    files = documents(tmp_path, ("ktp", "kk"))
    first = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", attachments=files).id
    second = cases.create(ws, petugas, "SKD", NIK_MAN, "Budi Santoso", attachments={"ktp": files["ktp"]}).id
    stored = _blob_files(ws.profile)
    assert len(stored) == 2  # the KTP file is stored once for both cases
    for path in files.values():
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        blob = ws.blobs.path_of(digest)  # named by a keyed hash, sealed with AES-GCM
        assert blob.name != digest and path.read_bytes() not in blob.read_bytes()
        assert ws.blobs.read(digest) == path.read_bytes()
    docs = {d["doc_code"]: d for d in cases.show(ws, first)["documents"]}
    assert docs["ktp"]["mime"] == "image/png" and docs["kk"]["mime"] == "application/pdf"
    assert cases.show(ws, second)["documents"][0]["sha256"] == docs["ktp"]["sha256"]
    con = open_store(ws.db.path)
    kinds = sorted(k for (k,) in con.execute("SELECT kind FROM outbox WHERE case_id = ?", (first,)))
    con.close()
    assert kinds == ["attachment.add", "attachment.add", "blob", "blob", "case.create"]


def _refused_attachment(ws: Workspace, petugas: Actor, path: Path) -> UserFacingError:
    before = _counts(ws.db.path)
    with pytest.raises(UserFacingError) as err:
        cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", attachments={"ktp": path})
    assert _counts(ws.db.path) == before
    assert _blob_files(ws.profile) == []
    return err.value


def test_oversize_attachment_is_refused(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    ws.blobs = BlobStore(ws.profile / "blobs", limit=1024)
    big = tmp_path / "ktp.png"
    big.write_bytes(PNG + b"\0" * 2048)
    err = _refused_attachment(ws, petugas, big)
    assert err.key == "attachment.too_large"
    assert "ktp.png" in str(err) and "terlalu besar" in str(err)


def test_oversize_sparse_file_is_refused_without_reading_it(ws: Workspace, petugas: Actor,
                                                           tmp_path: Path) -> None:
    huge = tmp_path / "scan.pdf"
    with huge.open("wb") as fh:
        fh.write(b"%PDF-1.4\n")
        fh.truncate(MAX_ATTACHMENT_BYTES + 1)
    err = _refused_attachment(ws, petugas, huge)
    assert str(err) == "Lampiran scan.pdf terlalu besar (20.0 MB); batasnya 20 MB."


def test_wrong_type_is_refused(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    text = tmp_path / "ktp.txt"
    text.write_text("bukan gambar")
    err = _refused_attachment(ws, petugas, text)
    assert str(err) == "Lampiran ktp.txt harus berupa PDF, JPG atau PNG."


def test_bad_attachment_on_edit_changes_nothing(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    case_id = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah").id
    text = tmp_path / "kk.txt"
    text.write_text("x")
    before = _counts(ws.db.path)
    with pytest.raises(UserFacingError):
        cases.edit(ws, petugas, case_id, {"keperluan": "bank"}, {"kk": text})
    assert _counts(ws.db.path) == before
    assert cases.show(ws, case_id)["version"] == 1


# --- damaged and newer databases --------------------------------------------------------------------------


def test_corrupt_database_is_refused_and_kept(tmp_path: Path, cli: Callable[..., tuple[int, str, str]],
                                             profile: Path) -> None:
    path = tmp_path / "loket.db"
    garbage = random.Random(7).randbytes(64 * 1024)
    path.write_bytes(garbage)
    with pytest.raises(StorageError) as err:
        Database(path)
    assert err.value.key == "db.corrupt"
    assert "rusak" in str(err.value)
    assert path.read_bytes() == garbage  # the original is not overwritten
    copies = list((tmp_path / "damaged").iterdir())
    assert len(copies) == 1 and copies[0].read_bytes() == garbage
    assert str(copies[0]) in str(err.value)

    (profile / "loket.db").write_bytes(garbage)
    rc, _out, stderr = cli("case", "list")
    assert rc == 1
    assert "rusak" in stderr and "Traceback" not in stderr
    assert (profile / "loket.db").read_bytes() == garbage


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "loket.db"
    Database(path).close()
    con = open_store(path)
    con.execute("UPDATE alembic_version SET version_num = '9999'")
    con.commit()
    con.close()
    data = path.read_bytes()
    with pytest.raises(StorageError) as err:
        Database(path)
    assert err.value.key == "db.too_new"
    assert "9999" in str(err.value) and "lebih baru" in str(err.value)
    assert path.read_bytes() == data
    assert not (tmp_path / "backups").exists() and not (tmp_path / "damaged").exists()
    wal = tmp_path / "loket.db-wal"
    assert not wal.exists() or wal.stat().st_size == 0  # opened for reading only: nothing was written


# --- durability -------------------------------------------------------------------------------------------

WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path

    from app.events import EventBus
    from app.services import cases
    from app.services.workspace import Workspace

    ws = Workspace(Path(sys.argv[1]), events=EventBus())
    actor = ws.actor("petugas")
    n = 0
    while True:
        cases.create(ws, actor, "SKD", "3573015708900003", f"Warga {sys.argv[2]}-{n}",
                     {"keperluan": "uji ketahanan", "alamat": "Jl. Ijen " + str(n)})
        n += 1
        if n == 1:
            print("ready", flush=True)
""")


def test_sigkill_mid_write_loses_only_whole_cases(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    rnd = random.Random(20261127)
    share_with_subprocesses(ws.db.path)  # the writer process reads the store key from the OS keyring
    for round_no in range(4):
        proc = subprocess.Popen([sys.executable, str(script), str(ws.profile), str(round_no)],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)})  # this tree's app, not another
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.strip() == b"ready", proc.stderr.read() if proc.stderr else b""
        time.sleep(rnd.uniform(0.02, 0.4))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        assert proc.returncode == -signal.SIGKILL

    con = open_store(ws.db.path)
    assert con.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    case_ids = {r[0] for r in con.execute("SELECT id FROM cases")}
    op_ids = [r[0] for r in con.execute("SELECT case_id FROM outbox WHERE kind = 'case.create'")]
    audited = [r[0] for r in con.execute("SELECT entity_id FROM audit WHERE action = 'case.create'")]
    con.close()
    assert len(case_ids) >= 4  # every round committed at least one case before the kill
    assert sorted(op_ids) == sorted(case_ids)
    assert sorted(audited) == sorted(case_ids)
    with ws.db.read() as s:
        report = audit.verify(s)
    assert report.broken_at is None and report.entries == len(case_ids)
    new_id = cases.create(ws, petugas, "SKD", NIK_MAN, "Setelah Crash").id
    assert cases.show(ws, new_id)["status"] == "draft"
    assert _counts(ws.db.path)["cases"] == len(case_ids) + 1


# --- a create op refers to its case; it is frozen before the case first changes -----------------------------


def _pushed_body(ws: Workspace, case_id: str) -> dict[str, object]:
    with ws.db.read() as s:
        ops = [o for o in replica.pending_ops(s, ["petugas"]) if o.case_id == case_id and o.kind == "case.create"]
        return replica.op_bodies(s, ops)[0]


@pytest.mark.parametrize("nik,name", [(NIK_WOMAN, "Siti Aminah"), (NIK_MAN, 'RW 05 "Oro-oro Dowo"\nLPMK é ✓')])
def test_create_op_body_is_the_registered_case(ws: Workspace, petugas: Actor, nik: str,
                                               name: str) -> None:
    fields = {"alamat": "Jl. Ijen\t5 — \\ \"RT\" 03", "keperluan": "ñ"}
    case_id = cases.create(ws, petugas, "SKD", nik, name, fields).id
    body = _pushed_body(ws, case_id)
    case = body["case"]
    assert isinstance(case, dict)
    assert (case["id"], case["nik"], case["name"], case["fields"]) == (case_id, nik, name, fields)
    assert (case["status"], case["version"], case["service"], case["office"]) == ("draft", 1, "SKD",
                                                                                  petugas.office)
    assert set(case) == set(replica.CREATE_COLUMNS)


def test_a_change_freezes_the_create_op_first(ws: Workspace, petugas: Actor) -> None:
    """The create op still says what was registered after an offline edit and submit: the edit travels as
    its own op (base version and changed fields), so the server's field-level merge stays exact."""
    case_id = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", dict(SKD_FIELDS)).id
    registered = _pushed_body(ws, case_id)
    cases.edit(ws, petugas, case_id, {"keperluan": "pindah domisili"}, name="Siti Aminah Putri")
    assert _pushed_body(ws, case_id) == registered
    with ws.db.read() as s:
        ops = [(o.kind, o.base_version, json.loads(o.payload)) for o in replica.pending_ops(s, ["petugas"])]
    assert ops[1] == ("case.edit", 1, {"fields": {"keperluan": "pindah domisili"}, "name": "Siti Aminah Putri"})
    cases.edit(ws, petugas, case_id, {"keperluan": "lagi"})
    assert _pushed_body(ws, case_id) == registered


def test_audit_hash_is_the_documented_json() -> None:
    record = audit.AuditRecord("2026-11-27T08:00:00Z", "siti", "dev-1", "case.create", "case", 'id "é"\n',
                               '{"service":"SKD"}')
    fields = [record.at, record.actor, record.device, record.action, record.entity, record.entity_id,
              record.detail]
    body = json.dumps(fields, ensure_ascii=False, separators=(",", ":"))
    expected = hashlib.sha256(f"{audit.GENESIS}|{body}".encode()).hexdigest()
    assert audit.entry_hash(audit.GENESIS, record) == expected


# --- search: the trigram index follows every insert, change and delete ------------------------------------


def test_search_index_follows_the_cases(ws: Workspace, petugas: Actor) -> None:
    from app.services import queries

    def found(term: str) -> list[str]:
        return [c.name for c in queries.case_page(ws, queries.CaseQuery(search=term), 0, 50)]

    first = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah").id
    importer.create_many(ws, petugas, "SKD", [(NIK_MAN, "Budi Santoso", {}), (NIK_MAN, "Aminudin", {})])
    assert sorted(found("amin")) == ["Aminudin", "Siti Aminah"]  # substring, any case, any path of creation
    assert found("SANTOS") == ["Budi Santoso"] and found("xyz") == []
    assert queries.case_count(ws, queries.CaseQuery(search="amin")) == 2
    cases.edit(ws, petugas, first, name="Siti Rahayu")
    assert found("amin") == ["Aminudin"] and found("rahayu") == ["Siti Rahayu"]
    assert found('"') == [] and found("a*b") == [] and found("OR") == []  # hostile terms are only text
    with ws.db.write() as s:
        s.connection().exec_driver_sql("UPDATE cases SET letter_number = '470/0042/35.73.02.1008/2026' "
                                       "WHERE id = ?", (first,))
        s.connection().exec_driver_sql("DELETE FROM cases WHERE name = 'Aminudin'")
    assert found("0042/35") == ["Siti Rahayu"] and found("amin") == []


def test_initial_pull_builds_list_indexes_after_the_bulk_apply(ws: Workspace, petugas: Actor) -> None:
    from app.services import queries

    def schema() -> set[str]:
        with ws.db.read() as s:
            return {r[0] for r in s.connection().exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE tbl_name = 'cases' AND sql IS NOT NULL")}

    def stats() -> set[tuple[str, str]]:
        with ws.db.read() as s:
            return {(r[0], r[1]) for r in s.connection().exec_driver_sql(
                "SELECT idx, stat FROM sqlite_stat1 WHERE tbl = 'cases'")}

    before, pinned = schema(), stats()
    assert ("ix_cases_created", "1000000 1") in pinned  # migration 0004's statistics
    snap = {"id": "0b4e7c1a-8f1e-4c55-9a35-3f1f6d1c2b10", "service": "SKD", "office": petugas.office,
            "nik": NIK_WOMAN, "name": "Ratna Sari", "fields": {}, "status": "draft", "version": 1,
            "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z", "created_by": "siti",
            "device": "d1", "due_date": "2026-11-30"}
    with ws.db.write() as s:
        assert replica.defer_list_indexes(s)
        replica.apply_snapshots(s, [snap])
    assert "ix_cases_name" not in schema() and "cases_search_insert" not in schema()
    with ws.db.write() as s:  # a second start (after a crash) does not drop again: the store has cases
        assert not replica.defer_list_indexes(s)
        assert replica.restore_list_indexes(s)
    assert schema() == before
    assert stats() == pinned  # the planner's statistics came back with the indexes (DROP INDEX drops them)
    assert [c.name for c in queries.case_page(ws, queries.CaseQuery(search="ratna"), 0, 10)] == ["Ratna Sari"]
    with ws.db.write() as s:
        assert not replica.restore_list_indexes(s)


def test_a_pulled_record_of_a_held_case_writes_only_what_differs(ws: Workspace, petugas: Actor) -> None:
    """The feed brings back the cases this laptop has just pushed: only the columns that differ are written,
    so a row whose name, fields and times are unchanged fires no trigger on them and keeps its index entries."""
    from app.services import queries

    snaps = [{"id": f"0b4e7c1a-8f1e-4c55-9a35-3f1f6d1c2b1{i}", "service": "SKD", "office": petugas.office,
              "nik": NIK_WOMAN, "name": f"Ratna Sari {i}", "fields": {"alamat": "Jl. Bromo 1"}, "status": "draft",
              "version": 1, "created_at": "2026-11-27T08:00:00Z", "updated_at": "2026-11-27T08:00:00Z",
              "created_by": "siti", "device": "d1", "due_date": "2026-11-30"} for i in range(3)]
    with ws.db.write() as s:
        replica.apply_snapshots(s, snaps, compare=False)
    again = [{**snap, "version": 2} for snap in snaps]
    again[1]["fields"] = {"alamat": "Jl. Bromo 2"}
    again[2]["name"] = "Ratna Dewi"
    with ws.db.write() as s:
        conn = s.connection()
        conn.exec_driver_sql("CREATE TEMP TABLE rewritten (id TEXT)")
        conn.exec_driver_sql("CREATE TEMP TRIGGER seen AFTER UPDATE OF name, fields, status, updated_at ON cases "
                             "BEGIN INSERT INTO rewritten VALUES (new.id); END")
        assert replica.apply_snapshots(s, again) == 3
        rewritten = sorted(r[0] for r in conn.exec_driver_sql("SELECT id FROM rewritten"))
        conn.exec_driver_sql("DROP TRIGGER seen")
        conn.exec_driver_sql("DELETE FROM rewritten")
        conn.exec_driver_sql("CREATE TEMP TRIGGER any_write AFTER UPDATE ON cases "
                             "BEGIN INSERT INTO rewritten VALUES (new.id); END")
        assert replica.apply_snapshots(s, again) == 3  # the same records again: nothing to write
        untouched = conn.exec_driver_sql("SELECT count(*) FROM rewritten").scalar()
        conn.exec_driver_sql("DROP TRIGGER any_write")
        conn.exec_driver_sql("DROP TABLE rewritten")
    assert rewritten == [again[1]["id"], again[2]["id"]]
    assert untouched == 0
    with ws.db.read() as s:
        rows = s.connection().exec_driver_sql(
            "SELECT name, fields, version, server_version FROM cases ORDER BY id").fetchall()
    assert [(r[0], json.loads(r[1])["alamat"], r[2], r[3]) for r in rows] == [
        ("Ratna Sari 0", "Jl. Bromo 1", 2, 2), ("Ratna Sari 1", "Jl. Bromo 2", 2, 2),
        ("Ratna Dewi", "Jl. Bromo 1", 2, 2)]
    assert sorted(c.name for c in queries.case_page(ws, queries.CaseQuery(search="ratna"), 0, 10)) == [
        "Ratna Dewi", "Ratna Sari 0", "Ratna Sari 1"]


def test_bulk_import_fills_the_search_index_in_one_statement(ws: Workspace, petugas: Actor) -> None:
    from app.services import queries

    cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Sebelum")
    rows = [(NIK_MAN, f"Warga Impor {i}", {}) for i in range(repo_bulk_min() + 10)]
    importer.create_many(ws, petugas, "SKD", rows, chunk=repo_bulk_min() + 5)  # one bulk chunk, one small
    assert queries.case_count(ws, queries.CaseQuery(search="impor")) == len(rows)
    assert queries.case_count(ws, queries.CaseQuery(search="sebelum")) == 1
    with ws.db.read() as s:  # the per-row trigger is back for the next single case
        assert s.connection().exec_driver_sql("SELECT 1 FROM sqlite_master WHERE type = 'trigger' "
                                              "AND name = 'cases_search_insert'").first() is not None
    cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Sesudah")
    assert queries.case_count(ws, queries.CaseQuery(search="sesudah")) == 1


def repo_bulk_min() -> int:
    from app.storage import repo

    return repo.BULK_INDEX_MIN


def test_a_common_term_walks_the_sort_index_and_counts_by_difference(ws: Workspace, petugas: Actor,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """The common-term plan (sort index walked with the search index's rowid set as a filter; the count as all
    hits minus those at other offices) answers exactly what the plain plan answers."""
    from dataclasses import replace

    from app.services import queries
    from app.storage import repo

    rows: list[tuple[str | None, str, dict[str, str]]] = [
        (NIK_MAN if i % 2 else NIK_WOMAN, name, {}) for i, name in enumerate(
            ["Sri Wahyuni", "Budi Santoso", "Wahyuningsih", "Ani", "Dewi Wahyuni", "Joko"] * 15)]
    ids = importer.create_many(ws, petugas, "SKD", rows).ids
    with ws.db.write() as s:  # a third of them at another office, one renamed to look like an id
        s.connection().exec_driver_sql(
            "UPDATE cases SET office = '35.73.02.1001', updated_at = '2026-01-0' || (rowid % 9 + 1) "
            "WHERE rowid % 3 = 0")
        s.connection().exec_driver_sql("UPDATE cases SET name = ? WHERE id = ?", ("Wahyu " + ids[4][:9], ids[4]))
    for term in ("wahyu", "Santoso", ids[7][:9], ids[4][:9], "nothing"):  # with the dash: never all digits
        for sort in ("updated_at", "name", "created_at"):
            q = queries.CaseQuery(office=petugas.office, search=term, sort=sort)
            with ws.db.read() as s:
                plain, total = repo.page_with_total(s, q, 0, 10, index=False)
                walked = repo.list_cases_within(s, q, 0, 10)
                assert walked is not None and [c.id for c in walked] == [c.id for c in plain]
                assert repo.count_common_hits(s, q) == total == repo.count_cases(s, q, index=False)
                assert repo.count_common_hits(s, replace(q, status="draft")) is None  # other filters: plain
    monkeypatch.setattr(repo, "few_hits", lambda s, q, under=2000: False)  # every term takes the common path
    q = queries.CaseQuery(office=petugas.office, search="wahyu")
    with ws.db.read() as s:
        expected = repo.count_cases(s, q, index=False)
    total, page = queries.first_page(ws, q, 5)
    assert total is None and len(page) == 5 and queries.case_count(ws, q) == expected > 5


def test_write_batches_commit_each_batch_with_its_objects(ws: Workspace) -> None:
    """Batches on one connection: each commits on its own (ORM objects too), a failing one rolls back alone."""
    from app.storage import meta

    with ws.db.write_batches() as batch:
        with batch() as s:
            meta._set(s, "batch:one", "1")
        with pytest.raises(RuntimeError), batch() as s:
            meta._set(s, "batch:two", "2")
            raise RuntimeError("refused")
        with batch() as s:
            meta._set(s, "batch:three", "3")
    with ws.db.read() as s:
        assert [meta._get(s, f"batch:{n}") for n in ("one", "two", "three")] == ["1", None, "3"]
