"""Server load benchmark: N simulated devices doing a day's work against real ``loket-server`` processes on a
throwaway PostgreSQL cluster, on loopback only.

Every kelurahan of the city gets a share of the devices: three counter laptops (petugas) to one verifier's and
one signer's (Lurah). After enrolling (signers also get their certificate and a block of letter numbers),
each device repeats rounds until the round count or the time limit is reached, resting ``--think`` seconds
(±50 %) between rounds:

  petugas       uploads one scanned document per new case, then pushes one batch: ``--creates`` new SKD cases
                with their three documents, edits of two of the previous round's cases and their submission;
                then pulls the office's changes
  verifikator   pulls, and verifies the submitted cases that fall to it
  penandatangan pulls, renders and signs (PAdES, its own key and city certificate) the letters of up to
                ``--approvals`` verified cases and pushes the approvals (the server checks each signature,
                timestamps the letter and adds its validation data)

Measured, after a warm-up round: ops/s (one pushed op, one pull, one upload or one enrolment counts one op),
p50/p95/p99/max per call kind, errors (an HTTP error or an op the server refused), CPU and memory of the server
processes and of PostgreSQL, and the load generator's own CPU (to show it is not the bottleneck). The baseline,
measured in the same run first: one office's five devices alone (the same calls without contention).

Usage: python bench/load.py [--devices 200] [--instances 2] [--rounds 20] [--duration 120] [--workers 1]
       [--json FILE] [--server-option=--pool-size=20 ...] [--compare-root OTHER-TREE]

``--compare-root``: the same load on another commit's servers, measured first for each size in the same run
(the machine's load changes from minute to minute; compare numbers taken side by side).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import requests  # noqa: E402

from support.pg import free_port, start_cluster  # noqa: E402

API = "/api/v1"
ROLES = ("petugas", "petugas", "petugas", "verifikator", "penandatangan")
FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
          "no_kk": "3573021204180003", "alamat": "Jl. Ijen 5", "keperluan": "Melamar kerja"}
DOCS = ("ktp", "kk", "pengantar_rt")
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


# ---- measurements ----------------------------------------------------------------------------------------
class Stats:
    """Latencies per call kind, ops and errors; shared by the device threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.ops = 0
        self.errors: dict[str, int] = defaultdict(int)
        self.retries: dict[str, int] = defaultdict(int)
        self.samples: list[str] = []

    def record(self, kind: str, seconds: float, ops: int) -> None:
        with self.lock:
            self.times[kind].append(seconds)
            self.ops += ops

    def retried(self, kind: str) -> None:
        with self.lock:
            self.retries[kind] += 1

    def error(self, kind: str, text: str) -> None:
        with self.lock:
            self.errors[kind] += 1
            if len(self.samples) < 10:
                self.samples.append(f"{kind}: {text[:300]}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))] if ordered else 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU of one process (clock ticks from /proc)."""
    try:
        parts = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int, key: str = "VmRSS") -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tree(root: int) -> list[int]:
    """``root`` and all its descendants (uvicorn workers, PostgreSQL backends)."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children[ppid].append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


@dataclass
class Usage:
    """CPU seconds of a set of process trees, sampled at the start and the end of a phase."""

    roots: list[int]
    start: dict[int, float] = field(default_factory=dict)

    def sample(self) -> dict[int, float]:
        return {pid: cpu_seconds(pid) for root in self.roots for pid in tree(root)}

    def begin(self) -> None:
        self.start = self.sample()

    def used(self) -> float:
        return sum(v - self.start.get(pid, 0.0) for pid, v in self.sample().items())

    def rss(self) -> float:
        return sum(rss_mb(pid) for root in self.roots for pid in tree(root))


# ---- the simulated devices ---------------------------------------------------------------------------------
@dataclass
class Signer:
    key: Any
    chain: list[Any]
    numbers: list[int]
    counter: int = 0
    last: str | None = None


class Device:
    def __init__(self, index: int, username: str, role: str, office: str, code: str, base: str, slot: int,
                 share: int) -> None:
        self.index, self.username, self.role, self.office, self.code = index, username, role, office, code
        self.base = base
        self.slot, self.share = slot, share  # this device's share of the office's cases (verifier, signer)
        self.http = requests.Session()
        self.token = self.device_id = ""
        self.cursor = 0
        self.drafts: list[tuple[str, int]] = []  # (case id, version) of the previous round's new cases
        self.waiting: dict[str, dict[str, Any]] = {}  # cases in the status this device acts on
        self.signer: Signer | None = None
        self.rng = random.Random(index)

    # -- calls --------------------------------------------------------------------------------------------
    def call(self, stats: Stats, kind: str, method: str, path: str, ops: int = 1, **kw: Any) -> Any:
        headers = kw.pop("headers", {})
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        began = time.perf_counter()
        for attempt in range(4):  # as the laptop's client does: every call is safe to repeat (op ids, offsets)
            try:
                answer = self.http.request(method, self.base + path, headers=headers, timeout=120, **kw)
            except requests.ConnectionError as err:  # e.g. a kept-alive connection the server had just closed
                if attempt == 3:
                    stats.error(kind, f"{type(err).__name__}: {err}")
                    return None
                stats.retried(kind)
                time.sleep(0.2 * 2 ** attempt)
                continue
            if answer.status_code not in (429, 503) or attempt == 3:
                break
            stats.retried(kind)
            time.sleep(float(answer.headers.get("Retry-After") or 1))
        stats.record(kind, time.perf_counter() - began, ops)
        if answer.status_code >= 400:
            stats.error(kind, f"HTTP {answer.status_code} {answer.text}")
            return None
        return answer.json() if answer.headers.get("content-type", "").startswith("application/json") else answer

    def push(self, stats: Stats, kind: str, ops: list[dict[str, Any]]) -> list[dict[str, Any]]:
        clock = dt.datetime.now(dt.UTC).isoformat()
        answer = self.call(stats, kind, "POST", f"{API}/push", len(ops), json={"ops": ops},
                           headers={"X-Loket-Clock": clock})
        results = answer["results"] if answer else []
        for result in results:
            if result["status"] != "applied":
                stats.error(kind, f"op refused: {result.get('errno')} {result.get('message')}")
        return list(results)

    def pull(self, stats: Stats) -> None:
        while True:
            page = self.call(stats, "pull", "GET", f"{API}/changes", params={"since": self.cursor, "limit": 2000})
            if page is None:
                return
            wanted = {"verifikator": "submitted", "penandatangan": "verified"}.get(self.role)
            for change in page["changes"]:
                mine = int(change["id"][:8], 16) % self.share == self.slot
                if wanted and change["status"] == wanted and mine:
                    self.waiting[change["id"]] = change
                else:
                    self.waiting.pop(change["id"], None)
            self.cursor = page["cursor"]
            if not page["more"]:
                return

    # -- the day's work -----------------------------------------------------------------------------------
    def enrol(self, stats: Stats) -> None:
        answer = self.call(stats, "enroll", "POST", f"{API}/enroll", json={"code": self.code,
                                                                           "device_name": f"bench-{self.index}"})
        if answer is None:
            raise RuntimeError(f"{self.username} could not enrol")
        self.token, self.device_id = answer["token"], answer["device_id"]
        if self.role == "penandatangan":
            self.signer = self._certify(stats)

    def _certify(self, stats: Stats) -> Signer:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec

        from app.signing.certificates import SignerIdentity, build_csr, load_certificate

        key = ec.generate_private_key(ec.SECP256R1())
        csr = build_csr(key, SignerIdentity(self.username, "197504171998031003", "Lurah", "Kelurahan"))
        cert = self.call(stats, "certificate", "POST", f"{API}/certificate",
                         json={"csr_pem": csr.public_bytes(serialization.Encoding.PEM).decode()})
        ca = self.call(stats, "ca", "GET", f"{API}/ca")
        lease = self.call(stats, "lease", "POST", f"{API}/leases",
                          json={"classification": "400.12.2.2", "year": dt.date.today().year, "count": 500})
        if not (cert and ca and lease):
            raise RuntimeError(f"{self.username} could not get a certificate and numbers")
        chain = [load_certificate(cert["certificate_pem"].encode()), load_certificate(ca["ca_pem"].encode())]
        return Signer(key, chain, list(range(int(lease["first"]), int(lease["last"]) + 1)))

    def round(self, stats: Stats, creates: int, approvals: int) -> None:
        if self.role == "petugas":
            self._counter(stats, creates)
        elif self.role == "verifikator":
            self.pull(stats)
            ops = [_op("case.transition", cid, {"action": "verify", "reason": None}, c["version"])
                   for cid, c in list(self.waiting.items())[:50]]
            if ops:
                self.push(stats, "push", ops)
                for op in ops:  # done here, as on a laptop; the feed may bring the change back a little later
                    self.waiting.pop(op["case_id"], None)
        else:
            self.pull(stats)
            chosen = list(self.waiting.values())[:approvals]
            if chosen:
                self.push(stats, "approve", [self._approval(case) for case in chosen])
        self.pull(stats)

    def _counter(self, stats: Stats, creates: int) -> None:
        ops: list[dict[str, Any]] = []
        new: list[tuple[str, int]] = []
        for _ in range(creates):
            case_id = str(uuid.uuid4())
            scan = b"%PDF-1.4\n% scan " + case_id.encode() + os.urandom(8192) + b"\n%%EOF\n"
            sha = hashlib.sha256(scan).hexdigest()
            self.call(stats, "blob", "PUT", f"{API}/blobs/{sha}", data=scan, params={"offset": 0, "final": "true"},
                      headers={"Content-Type": "application/octet-stream"})
            nik = f"357301570890{self.rng.randrange(1, 10**4):04d}"  # a NIK's serial is never 0000
            ops.append(_op("case.create", case_id, {"case": {
                "id": case_id, "service": "SKD", "nik": nik, "name": f"Warga {self.rng.randrange(10**6)}",
                "fields": FIELDS, "due_date": (dt.date.today() + dt.timedelta(days=3)).isoformat()}}, 0))
            ops += [_op("attachment.add", case_id, {"doc_code": doc, "sha256": sha, "filename": f"{doc}.pdf",
                                                    "size": len(scan), "mime": "application/pdf"}, 1)
                    for doc in DOCS]
            new.append((case_id, 1))
        for case_id, version in self.drafts[:2]:
            ops.append(_op("case.edit", case_id, {"fields": {"alamat": f"Jl. Ijen {self.rng.randrange(99)}"}},
                           version))
        ops += [_op("case.transition", case_id, {"action": "submit", "reason": None}, version)
                for case_id, version in self.drafts]
        applied = {r["op_id"] for r in self.push(stats, "push", ops) if r["status"] == "applied"}
        made = {op["case_id"] for op in ops if op["kind"] == "case.create" and op["op_id"] in applied}
        self.drafts = [(case_id, version) for case_id, version in new if case_id in made]

    def _approval(self, case: dict[str, Any]) -> dict[str, Any]:
        from app.domain.catalog import default_catalog
        from app.letters.model import LetterData, LetterOffice
        from app.letters.model import Signer as LetterSigner
        from app.letters.render import render_letter
        from app.signing.approvals import ApprovalEvent, content_hash, sign_event
        from app.signing.certificates import serial_hex
        from app.signing.pades import sign_pdf

        signer = self.signer
        assert signer is not None
        today = dt.date.today()
        number = f"400.12.2.2/{signer.numbers.pop(0):03d}/{self.office}/{ROMAN[today.month - 1]}/{today.year}"
        data = LetterData(service=default_catalog().get("SKD"), office=LetterOffice.from_directory(self.office),
                          number=number, case_name=case["name"], case_nik=case["nik"], fields=case["fields"],
                          signer=LetterSigner(self.username, "197504171998031003", "Lurah", "Kelurahan"),
                          letter_date=today, verify_url=f"http://127.0.0.1/verify/{case['id']}")
        letter = render_letter(data)
        pdf = sign_pdf(letter.pdf, signer.key, signer.chain, box=letter.signature_box, letter_number=number)
        content = {k: case[k] for k in ("id", "service", "office", "nik", "name", "fields")}
        event = ApprovalEvent(case_id=case["id"], case_version=case["version"], content_hash=content_hash(content),
                              template_version=1, pdf_sha256=letter.sha256, letter_number=number,
                              signer_cert_serial=serial_hex(signer.chain[0]), device_id=self.device_id,
                              device_counter=signer.counter + 1, prev_event_hash=signer.last)
        signed = sign_event(event, signer.key)
        signer.counter, signer.last = event.device_counter, event.hash
        self.waiting.pop(case["id"], None)
        return _op("approval", case["id"], {**signed.to_dict(), "pdf": base64.b64encode(pdf).decode()},
                   case["version"])


def _op(kind: str, case_id: str, payload: dict[str, Any], base: int | None) -> dict[str, Any]:
    return {"op_id": str(uuid.uuid4()), "kind": kind, "case_id": case_id, "base_version": base, "payload": payload}


# ---- the city: PostgreSQL, the server processes, the users ------------------------------------------------
@dataclass
class City:
    data: Path
    url: str
    ports: list[int]
    procs: list[subprocess.Popen[bytes]]
    postmaster: int

    def stop(self) -> None:
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def start_city(folder: Path, url: str, instances: int, options: list[str], postmaster: int,
               root: Path = ROOT) -> City:
    env = {**os.environ, "PYTHONPATH": str(root)}
    server = [sys.executable, "-m", "sync.server.cli", "--data", str(folder / "server"), "--database-url", url]
    subprocess.run([*server, "init"], check=True, capture_output=True, cwd=root, env=env, timeout=300)
    ports = [free_port() for _ in range(instances)]
    procs = [subprocess.Popen([*server, "run", "--host", "127.0.0.1", "--port", str(port), *options], cwd=root,
                              env=env, stdout=subprocess.DEVNULL, stderr=open(folder / f"server-{port}.log", "wb"))  # noqa: SIM115
             for port in ports]
    city = City(folder, url, ports, procs, postmaster)
    for port in ports:
        for _ in range(300):
            try:
                if requests.get(f"http://127.0.0.1:{port}{API}/ping", timeout=2).ok:
                    break
            except requests.RequestException:
                time.sleep(0.2)
        else:
            city.stop()
            raise RuntimeError(f"the server on port {port} did not start: see {folder}/server-{port}.log")
    return city


def add_users(url: str, count: int, city: City) -> list[Device]:
    """One user per device, spread over the kelurahan; their enrolment codes (setup, not measured)."""
    from app.domain.offices import directory
    from sync.server.core import Server
    from sync.server.storage import make_engine

    offices = sorted(o.code for o in directory() if o.level.value == "kelurahan")
    per_office = max(len(ROLES), -(-count // len(offices)))
    engine = make_engine(url)
    server = Server.open(engine)
    devices = []
    shares: dict[tuple[str, str], int] = defaultdict(int)
    plan = []
    for index in range(count):
        office, role = offices[index // per_office], ROLES[(index % per_office) % len(ROLES)]
        plan.append((index, office, role, shares[(office, role)]))
        shares[(office, role)] += 1
    for index, office, role, slot in plan:
        username = f"b{index:04d}"
        nip = f"19800101200{index % 10}01{index % 1000:03d}"
        code = server.add_user(username, f"Pegawai {index}", role, office, nip, role.title())
        base = f"http://127.0.0.1:{city.ports[index % len(city.ports)]}"
        devices.append(Device(index, username, role, office, code, base, slot, shares[(office, role)]))
    engine.dispose()
    return devices


class Waits:
    """What PostgreSQL's active backends wait for, sampled twice a second (lock waits on a row held by another
    transaction, such as the old feed counter's, show as Lock/transactionid or Lock/tuple)."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True)
        self.counts: dict[str, int] = defaultdict(int)
        self.samples = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stop.wait(0.5):
            rows = self.conn.execute("SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, 'running') "
                                     "FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid() "
                                     "AND backend_type = 'client backend'").fetchall()
            self.samples += 1
            for kind, name in rows:
                self.counts[f"{kind}/{name}"] += 1

    def __enter__(self) -> Waits:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        self.thread.join()
        self.conn.close()

    def summary(self) -> dict[str, float]:
        """Mean number of active backends in each wait state."""
        return {k: round(v / max(1, self.samples), 2) for k, v in sorted(self.counts.items(), key=lambda kv: -kv[1])}


