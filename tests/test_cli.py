"""``loket-cli`` through a real child process: exit codes, JSON keys, language of errors, CSV import, and
a case that survives a later command being killed."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from app.services.workspace import Actor
from samples import NIK_MAN, NIK_WOMAN, SKD_FIELDS, documents

Cli = Callable[..., tuple[int, str, str]]
ROOT = Path(__file__).resolve().parent.parent


def ok(cli: Cli, *args: str) -> Any:
    """Run a command with ``--json`` that must succeed; its parsed output."""
    rc, out, err = cli("--json", *args)
    assert rc == 0, f"{args}: exit {rc}: {err}"
    assert "Traceback" not in err
    return json.loads(out)


def refused(cli: Cli, *args: str, env: dict[str, str] | None = None) -> str:
    """Run a command that must be refused (exit 1) with one clear sentence; its stderr."""
    rc, out, err = cli(*args, env=env)
    assert rc == 1, f"{args}: exit {rc}: {out} {err}"
    assert err.strip() and "Traceback" not in err
    return err


def _field_args(fields: dict[str, str]) -> list[str]:
    return [arg for k, v in fields.items() for arg in ("--field", f"{k}={v}")]


def test_services_list_keys(cli: Cli, staff: dict[str, Actor]) -> None:
    services = ok(cli, "services", "list")
    assert isinstance(services, list) and services
    codes = {s["code"] for s in services}
    assert "SKD" in codes
    assert all(s["office_level"] == "kelurahan" for s in services)  # a kelurahan petugas sees its own level
    for service in services:
        assert {"code", "name", "office_level", "fields", "documents"} <= service.keys()
        for field in service["fields"]:
            assert {"key", "label", "type", "required", "choices"} <= field.keys()
        for doc in service["documents"]:
            assert {"code", "name", "required"} <= doc.keys()
    skd = next(s for s in services if s["code"] == "SKD")
    assert skd["name"] == "Surat Keterangan Domisili"
    assert next(f for f in skd["fields"] if f["key"] == "jenis_kelamin")["choices"] == ["L", "P"]


def test_bad_nik_is_refused_in_both_languages(cli: Cli, staff: dict[str, Actor]) -> None:
    args = ("case", "new", "--service", "SKD", "--nik", "35730157089", "--name", "Siti Aminah")
    err = refused(cli, *args)
    assert "NIK" in err and "harus 16 digit" in err
    err_en = refused(cli, *args, env={"LOKET_LANG": "en"})
    assert "NIK" in err_en and "must be 16 digits" in err_en
    assert ok(cli, "case", "list") == []  # nothing was registered


def test_new_case_json(cli: Cli, staff: dict[str, Actor]) -> None:
    created = ok(cli, "case", "new", "--service", "SKD", "--nik", NIK_WOMAN, "--name", "Siti Aminah")
    assert {"id", "status", "service"} <= created.keys()
    assert created["status"] == "draft" and created["service"] == "SKD"
    rc, out, _err = cli("case", "show", created["id"][:8])  # a prefix is enough, text output
    assert rc == 0 and "Siti Aminah" in out and NIK_WOMAN in out


def test_case_walk(cli: Cli, staff: dict[str, Actor], tmp_path: Path) -> None:
    files = documents(tmp_path)
    partial = {k: v for k, v in SKD_FIELDS.items() if k != "keperluan"}
    case = ok(cli, "case", "new", "--service", "SKD", "--nik", NIK_WOMAN, "--name", "Siti Aminah",
              *_field_args(partial), "--attach", f"ktp={files['ktp']}")
    case_id = case["id"]

    listed = ok(cli, "case", "list", "--search", NIK_WOMAN)
    assert [c["id"] for c in listed] == [case_id]
    assert {"id", "status", "service", "nik", "name", "updated_at"} <= listed[0].keys()

    err = refused(cli, "case", "submit", case_id)  # the purpose and two documents are missing
    assert "Keperluan wajib diisi." in err and "Kartu Keluarga" in err

    edited = ok(cli, "case", "edit", case_id, "--field", "keperluan=melamar pekerjaan",
                "--attach", f"kk={files['kk']}", "--attach", f"pengantar_rt={files['pengantar_rt']}")
    assert edited == {"id": case_id, "status": "draft", "version": 2}

    assert ok(cli, "case", "submit", case_id) == {"id": case_id, "status": "submitted"}
    refused(cli, "case", "verify", case_id)  # the petugas may not verify
    verified = ok(cli, "--user", "verifikator", "case", "verify", case_id)
    assert verified == {"id": case_id, "status": "verified"}
    rc, _out, err = cli("--user", "verifikator", "case", "return", case_id)  # --reason is required
    assert rc == 2 and "--reason" in err
    returned = ok(cli, "--user", "verifikator", "case", "return", case_id, "--reason", "foto KTP buram")
    assert returned["status"] == "returned"
    ok(cli, "case", "submit", case_id)
    assert [c["id"] for c in ok(cli, "--user", "verifikator", "case", "list", "--queue", "verify")] == [case_id]
    # the signer (Lurah) acts on verified cases only
    refused(cli, "--user", "lurah", "case", "reject", case_id, "--reason", "x")
    rejected = ok(cli, "--user", "verifikator", "case", "reject", case_id, "--reason", "bukan warga sini")
    assert rejected == {"id": case_id, "status": "rejected"}

    shown = ok(cli, "case", "show", case_id)
    assert {"id", "status", "fields", "events", "letter"} <= shown.keys()
    assert shown["fields"]["keperluan"] == "melamar pekerjaan" and shown["letter"] is None
    assert sorted(d["doc_code"] for d in shown["documents"]) == ["kk", "ktp", "pengantar_rt"]
    assert [e["action"] for e in shown["events"]] == [
        "create", "edit", "submit", "verify", "return", "submit", "reject"]


def test_usage_errors_exit_2(cli: Cli, profile: Path) -> None:
    rc, out, err = cli("tidak-ada")
    assert rc == 2 and "Cara pakai salah" in err and "Traceback" not in err and out == ""
    rc, _out, err = cli("case", "list", "--warna", "biru")
    assert rc == 2 and "Traceback" not in err


def test_internal_error_prints_one_sentence(cli: Cli, profile: Path, tmp_path: Path) -> None:
    (profile / "loket.db").mkdir()  # something is badly wrong with this profile
    rc, out, err = cli("case", "list")
    assert rc == 3, (out, err)
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert "Maaf" in err
    log = (profile / "logs" / "loket-cli.log").read_text()
    assert "Traceback" in log  # the details are in the log, where the sentence says they are

    rc, _out, err = cli("--profile", str(Path(os.devnull) / "profil"), "case", "list",
                        env={"LOKET_LOG_DIR": str(tmp_path / "logs")})
    assert rc in (1, 3) and "Traceback" not in err and err.strip()


CSV_HEADER = "nik,name,tempat_lahir,tanggal_lahir,jenis_kelamin,no_kk,alamat,keperluan,warna\n"


def test_import_keeps_good_rows_and_reports_the_rest(cli: Cli, staff: dict[str, Actor],
                                                     tmp_path: Path) -> None:
    csv_file = tmp_path / "warga.csv"
    csv_file.write_text(
        CSV_HEADER
        + f'{NIK_WOMAN},Siti Aminah,Malang,1990-08-17,P,3573021708900005,"Jl. Kawi 12\nRT 03/RW 05",'
        + "bank,merah\n"
        + "3573011234560001,Nama NIK Salah,Malang,1990-01-01,L,3573021708900005,Jl. Ijen 1,bank,biru\n"
        + f"{NIK_MAN},Kolom Kurang,Malang\n"
        + f"{NIK_MAN},Budi Santoso,Blitar,1985-01-01,L,3573020101850002,Jl. Semeru 4,sekolah,hijau\n",
        encoding="utf-8")
    report = ok(cli, "import", str(csv_file), "--service", "SKD")
    assert report["imported"] == 2
    rows = [(r["row"], r["field"]) for r in report["rejected"]]
    # spreadsheet rows: the header is row 1; the quoted line break inside row 2 does not shift the others
    assert rows == [(1, "warna"), (3, "nik"), (4, "-")]
    assert all(r["message"] for r in report["rejected"])
    assert "NIK" in report["rejected"][1]["message"]
    names = sorted(c["name"] for c in ok(cli, "case", "list"))
    assert names == ["Budi Santoso", "Siti Aminah"]
    siti = next(c for c in ok(cli, "case", "list", "--search", NIK_WOMAN))
    assert ok(cli, "case", "show", siti["id"])["fields"]["alamat"] == "Jl. Kawi 12\nRT 03/RW 05"


def test_case_survives_a_killed_later_command(cli: Cli, staff: dict[str, Actor], profile: Path,
                                              tmp_path: Path) -> None:
    case_id = ok(cli, "case", "new", "--service", "SKD", "--nik", NIK_WOMAN, "--name", "Siti Aminah")["id"]
    big = tmp_path / "besar.csv"
    lines = [f"{NIK_MAN},Warga {i},bank" for i in range(20_000)]
    big.write_text("nik,name,keperluan\n" + "\n".join(lines) + "\n", encoding="utf-8")
    command = [sys.executable, "-m", "ui.cli", "--profile", str(profile), "import", str(big),
               "--service", "SKD"]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(random.Random(11).uniform(0.6, 1.2))
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL  # it was still at work when it was killed

    shown = ok(cli, "case", "show", case_id)
    assert shown["status"] == "draft" and shown["name"] == "Siti Aminah"
    checks = {c["name"]: c for c in ok_any(cli, "doctor")["checks"]}
    assert checks["database"]["ok"] and checks["audit_chain"]["ok"]


def ok_any(cli: Cli, *args: str) -> Any:
    """Like :func:`ok` for commands whose exit code reports findings (``doctor``)."""
    rc, out, err = cli("--json", *args)
    assert rc in (0, 1) and "Traceback" not in err, err
    return json.loads(out)


@pytest.mark.parametrize("lang,word", [("id", "Berkas"), ("en", "case")])
def test_unknown_case_is_one_sentence(cli: Cli, staff: dict[str, Actor], lang: str, word: str) -> None:
    err = refused(cli, "case", "show", "ffffffff-0000", env={"LOKET_LANG": lang})
    assert word in err and len(err.strip().splitlines()) == 1


def test_unknown_field_is_refused_by_name(cli: Cli, staff: dict[str, Actor]) -> None:
    err = refused(cli, "case", "new", "--service", "SKD", "--nik", NIK_MAN, "--name", "Budi",
                  "--field", "warna=biru")
    assert err.strip() == "Isian 'warna' tidak ada di layanan SKD."
