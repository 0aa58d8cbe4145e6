"""Demo data for the rekaps: a realistic musrenbang year over four kelurahan of Klojen (with their ceilings)
and two semesters of school reports, as a kecamatan's or Dinas Pendidikan's laptop holds them after pulling
them from the server. Written straight to the demo store (they come from other offices' laptops, so this
laptop has nothing to send for them)."""

from __future__ import annotations

import datetime as dt
import json
import random
import uuid

from app import clock
from app.domain.registration import format_reg_no
from app.reports import musrenbang
from app.reports.sekolah import Semester
from app.services.workspace import Workspace
from app.storage.models import Case

KELURAHAN = {"35.73.02.1008": "Oro-oro Dowo", "35.73.02.1001": "Klojen", "35.73.02.1007": "Kauman",
             "35.73.02.1009": "Bareng"}
CEILINGS = {"35.73.02.1008": 450_000_000, "35.73.02.1001": 400_000_000, "35.73.02.1007": 350_000_000,
            "35.73.02.1009": 400_000_000}
PROPOSALS = (  # (bidang, program, kegiatan, unit, cost in millions)
    ("infrastruktur", "Peningkatan jalan lingkungan", "Paving jalan gang", "m²", 185),
    ("infrastruktur", "Drainase lingkungan", "Perbaikan saluran drainase", "m", 140),
    ("kesehatan", "Posyandu", "Pengadaan alat timbang dan PMT balita", "paket", 45),
    ("ekonomi", "Pemberdayaan UMKM", "Pelatihan pemasaran daring bagi pelaku UMKM", "orang", 60),
    ("sosial_budaya", "Kampung tematik", "Penataan ruang terbuka dan mural kampung", "paket", 95),
    ("pendidikan", "PAUD", "Alat permainan edukatif PAUD", "paket", 35),
    ("infrastruktur", "Penerangan jalan", "Pemasangan lampu penerangan jalan umum", "unit", 120),
)
STATUSES = ("approved", "approved", "verified", "submitted", "issued", "rejected")
RW = ("RW 01", "RW 02", "RW 03", "RW 04", "RW 05", "RW 06", "RW 07", "RW 08", "LPMK")
SCHOOLS = (  # (npsn, name, level, address)
    ("20533401", "SD Negeri Kauman 1", "SD", "Jl. Kauman No. 1, Kauman, Kec. Klojen"),
    ("20533402", "SD Negeri Kauman 3", "SD", "Jl. Arif Margono, Kauman, Kec. Klojen"),
    ("20533403", "SD Negeri Oro-oro Dowo", "SD", "Jl. Guntur 2, Oro-oro Dowo, Kec. Klojen"),
    ("20533404", "SD Negeri Bareng 1", "SD", "Jl. Bareng Tenes, Bareng, Kec. Klojen"),
    ("20533405", "SD Negeri Klojen", "SD", "Jl. Patimura, Klojen, Kec. Klojen"),
    ("20533406", "SD Negeri Purwantoro 2", "SD", "Jl. Sulfat, Purwantoro, Kec. Blimbing"),
    ("20533407", "SD Negeri Polehan 1", "SD", "Jl. Muharto, Polehan, Kec. Blimbing"),
    ("20533408", "SD Negeri Sawojajar 4", "SD", "Jl. Danau Toba, Sawojajar, Kec. Kedungkandang"),
    ("20533409", "SD Negeri Bumiayu 2", "SD", "Jl. Kyai Parseh Jaya, Bumiayu, Kec. Kedungkandang"),
    ("20533410", "SD Negeri Tlogomas 1", "SD", "Jl. Tlogomas, Tlogomas, Kec. Lowokwaru"),
    ("20533411", "SD Negeri Dinoyo 2", "SD", "Jl. MT Haryono, Dinoyo, Kec. Lowokwaru"),
    ("20533412", "SD Negeri Bandungrejosari 1", "SD", "Jl. Sidomulyo, Bandungrejosari, Kec. Sukun"),
    ("20533413", "SD Negeri Pisang Candi 3", "SD", "Jl. Raya Langsep, Pisang Candi, Kec. Sukun"),
    ("20533501", "SMP Negeri 1 Malang", "SMP", "Jl. Lawu 12, Kauman, Kec. Klojen"),
    ("20533502", "SMP Negeri 3 Malang", "SMP", "Jl. Dr. Cipto 20, Rampal Celaket, Kec. Klojen"),
    ("20533503", "SMP Negeri 5 Malang", "SMP", "Jl. Wage Rudolf Supratman, Kec. Blimbing"),
    ("20533504", "SMP Negeri 6 Malang", "SMP", "Jl. Kyai Tamin, Kec. Sukun"),
    ("20533505", "SMP Negeri 13 Malang", "SMP", "Jl. Sunan Ampel, Kec. Lowokwaru"),
    ("20533506", "SMP Negeri 21 Malang", "SMP", "Jl. Danau Tigi, Kec. Kedungkandang"),
    ("20533507", "SMP Katolik Santa Maria", "SMP", "Jl. Panderman, Kec. Klojen"),
    ("20533508", "SMP Islam Malang", "SMP", "Jl. Kyai Tamin, Kec. Sukun"),
)


