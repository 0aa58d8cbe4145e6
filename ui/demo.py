"""``python -m ui.demo --data DIR --port PORT`` (``make run``): a demo office, then the GUI on it.

Creates (once) a profile under ``DIR/profile`` with local users of Kelurahan Oro-oro Dowo (35.73.02.1008):
petugas "siti", verifikator "bambang", penandatangan "lurah"; and sample cases in several statuses, written
through the services layer like real work (backdated so some are overdue). The
reference server runs beside it (``start_demo_server``) and the demo users are enrolled against it, so the
sample work syncs and the Lurah can sign. Each enrolled person unlocks with their own secret
(:data:`DEMO_SECRETS`; the Lurah's is the signing PIN :data:`DEMO_PIN`).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import logging
import random
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

from app import clock
from app.domain.catalog import FieldSpec, ServiceType
from app.domain.lifecycle import Action
from app.services import cases
from app.services.workspace import Actor, Workspace
from app.storage import meta
from sync import demo_people

log = logging.getLogger("loket.demo")
OFFICE = "35.73.02.1008"
# The demo kelurahan's three people (the sample cases are theirs), as the demo server knows them
USERS = tuple((username, full, role, nip, position)
              for username, full, role, office, nip, position in demo_people.DEMO_USERS if office == OFFICE)
NAMES = ("Budi Santoso", "Sri Wahyuni", "Ahmad Fauzi", "Dewi Lestari", "Eko Prasetyo", "Rina Marlina",
         "Joko Susilo", "Nur Aini", "Hendra Gunawan", "Yuliana Sari", "Agus Salim", "Wulan Dari",
         "Slamet Riyadi", "Fitri Handayani", "Rudi Hartono", "Lilis Suryani", "Bayu Aji", "Ratna Sari",
         "Teguh Wibowo", "Siti Rahayu", "Imam Syafii", "Endang Susanti", "Dimas Pratama", "Kartika Putri",
         "Hadi Purnomo", "Maria Ulfa", "Arif Rahman", "Novi Anggraini", "Yusuf Hidayat", "Indah Permata")
PLACES = ("Malang", "Batu", "Blitar", "Kediri", "Pasuruan", "Surabaya")
STREETS = ("Jl. Kawi", "Jl. Ijen", "Jl. Semeru", "Jl. Bromo", "Jl. Welirang", "Jl. Arjuno")
# (status path after registration, days ago it was registered)
PLAN: tuple[tuple[list[str], int], ...] = (
    (["submit"], 1), (["submit", "verify"], 2), ([], 0), (["submit"], 6), (["submit", "verify"], 9),
    (["submit", "return"], 4), (["submit", "reject"], 12), ([], 3), (["submit", "verify"], 0), (["withdraw"], 15),
)


def sample_pdf(title: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(72, 760, title)
    c.setFont("Helvetica", 11)
    c.drawString(72, 736, "Contoh dokumen untuk demo Loket — bukan dokumen asli.")
    c.rect(72, 500, 450, 200)
    c.save()
    return buf.getvalue()


def sample_png(width: int = 160, height: int = 110) -> bytes:
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in (90 + x // 2, 140 + y // 2, 200 - x // 3))
                    for y in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def nik_for(rng: random.Random, female: bool) -> str:
    day, month, year = rng.randint(1, 28), rng.randint(1, 12), rng.randint(60, 99)
    return f"357302{day + (40 if female else 0):02d}{month:02d}{year:02d}{rng.randint(1, 9999):04d}"


def valid_value(spec: FieldSpec, rng: random.Random, nik: str) -> str:
    """A plausible value that passes the field's validation (for demo data and tests)."""
    low = int(spec.min) if spec.min is not None else 0
    high = int(spec.max) if spec.max is not None else max(low + 100, 100)
    match spec.type:
        case "date":
            if spec.future_only:
                return (dt.date.today() + dt.timedelta(days=rng.randint(3, 30))).isoformat()
            if "lahir" in spec.key:
                return f"19{nik[10:12]}-{nik[8:10]}-{int(nik[6:8]) % 40:02d}"
            return (dt.date.today() - dt.timedelta(days=rng.randint(200, 3000))).isoformat()
        case "choice":
            return rng.choice(spec.choices).key
        case "kk":
            issued = f"{rng.randint(1, 28):02d}{rng.randint(1, 12):02d}{rng.randint(10, 22):02d}"
            return f"357302{issued}{rng.randint(1, 9999):04d}"
        case "nik":
            return nik
        case "phone":
            return f"08{rng.randint(1100000000, 5999999999)}"
        case "email":
            return f"warga{rng.randint(100, 999)}@contoh.id"
        case "consent":
            return rng.choice(("ya", "tidak"))
        case "money":
            return str(rng.randint(max(low, 5), min(high, 400)) * 10_000)
        case "year":
            return str(max(low, dt.date.today().year + 1))
        case "integer" | "number":
            return str(rng.randint(max(low, 1), min(high, max(low, 1) + 10)))
        case "textarea":
            rt, rw = rng.randint(1, 9), rng.randint(1, 9)
            return f"{rng.choice(STREETS)} No. {rng.randint(1, 120)}, RT {rt:02d}/RW {rw:02d}"
        case _:
            if "tempat" in spec.key:
                return rng.choice(PLACES)
            if spec.key == "keperluan":
                return "Persyaratan administrasi"
            return "Contoh isian"


