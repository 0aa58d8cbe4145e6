"""The rekaps read what triggers keep of each proposal and school report (migration 0011): the kept table says
exactly what decoding every case's fields would, for ordinary and for damaged, hostile or odd values, and it
follows every change of a case in the same transaction."""

from __future__ import annotations

import json
import random
import uuid

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.reports import musrenbang, sekolah
from app.reports.common import case_rows
from app.reports.sekolah import Semester
from app.services.workspace import Workspace
from app.storage.models import Case

KLOJEN = "35.73.02"
KELURAHAN = ["35.73.02.1001", "35.73.02.1002", "35.73.02.1003"]
ODD: list[object] = ["12.0", " 7", "", "-5", "1e3", 12, 3.5, True, None, [1], {"a": 1}, "９", "x" * 50,
                     "99999999999999999999", "007", "2027", "0", "NaN"]


def _add(s: Session, service: str, office: str, status: str, fields: str, name: str = "RW 01") -> str:
    case_id = str(uuid.uuid4())
    s.add(Case(id=case_id, service=service, office=office, nik=None, name=name, fields=fields, status=status,
               version=1, server_version=None, created_at="2026-11-01T08:00:00+07:00",
               updated_at=f"2026-11-{random.randint(1, 28):02d}T08:00:00+07:00", created_by="siti", device="t",
               due_date="2026-12-31", reg_no=None))
    return case_id


def _odd_fields(rng: random.Random, keys: dict[str, list[object]]) -> str:
    fields = {k: rng.choice(ODD if rng.random() < 0.04 else values) for k, values in keys.items()
              if rng.random() < 0.95}
    roll = rng.random()
    if roll < 0.03:
        return "{not json"
    if roll < 0.05:
        return json.dumps([fields])
    if roll < 0.07:
        return json.dumps(fields).replace("}", ', "prioritas": NaN}')
    return json.dumps(fields)


def _fill(ws: Workspace, rng: random.Random) -> None:
    statuses = ["draft", "submitted", "verified", "approved", "issued", "rejected", "withdrawn"]
    with ws.db.write() as s:
        for i in range(300):
            _add(s, "USULMUS", rng.choice(KELURAHAN), rng.choice(statuses), _odd_fields(rng, {
                "tahun_anggaran": ["2027", "2026"], "prioritas": ["0", "1", "2", "3", "15"],
                "estimasi_biaya": ["150000000", "7000000"], "penerima_manfaat": ["40"],
                "bidang": ["ekonomi", "kesehatan"], "program": ["P"], "kegiatan": ["K" * 1200], "lokasi": ["RT 1"]}),
                 name=f"RW {i}")
            _add(s, "LAPSEK", "35.73.OPD.DISDIK", rng.choice(statuses), _odd_fields(rng, {
                "npsn": [f"2050000{i % 40}", "123456789012"], "tahun_ajaran": ["2026/2027", "2025/2026"],
                "semester": ["ganjil", "genap"], "jenjang": ["SD", "SMP", "SMA"],
                "alamat_sekolah": ["Jl. Raya, Kec. Klojen", "Sukun"], "jumlah_siswa": ["300"],
                "jumlah_rombel": ["12"], "jumlah_guru": ["20"], "siswa_putus_sekolah": ["1"]}), name=f"SD {i % 40}")


def _same(ws: Workspace) -> None:
    with ws.db.read() as s:
        mine = musrenbang.compute(s, ws.offices, 2027, KLOJEN)
        decoded = musrenbang.from_rows(case_rows(s, "USULMUS"), ws.offices, 2027, KLOJEN, None,
                                       musrenbang.ceilings(s, 2027, KELURAHAN))
        for a, b in zip(mine.proposals, decoded.proposals, strict=True):
            assert a == b, (a, b)
        assert mine == decoded
        for half in (1, 2):
            semester = Semester(2026, half)
            assert sekolah.compute(s, ws.offices, semester) == sekolah.from_rows(
                case_rows(s, "LAPSEK"), ws.offices, semester)


def test_kept_fields_give_the_rekap_of_the_decoded_fields(ws: Workspace) -> None:
    _fill(ws, random.Random(16))
    with ws.db.read() as s:
        plain = {row[0]: row[1] for row in s.execute(text("SELECT plain, count(*) FROM rekap_usulan GROUP BY plain"))}
    assert plain[0] > 50 and plain[1] > 10  # both ways are exercised
    _same(ws)


def test_the_kept_fields_follow_every_change_of_a_case(ws: Workspace) -> None:
    _fill(ws, random.Random(7))
    with ws.db.write() as s:
        s.execute(text("UPDATE cases SET status = 'approved', reg_no = 'USULMUS/' || rowid, name = 'RW X' "
                       "WHERE service = 'USULMUS' AND rowid % 3 = 0"))
        s.execute(text("UPDATE cases SET fields = :f WHERE service = 'USULMUS' AND rowid % 5 = 0"),
                  {"f": json.dumps({"tahun_anggaran": "2027", "prioritas": "1", "estimasi_biaya": "5"})})
        s.execute(text("UPDATE cases SET fields = :f WHERE service = 'LAPSEK' AND rowid % 4 = 0"),
                  {"f": json.dumps({"npsn": "20500001", "tahun_ajaran": "2026/2027", "semester": "ganjil",
                                    "jumlah_siswa": "1"})})
        s.execute(text("UPDATE cases SET service = 'SKD' WHERE service = 'USULMUS' AND rowid % 7 = 0"))
        s.execute(text("DELETE FROM cases WHERE service = 'LAPSEK' AND rowid % 6 = 0"))
    _same(ws)
    with ws.db.read() as s:
        kept = s.execute(text("SELECT count(*) FROM rekap_usulan")).scalar()
        cases = s.execute(text("SELECT count(*) FROM cases WHERE service = 'USULMUS'")).scalar()
        assert kept == cases
        assert s.execute(text("SELECT count(*) FROM rekap_usulan r JOIN cases c ON c.id = r.case_id WHERE "
                              "r.status IS NOT c.status OR r.name IS NOT c.name OR r.reg_no IS NOT c.reg_no "
                              "OR r.office IS NOT c.office OR r.updated_at IS NOT c.updated_at")).scalar() == 0


def test_ceilings_are_typed_meta_values(ws: Workspace) -> None:
    from app.storage import meta
    from app.storage.models import Meta

    with ws.db.write() as s:
        meta.set_ceiling(s, 2027, KELURAHAN[0], 450_000_000)
        meta.set_ceiling(s, 2027, KELURAHAN[1], 1)
        meta.set_ceiling(s, 2027, KELURAHAN[1], None)
        meta.set_ceiling(s, 2026, KELURAHAN[2], 5)
        s.add(Meta(key=f"rekap.pagu.2027.{KELURAHAN[2]}", value="12e3"))  # damaged: no ceiling, not a wrong one
    with ws.db.read() as s:
        assert meta.ceilings(s, 2027, KELURAHAN) == {KELURAHAN[0]: 450_000_000}
        assert meta.ceilings(s, 2026, KELURAHAN) == {KELURAHAN[2]: 5}
