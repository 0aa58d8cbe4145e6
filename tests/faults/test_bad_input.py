"""Bad input of every kind gives one clear sentence and loses nothing already saved: a corrupted laptop
database, a broken catalogue file, oversized or disguised attachments, CSV files with broken rows or
non-UTF-8 bytes, a server answering garbage, and a full disk."""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.domain.catalog import load_catalog
from app.errors import LoketError, UserFacingError
from app.services import cases, importer
from app.services.workspace import Workspace
from app.storage.blobs import MAX_ATTACHMENT_BYTES
from faults.harness import OFFICE, PDF_HEAD, SKD_FIELDS, LocalServer, enroll_workspace, new_workspace
from faults.state import integrity_ok, laptop_state
from support.store_keys import open_store, share_with_subprocesses
from sync.client import SyncClient
from sync.engine import SyncEngine
from sync.errors import SyncError

ROOT = Path(__file__).resolve().parents[2]


def _cli(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    share_with_subprocesses(profile / "loket.db")  # one OS keyring for this process and loket-cli
    return subprocess.run([sys.executable, "-m", "ui.cli", "--profile", str(profile), *args], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, env={**os.environ, "LOKET_LANG": "en"})


@pytest.fixture
def staffed(tmp_path: Path) -> Iterator[Workspace]:
    ws = new_workspace(tmp_path / "profile")
    ws.add_local_user("siti", "Siti Aminah", "petugas", OFFICE)
    yield ws
    ws.close()


def _saved(ws: Workspace) -> dict[str, Any]:
    return laptop_state(ws.profile / "loket.db")


# ---- the laptop's database ---------------------------------------------------------------------------------
@pytest.mark.parametrize("damage", ["random bytes", "sqlite header then garbage", "truncated", "zeroed page"])
def test_corrupted_laptop_database(tmp_path: Path, damage: str) -> None:
    profile = tmp_path / "profile"
    ws = new_workspace(profile)
    ws.add_local_user("siti", "Siti Aminah", "petugas", OFFICE)
    for i in range(30):
        cases.create(ws, ws.actor("siti"), "SKD", "3573015708900003", f"Warga {i}", {"alamat": "x" * 250})
    ws.close()
    db = profile / "loket.db"
    original = db.read_bytes()
    if damage == "random bytes":
        db.write_bytes(os.urandom(len(original)))
    elif damage == "sqlite header then garbage":
        db.write_bytes(original[:100] + os.urandom(len(original) - 100))
    elif damage == "truncated":
        db.write_bytes(original[: len(original) // 3])
    else:
        page = 4096
        db.write_bytes(original[:page] + bytes(page) * 2 + original[3 * page:])
    out = _cli(profile, "case", "list")
    assert out.returncode == 1, (out.returncode, out.stderr)  # a sentence, not an internal error (3)
    assert "damaged" in out.stderr.lower() or "rusak" in out.stderr.lower(), out.stderr
    assert "Traceback" not in out.stderr
    kept = list((profile / "damaged").glob("loket.db.*"))
    assert kept, "the damaged file must be kept for recovery"
    assert any(k.read_bytes() == db.read_bytes() or k.stat().st_size > 0 for k in kept)


# ---- the catalogue -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("breakage", ["toml syntax", "wrong type", "not utf-8", "empty", "duplicate code"])
def test_one_broken_catalogue_file_leaves_the_others(tmp_path: Path, breakage: str) -> None:
    folder = tmp_path / "services"
    shutil.copytree(ROOT / "resources" / "services", folder)
    whole = load_catalog(folder)
    victim = folder / "sktm.toml"
    text = victim.read_text(encoding="utf-8")
    if breakage == "toml syntax":
        victim.write_text(text.replace("=", "", 1), encoding="utf-8")
    elif breakage == "wrong type":
        victim.write_text(text.replace('office_level = "kelurahan"', "office_level = 7", 1), encoding="utf-8")
    elif breakage == "not utf-8":
        victim.write_bytes(text.encode("utf-8").replace(b"Keterangan", b"Ket\xe9rangan", 1) + b"\xff\xfe")
    elif breakage == "empty":
        victim.write_text("", encoding="utf-8")
    else:
        victim.write_text(text.replace('code = "SKTM"', 'code = "SKD"', 1), encoding="utf-8")
    broken = load_catalog(folder)
    assert set(broken.services) == set(whole.services) - {"SKTM"}
    [problem] = broken.problems
    assert problem.path == victim and str(problem).startswith("sktm.toml:")


# ---- attachments -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["oversized", "executable", "empty", "text", "directory", "missing"])
def test_bad_attachment_is_refused_before_anything_is_written(staffed: Workspace, tmp_path: Path,
                                                             kind: str) -> None:
    siti = staffed.actor("siti")
    good = cases.create(staffed, siti, "SKD", "3573015708900003", "Ani", {"alamat": "Jl. Ijen"})
    before = _saved(staffed)
    path = tmp_path / f"scan-{kind}.pdf"
    if kind == "oversized":
        with open(path, "wb") as fh:
            fh.write(PDF_HEAD)
            fh.truncate(MAX_ATTACHMENT_BYTES + 1)
    elif kind == "executable":
        path.write_bytes(b"MZ\x90\x00" + os.urandom(2000))
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "text":
        path.write_text("bukan pdf", encoding="utf-8")
    elif kind == "directory":
        path.mkdir()
    for attempt in (lambda: cases.create(staffed, siti, "SKD", "3573015708900003", "Budi", SKD_FIELDS, {"ktp": path}),
                    lambda: cases.edit(staffed, siti, good.id, {"alamat": "Jl. Kawi"}, {"ktp": path})):
        with pytest.raises(UserFacingError) as err:
            attempt()
        assert err.value.message and path.name in err.value.message, err.value.message
        assert _saved(staffed) == before, "a refused attachment changed the database"
    assert not any(staffed.blobs.root.rglob("*")) or all(p.is_dir() for p in staffed.blobs.root.rglob("*"))


# ---- CSV imports -------------------------------------------------------------------------------------------
def test_csv_with_broken_rows_keeps_the_good_ones(staffed: Workspace, tmp_path: Path) -> None:
    csv = tmp_path / "warga.csv"
    csv.write_text("nik,name,alamat,tinggi_badan\n"
                   "3573015708900003,Ani Lestari,Jl. Ijen 5,\n"     # good (unknown column reported once)
                   "35730157089000,Pendek,Jl. Kawi,\n"              # NIK too short
                   "3573015708900003,,Jl. Kawi,\n"                  # no name
                   "3573015708900003,Kolom Kurang\n"                # missing cells
                   "\"3573020101850001\",\"Budi, S.Pd.\",\"Jl. Semeru\nRT 3\",\n"  # good, quoted newline
                   "3573015708900003,Ani Lagi,Jl. Ijen 5,,extra\n", encoding="utf-8")
    report = importer.import_file(staffed, staffed.actor("siti"), csv, "SKD")
    assert report.imported == 2
    rows = sorted({int(str(r["row"])) for r in report.rejected})
    assert rows == [1, 3, 4, 5, 7], report.rejected
    assert all(r["message"] for r in report.rejected)
    names = sorted(c["name"] for c in _saved(staffed).values())
    assert names == ["Ani Lestari", "Budi, S.Pd."]


@pytest.mark.parametrize("raw", [b"nik,name\n3573015708900003,J\xf6rg\n",           # Latin-1
                                 b"\xff\xfen\x00i\x00k\x00",                        # UTF-16
                                 b"nik,name\n3573015708900003,Ani\n\x80\x81\n"])
def test_csv_that_is_not_utf8_is_refused_whole(staffed: Workspace, tmp_path: Path, raw: bytes) -> None:
    cases.create(staffed, staffed.actor("siti"), "SKD", "3573015708900003", "Sudah Ada", {})
    before = _saved(staffed)
    path = tmp_path / "export.csv"
    path.write_bytes(raw)
    with pytest.raises(UserFacingError) as err:
        importer.import_file(staffed, staffed.actor("siti"), path, "SKD")
    assert "UTF-8" in err.value.message, err.value.message
    assert _saved(staffed) == before


# ---- a server that answers garbage -------------------------------------------------------------------------
GARBAGE: dict[str, Callable[[str, str], tuple[int, str, bytes]]] = {
    "html page": lambda m, p: (200, "text/html", b"<html><body>Hotel WiFi: please log in</body></html>"),
    "html error": lambda m, p: (502, "text/html", b"<html>502 Bad Gateway</html>"),
    "truncated json": lambda m, p: (200, "application/json", b'{"results": [{"op_id": "'),
    "json list": lambda m, p: (200, "application/json", b"[1, 2, 3]"),
    "null": lambda m, p: (200, "application/json", b"null"),
    "wrong shapes": lambda m, p: (200, "application/json",
                                  b'{"results": "ok", "changes": {"a": 1}, "cursor": "x", "ca_pem": 5}'),
    "results of strings": lambda m, p: (200, "application/json", json.dumps(
        {"results": ["applied"] * 50, "changes": ["x"], "cursor": 3, "more": False}).encode()),
    "changes missing keys": lambda m, p: (200, "application/json", json.dumps(
        {"results": [], "changes": [{"id": str(uuid.uuid4())}], "cursor": 7, "more": False}).encode()),
    "error body without errno": lambda m, p: (500, "application/json", b'{"detail": "boom"}'),
}


class _Garbage(http.server.BaseHTTPRequestHandler):
    answer: Callable[[str, str], tuple[int, str, bytes]] = GARBAGE["html page"]

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        status, ctype, body = type(self).answer(self.command, self.path)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = _reply

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.mark.parametrize("name", list(GARBAGE))
def test_garbage_from_the_server_changes_nothing(local_server: LocalServer, tmp_path: Path, name: str) -> None:
    ws = new_workspace(tmp_path / "laptop")
    token = enroll_workspace(ws, local_server, "siti")
    siti = ws.actor("siti")
    scan = tmp_path / "ktp.pdf"
    scan.write_bytes(PDF_HEAD + b"scan")
    for i in range(3):
        cases.create(ws, siti, "SKD", "3573015708900003", f"Warga {i}", SKD_FIELDS, {"ktp": scan} if i else None)
    handler = type("Handler", (_Garbage,), {"answer": staticmethod(GARBAGE[name])})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    db = ws.profile / "loket.db"

    def snapshot() -> tuple[Any, ...]:
        conn = open_store(db, readonly=True)
        try:
            return (conn.execute("SELECT op_id, state, errno FROM outbox ORDER BY seq").fetchall(),
                    conn.execute("SELECT key, value FROM meta WHERE key LIKE 'cursor:%' ORDER BY key").fetchall(),
                    laptop_state(db))
        finally:
            conn.close()

    before = snapshot()
    client = SyncClient(f"http://127.0.0.1:{httpd.server_address[1]}", token, sleep=lambda _s: None)
    try:
        with pytest.raises(SyncError) as err:
            SyncEngine(ws, clients={"siti": client}).run()
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert err.value.message and "Traceback" not in err.value.message
    assert snapshot() == before, "garbage from the server changed the laptop"
    assert integrity_ok(db) == "ok"
    # and the same laptop then syncs with the real server as if nothing had happened
    report = SyncEngine(ws, clients={"siti": local_server.client(token)}).run()
    assert report.pending == 0 and report.rejected == 0
    ws.close()


# ---- a full disk -------------------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tmpfs"
    mount.mkdir()
    if shutil.which("mount") is None:
        pytest.skip("no mount(8) on this machine")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)], capture_output=True,
                          text=True)
    if done.returncode != 0:
        pytest.skip(f"mounting a 2 MB tmpfs is not permitted here ({done.stderr.strip() or done.returncode}): "
                    "the disk-full test needs root or CAP_SYS_ADMIN")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_disk_full_during_writes(small_disk: Path, tmp_path: Path) -> None:
    ws = Workspace(small_disk / "profile")
    ws.add_local_user("siti", "Siti Aminah", "petugas", OFFICE)
    siti = ws.actor("siti")
    acknowledged: list[str] = []
    failure: LoketError | None = None
    scans = tmp_path / "scans"
    scans.mkdir()
    for i in range(2000):
        scan = scans / f"ktp-{i}.pdf"
        scan.write_bytes(PDF_HEAD + hashlib.sha256(str(i).encode()).digest() * 1000)
        try:
            acknowledged.append(cases.create(ws, siti, "SKD", "3573015708900003", f"Warga {i}",
                                             {"alamat": "Jl. Ijen " * 30}, {"ktp": scan}).id)
        except LoketError as err:
            failure = err
            break
    assert failure is not None, "the 2 MB disk never filled up"
    assert acknowledged, "nothing fit on the disk"
    text = failure.message.lower()
    assert "penuh" in text or "full" in text or "ruang" in text or "space" in text, failure.message
    ws.close()
    # everything acknowledged before the disk filled up is still there, intact
    reopened = Workspace(small_disk / "profile")
    assert integrity_ok(small_disk / "profile" / "loket.db") == "ok"
    saved = laptop_state(small_disk / "profile" / "loket.db")
    assert set(acknowledged) <= set(saved), "a case saved before the disk filled up was lost"
    for case_id in acknowledged:
        for doc in saved[case_id]["attachments"]:
            assert reopened.blobs.has(doc[1]) and hashlib.sha256(reopened.blobs.read(doc[1])).hexdigest() == doc[1]
    reopened.close()