# ---- phases ------------------------------------------------------------------------------------------------
def run_phase(devices: list[Device], args: argparse.Namespace, rounds: int, duration: float, think: float,
              city: City) -> dict[str, Any]:
    stats = Stats()
    servers = Usage([p.pid for p in city.procs])
    postgres = Usage([city.postmaster])
    servers.begin()
    postgres.begin()
    load_before = os.getloadavg()
    cpu_before = time.process_time()
    began = time.perf_counter()
    deadline = began + duration
    start = threading.Barrier(len(devices) + 1)

    def work(device: Device) -> None:
        start.wait()
        time.sleep(device.rng.random() * think)  # devices do not all start at the same instant
        for _ in range(rounds):
            if time.perf_counter() >= deadline:
                return
            try:
                device.round(stats, args.creates, args.approvals)
            except Exception as err:  # noqa: BLE001 - a broken round is an error of the run, not a crash
                stats.error("round", f"{type(err).__name__}: {err}")
            time.sleep(think * (0.5 + device.rng.random()))

    threads = [threading.Thread(target=work, args=(d,), daemon=True) for d in devices]
    with Waits(city.url) as waits:
        for thread in threads:
            thread.start()
        start.wait()
        for thread in threads:
            thread.join()
    wall = time.perf_counter() - began
    return {"devices": len(devices), "wall_s": wall, "ops": stats.ops, "ops_per_s": stats.ops / wall,
            "calls": {k: {"n": len(v), "p50_ms": pct(v, 50) * 1000, "p95_ms": pct(v, 95) * 1000,
                          "p99_ms": pct(v, 99) * 1000, "max_ms": max(v) * 1000}
                      for k, v in sorted(stats.times.items())},
            "errors": dict(stats.errors), "error_samples": stats.samples, "retries": dict(stats.retries),
            "server_cpu_cores": servers.used() / wall, "postgres_cpu_cores": postgres.used() / wall,
            "generator_cpu_cores": (time.process_time() - cpu_before) / wall,
            "server_rss_mb": servers.rss(), "postgres_waits": waits.summary(), "load_before": load_before,
            "load_after": os.getloadavg()}