@contextlib.contextmanager
def backdated(days: int) -> Iterator[None]:
    """Make the core's clock read ``days`` earlier while demo history is written."""
    real_now, real_today = clock.now, clock.today
    if days:
        clock.now = lambda: real_now() - dt.timedelta(days=days)
        clock.today = lambda: real_today() - dt.timedelta(days=days)
    try:
        yield
    finally:
        clock.now, clock.today = real_now, real_today


def ensure_users(ws: Workspace) -> None:
    have = {u.username for u in ws.users()}
    for username, full, role, nip, position in USERS:
        if username not in have:
            ws.add_local_user(username, full, role, OFFICE, nip=nip, position=position)


def _attachments(ws: Workspace, service: ServiceType, folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for doc in service.documents:
        if not doc.required and doc.code != "foto_rumah":
            continue
        if doc.code.startswith("foto"):
            path = folder / f"{doc.code}.png"
            if not path.exists():
                path.write_bytes(sample_png())
        else:
            path = folder / f"{doc.code}.pdf"
            if not path.exists():
                path.write_bytes(sample_pdf(doc.name))
        files[doc.code] = path
    return files


def seed(ws: Workspace, count: int = 10, seed_value: int = 7, samples: Path | None = None) -> list[str]:
    """Register ``count`` sample cases through the services layer; returns their ids."""
    rng = random.Random(seed_value)
    actors: dict[str, Actor] = {u: ws.actor(u) for u, *_ in USERS}
    office = ws.offices.get(OFFICE)
    services = [s for s in ws.catalog if office and s.office_level is office.level and not s.owner_office]
    folder = samples or ws.profile / "demo-files"
    ids: list[str] = []
    for i in range(count):
        service = rng.choice(services)
        steps, days = PLAN[i % len(PLAN)]
        female = i % 2 == 1
        nik = nik_for(rng, female)
        name = NAMES[i % len(NAMES)]
        fields = {f.key: valid_value(f, rng, nik) for f in service.fields if f.required or rng.random() < 0.5}
        if "jenis_kelamin" in fields:
            fields["jenis_kelamin"] = "P" if female else "L"
        with backdated(days + (i % 3)):
            new = cases.create(ws, actors["siti"], service.code, nik, name, fields, _attachments(ws, service, folder))
            for step in steps:
                who = {"submit": "siti", "withdraw": "siti", "verify": "bambang", "return": "bambang",
                       "reject": "bambang"}[step]
                reason = {"return": "Foto KTP-el kurang jelas, mohon diunggah ulang.",
                          "reject": "Pemohon bukan warga Kelurahan Oro-oro Dowo."}.get(step)
                cases.transition(ws, actors[who], new.id, Action(step), reason)
        ids.append(new.id)
    return ids


def prepare(data: Path, count: int = 10) -> Path:
    """Create the demo profile once (idempotent); returns its folder."""
    profile = data / "profile"
    ws = Workspace(profile)
    try:
        ensure_users(ws)
        with ws.db.read() as s:
            seeded = meta.demo_seeded(s)
        if not seeded:
            seed(ws, count)
            from ui import demo_rekap  # a musrenbang year and two semesters of school reports for the rekaps

            demo_rekap.seed(ws)
            with ws.db.write() as s:
                meta.set_demo_seeded(s, clock.now_iso())
    finally:
        ws.close()
    return profile


DEMO_PIN = demo_people.DEMO_PIN  # every demo signer's PIN, also their secret (demo only)
# Each demo person's own password on the shared demo laptop (demo only; real ones are chosen at enrolment).
DEMO_SECRETS = {u: demo_people.demo_secret(u, role) for u, _full, role, *_rest in demo_people.DEMO_USERS}


class DemoServer:
    """The reference server (``loket-server``) on 127.0.0.1 in a subprocess, with the demo users."""

    def __init__(self, data: Path, port: int) -> None:
        import subprocess
        import sys

        self.folder = data / "server"
        self.url = f"http://127.0.0.1:{port}"
        self.base = [sys.executable, "-m", "sync.server.cli", "--data", str(self.folder), "--json"]
        if not (self.folder / "loket-server.db").exists():
            subprocess.run([*self.base, "init", "--demo"], check=True, capture_output=True, timeout=120)
        self.log = open(data / "server.log", "ab")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([*self.base, "run", "--port", str(port)], stdout=self.log, stderr=self.log)
        self.pid_file = data / "server.pid"  # `make offline` stops the server to try Loket without a network
        self.pid_file.write_text(f"{self.proc.pid}\n")

    def wait(self, seconds: float = 20.0) -> bool:
        import time

        from sync.client import SyncClient
        from sync.errors import SyncError

        client = SyncClient(self.url, retries=0, timeout=(1.0, 2.0))
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                client.ping()
                return True
            except SyncError:
                time.sleep(0.2)
        return False

    def code(self, username: str) -> str:
        import json
        import subprocess

        out = subprocess.run([*self.base, "enrolment-code", "--user", username], check=True, capture_output=True,
                             text=True, timeout=60)
        return str(json.loads(out.stdout)["code"])

    def stop(self) -> None:
        self.pid_file.unlink(missing_ok=True)
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except Exception:
            self.proc.kill()
        self.log.close()


def enrol_demo_users(profile: Path, server: DemoServer, only: set[str] | None = None) -> None:
    """Enrol every demo person on the demo laptop (again when the keyring lost their secrets): the kelurahan's,
    the Camat, and the staff of the Dinas, so every service of the catalogue can be walked from *Pengguna*."""
    from app.services import unlock
    from app.services.approvals import keystore
    from sync import credentials
    from sync.enroll import enroll

    ws = Workspace(profile)
    try:
        active = ws.actor().username if ws.users() else None
        for username, _full, role, *_rest in demo_people.DEMO_USERS:
            if only is not None and username not in only:
                continue
            signer = role == "penandatangan"
            has_token = credentials.load_token(ws.device_id, username) and unlock.has_secret(ws, username)
            if has_token and (not signer or keystore(ws, ws.actor(username)).has_key()):
                continue
            enroll(ws, server.url, server.code(username), DEMO_PIN if signer else None,
                   secret=DEMO_SECRETS[username])
        if active:
            ws.use(active)
    finally:
        ws.close()


def start_demo_server(data: Path, port: int) -> DemoServer | None:
    """Start the reference server on 127.0.0.1:``port`` for the demo; None (offline demo) if it cannot."""
    server = DemoServer(data, port)
    if not server.wait():
        log.warning("demo server did not start; see %s", data / "server.log")
        server.stop()
        return None
    return server


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ui.demo")
    p.add_argument("--data", type=Path, default=Path(".demo"))
    p.add_argument("--port", type=int, default=8765)
    p.add_argument("--lang", choices=("id", "en"), default=None)
    p.add_argument("--cases", type=int, default=10)
    p.add_argument("--offline", action="store_true", help="do not start the demo server: work offline")
    args = p.parse_args(argv)
    profile = prepare(args.data, args.cases)
    server = None if args.offline else start_demo_server(args.data, args.port)
    if server is not None:
        try:
            enrol_demo_users(profile, server)
            print(f"Loket demo: server {server.url}. Kata sandi tiap orang: <nama>-loket-demo (siti-loket-demo, "
                  f"bambang-loket-demo…); PIN penandatangan {DEMO_PIN}. Ganti orang lewat menu Pengguna.")
        except Exception as err:  # e.g. no usable keyring: the demo still runs, offline
            log.warning("demo users not enrolled: %s", err)
            print(f"Loket demo runs offline: {err}")
    try:
        from ui.app import run

        return run(profile, args.lang)
    finally:
        if server is not None:
            server.stop()


if __name__ == "__main__":
    raise SystemExit(main())