def _case(service: str, office: str, name: str, status: str, fields: dict[str, str], at: dt.datetime,
          serial: int | None = None) -> Case:
    """A case as pulled from the server; with ``serial``, registered (numbered) as a submitted case is."""
    stamp = at.isoformat(timespec="seconds")
    reg_no = None if serial is None else format_reg_no(service, at.year, office, serial)
    return Case(id=str(uuid.uuid4()), service=service, office=office, nik=None, name=name,
                fields=json.dumps(fields, ensure_ascii=False), status=status, version=3, server_version=3,
                created_at=stamp, updated_at=stamp, created_by="demo", device="demo-server",
                due_date=(at + dt.timedelta(days=14)).date().isoformat(), reg_no=reg_no)


def proposals(rng: random.Random, year: int) -> list[Case]:
    out: list[Case] = []
    start = clock.now() - dt.timedelta(days=60)
    for k, (office, kelurahan) in enumerate(KELURAHAN.items()):
        picks = rng.sample(PROPOSALS, 5)
        for priority, (bidang, program, kegiatan, unit, millions) in enumerate(picks, start=1):
            cost = (millions + rng.randint(-15, 25)) * 1_000_000
            fields = {"tahun_anggaran": str(year), "bidang": bidang, "program": program,
                      "kegiatan": f"{kegiatan} di {rng.choice(RW)} Kelurahan {kelurahan}",
                      "lokasi": f"{rng.choice(RW)}, Kelurahan {kelurahan}", "volume": str(rng.randint(2, 400)),
                      "satuan": unit, "estimasi_biaya": str(cost), "penerima_manfaat": str(rng.randint(40, 900)),
                      "prioritas": str(priority), "penanggung_jawab": "Ketua " + rng.choice(RW)}
            status = STATUSES[(k + priority) % len(STATUSES)]
            proposer = "LPMK " + kelurahan if priority == 1 else RW[(priority + k) % 8]
            out.append(_case("USULMUS", office, proposer, status, fields, start + dt.timedelta(days=3 * priority + k),
                             serial=priority))
    return out


def reports(rng: random.Random, current: Semester) -> list[Case]:
    out: list[Case] = []
    prev = current.previous
    for i, (npsn, name, level, address) in enumerate(SCHOOLS):
        students = rng.randint(180, 420) if level == "SD" else rng.randint(450, 960)
        base = {"npsn": npsn, "jenjang": level, "status_sekolah": "swasta" if "Negeri" not in name else "negeri",
                "alamat_sekolah": address, "kepala_sekolah": "Kepala " + name}
        semesters = [(prev, "issued", students)]
        if i % 7 != 3:  # three schools have not had their report accepted yet this semester
            status = "verified" if i % 7 == 5 else "issued"
            semesters.append((current, status, students + rng.randint(-25, 30)))
        for n, (sem, status, pupils) in enumerate(semesters):
            fields = dict(base, semester="ganjil" if sem.half == 1 else "genap",
                          tahun_ajaran=f"{sem.year}/{sem.year + 1}", jumlah_siswa=str(pupils),
                          jumlah_rombel=str(max(1, pupils // 30)),
                          jumlah_guru=str(max(6, pupils // 22 + rng.randint(-2, 2))),
                          jumlah_tendik=str(rng.randint(2, 9)), siswa_putus_sekolah=str(rng.choice((0, 0, 0, 1, 2))))
            at = clock.now() - dt.timedelta(days=(1 - n) * 170 + 20 - i)
            out.append(_case("LAPSEK", "35.73.OPD.DISDIK", name, status, fields, at, serial=2 * i + n + 1))
    return out


def seed(ws: Workspace, seed_value: int = 16) -> int:
    """Write the demo rekap data; returns how many cases were added."""
    rng = random.Random(seed_value)
    today = clock.today()
    year = today.year + 1
    current = Semester(today.year, 1) if today.month >= 7 else Semester(today.year - 1, 2)
    rows = proposals(rng, year) + reports(rng, current)
    with ws.db.write() as s:
        s.add_all(rows)
        for office, amount in CEILINGS.items():
            musrenbang.set_ceiling(s, year, office, amount)
    return len(rows)