def enrol_all(devices: list[Device]) -> dict[str, Any]:
    stats = Stats()
    began = time.perf_counter()
    chunks = [devices[i::16] for i in range(16)]

    def work(chunk: list[Device]) -> None:
        for device in chunk:
            device.enrol(stats)

    threads = [threading.Thread(target=work, args=(c,)) for c in chunks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - began
    return {"wall_s": wall, "calls": {k: {"n": len(v), "p50_ms": pct(v, 50) * 1000, "p99_ms": pct(v, 99) * 1000}
                                      for k, v in stats.times.items()}, "errors": dict(stats.errors),
            "error_samples": stats.samples}


def table(title: str, phase: dict[str, Any]) -> str:
    lines = [f"{title}: {phase['devices']} devices, {phase['wall_s']:.1f} s, {phase['ops']} ops, "
             f"{phase['ops_per_s']:.0f} ops/s, errors {sum(phase['errors'].values())}, "
             f"retried calls {sum(phase['retries'].values())}",
             f"  {'call':12} {'n':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}"]
    for kind, c in phase["calls"].items():
        lines.append(f"  {kind:12} {c['n']:>7} {c['p50_ms']:>8.0f} {c['p95_ms']:>8.0f} {c['p99_ms']:>8.0f} "
                     f"{c['max_ms']:>8.0f}")
    lines.append(f"  CPU (cores): servers {phase['server_cpu_cores']:.2f}, "
                 f"PostgreSQL {phase['postgres_cpu_cores']:.2f}, "
                 f"load generator {phase['generator_cpu_cores']:.2f}; servers' memory {phase['server_rss_mb']:.0f} MB; "
                 f"load average {phase['load_before'][0]:.1f} → {phase['load_after'][0]:.1f}")
    lines.append("  PostgreSQL backends active (mean): " + ", ".join(
        f"{k} {v}" for k, v in list(phase["postgres_waits"].items())[:6]))
    for sample in phase["error_samples"][:5]:
        lines.append(f"  error: {sample}")
    return "\n".join(lines)


def measure(cluster: Any, devices_count: int, args: argparse.Namespace, root: Path) -> dict[str, Any]:
    """One city of ``devices_count`` devices on a fresh database: enrolment, baseline, warm-up, load."""
    folder = Path(tempfile.mkdtemp(prefix="loket-load-"))
    postmaster = int((cluster.root / "data" / "postmaster.pid").read_text().split()[0])
    city = start_city(folder, cluster.create_database(), args.instances, args.server_option, postmaster, root)
    try:
        devices = add_users(city.url, devices_count, city)
        enrolled = enrol_all(devices)
        print(f"enrolment of {len(devices)} devices: {enrolled['wall_s']:.1f} s, " + ", ".join(
            f"{k} p50 {v['p50_ms']:.0f} ms p99 {v['p99_ms']:.0f} ms" for k, v in enrolled["calls"].items())
            + f", errors {sum(enrolled['errors'].values())}", flush=True)
        baseline = run_phase(devices[:len(ROLES)], args, 4, 60, 0.2, city)
        print(table("baseline (one office alone)", baseline), flush=True)
        run_phase(devices, args, 1, 60, args.think, city)  # warm-up: every device once, not counted
        measured = run_phase(devices, args, args.rounds, args.duration, args.think, city)
        print(table("load", measured), flush=True)
    finally:
        city.stop()
    return {"enrolment": enrolled, "baseline": baseline, "load": measured}


def summary(results: dict[int, dict[str, Any]]) -> str:
    lines = ["| devices | ops/s | push p50 / p99 ms | pull p50 / p99 ms | approve p99 ms | upload p99 ms | errors "
             "| CPU servers / PostgreSQL / generator | load average |", "|---|---|---|---|---|---|---|---|---|"]
    for n, r in sorted(results.items()):
        m = r["load"]
        errors = sum(m["errors"].values()) + sum(r["enrolment"]["errors"].values())

        def ms(kind: str, p: str, c: dict[str, Any] = m["calls"]) -> str:
            return f"{c[kind][p]:.0f}" if kind in c else "–"
        lines.append(f"| {n} | {m['ops_per_s']:.0f} | {ms('push', 'p50_ms')} / {ms('push', 'p99_ms')} | "
                     f"{ms('pull', 'p50_ms')} / {ms('pull', 'p99_ms')} | {ms('approve', 'p99_ms')} | "
                     f"{ms('blob', 'p99_ms')} | {errors} | {m['server_cpu_cores']:.2f} / "
                     f"{m['postgres_cpu_cores']:.2f} / {m['generator_cpu_cores']:.2f} | "
                     f"{m['load_before'][0]:.1f} → {m['load_after'][0]:.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--devices", type=int, default=200)
    parser.add_argument("--scale", default=None, help="several device counts in turn, e.g. 50,100,200,500,1000")
    parser.add_argument("--instances", type=int, default=2, help="loket-server processes (devices spread evenly)")
    parser.add_argument("--rounds", type=int, default=20, help="rounds per device after the warm-up")
    parser.add_argument("--duration", type=float, default=120.0, help="time limit of the measured phase (s)")
    parser.add_argument("--think", type=float, default=2.0, help="mean rest between a device's rounds (s)")
    parser.add_argument("--creates", type=int, default=4, help="new cases per counter laptop per round")
    parser.add_argument("--approvals", type=int, default=1, help="letters per signer per round")
    parser.add_argument("--server-option", action="append", default=[], help="extra `loket-server run` option")
    parser.add_argument("--server-root", type=Path, default=ROOT,
                        help="the source tree the servers run from (another commit, to compare)")
    parser.add_argument("--compare-root", type=Path, default=None,
                        help="also measure the servers of this tree (another commit), each size right before")
    parser.add_argument("--json", type=Path, default=None, help="also write the results here")
    args = parser.parse_args()
    counts = [int(n) for n in args.scale.split(",")] if args.scale else [args.devices]
    if min(counts) < len(ROLES):
        parser.error(f"at least {len(ROLES)} devices")

    print(f"Loket server load, {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, "
          f"{args.instances} instance(s) {' '.join(args.server_option)}, servers from {args.server_root}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    cluster = start_cluster()
    results: dict[int, dict[str, Any]] = {}
    compared: dict[int, dict[str, Any]] = {}
    try:
        for n in counts:
            if args.compare_root:
                print(f"\n== {n} devices, servers from {args.compare_root}", flush=True)
                compared[n] = measure(cluster, n, args, args.compare_root.resolve())
            print(f"\n== {n} devices", flush=True)
            results[n] = measure(cluster, n, args, args.server_root.resolve())
            if args.json:
                args.json.write_text(json.dumps({"args": {k: str(v) for k, v in vars(args).items()},
                                                 "results": results, "compared": compared}, indent=1))
    finally:
        cluster.stop()
    if compared:
        print(f"\nservers from {args.compare_root}:\n" + summary(compared))
        print(f"\nservers from {args.server_root}:")
    print("\n" + summary(results))
    errors = sum(sum(r["load"]["errors"].values()) + sum(r["enrolment"]["errors"].values())
                 for r in results.values())
    raise SystemExit(1 if errors else 0)


if __name__ == "__main__":
    main()
