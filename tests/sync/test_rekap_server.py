"""The server's city-wide rekaps answer only over the cases the asking device may read: the camat gets his
kecamatan's proposals (signed at his office), Dinas Pendidikan its school reports, a kelurahan only its own."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sync.protocol import API
from sync.server import storage as t
from sync.server.app import create_app
from sync.server.core import Server
from sync.server.storage import make_engine


def _case(conn, service: str, office: str, signer: str, name: str, status: str, fields: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    conn.execute(t.cases.insert().values(
        id=str(uuid.uuid4()), service=service, office=office, signer_office=signer, name=name,
        fields=json.dumps(fields), field_versions="{}", status=status, version=1, created_at="2026-11-01",
        updated_at="2026-11-01", created_by="x", device="d", due_date="2026-12-01", deleted=False, feed_seq=1))


def _usulan(year: str, priority: str, cost: str) -> dict[str, str]:
    return {"tahun_anggaran": year, "bidang": "ekonomi", "prioritas": priority, "estimasi_biaya": cost}


def _lapsek(npsn: str, semester: str, year: str, students: str) -> dict[str, str]:
    return {"npsn": npsn, "jenjang": "SD", "semester": semester, "tahun_ajaran": year, "jumlah_siswa": students,
            "alamat_sekolah": "Kec. Sukun"}


@pytest.fixture
def api(tmp_path: Path) -> tuple[TestClient, Server]:
    srv = Server.open(make_engine(f"sqlite:///{tmp_path / 'server.db'}"))
    srv.init()
    with srv.engine.begin() as conn:
        _case(conn, "USULMUS", "35.73.02.1001", "35.73.02", "RW 01", "verified", _usulan("2027", "2", "50000000"))
        _case(conn, "USULMUS", "35.73.02.1008", "35.73.02", "RW 02", "approved", _usulan("2027", "1", "80000000"))
        _case(conn, "USULMUS", "35.73.01.1001", "35.73.01", "RW 03", "approved", _usulan("2027", "1", "10000000"))
        _case(conn, "LAPSEK", "35.73.OPD.DISDIK", "35.73.OPD.DISDIK", "SDN 1", "issued",
              _lapsek("20500001", "genap", "2025/2026", "300"))
        _case(conn, "LAPSEK", "35.73.OPD.DISDIK", "35.73.OPD.DISDIK", "SDN 1", "issued",
              _lapsek("20500001", "ganjil", "2026/2027", "320"))
        _case(conn, "LAPSEK", "35.73.OPD.DISDIK", "35.73.OPD.DISDIK", "SDN 2", "issued",
              _lapsek("20500002", "genap", "2025/2026", "200"))
    return TestClient(create_app(srv)), srv


def _token(srv: Server, username: str, role: str, office: str) -> dict[str, str]:
    code = srv.add_user(username, username, role, office)
    return {"Authorization": "Bearer " + srv.enroll(code, username)["token"]}


def test_rekaps_follow_the_visibility_rule(api: tuple[TestClient, Server]) -> None:
    client, srv = api
    camat = _token(srv, "camat", "penandatangan", "35.73.02")
    answer = client.get(f"{API}/rekap/musrenbang", params={"year": 2027}, headers=camat)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [p["proposer"] for p in body["proposals"]] == ["RW 02", "RW 01"]  # not Blimbing's
    assert body["total_cost"] == 130_000_000 and body["per_bidang"][0]["label"] == "Ekonomi"
    lurah = _token(srv, "lurahx", "penandatangan", "35.73.02.1001")
    own = client.get(f"{API}/rekap/musrenbang", params={"year": 2027, "kecamatan": "35.73.02"}, headers=lurah)
    assert [p["proposer"] for p in own.json()["proposals"]] == ["RW 01"]
    assert client.get(f"{API}/rekap/sekolah", params={"semester": "2026-1"}, headers=lurah).json()["reports"] == []
    kadis = _token(srv, "kadis", "penandatangan", "35.73.OPD.DISDIK")
    sek = client.get(f"{API}/rekap/sekolah", params={"semester": "2026-1"}, headers=kadis).json()
    assert [r["npsn"] for r in sek["reports"]] == ["20500001"] and [m["npsn"] for m in sek["missing"]] == ["20500002"]
    assert sek["change"]["students"] == 20 and sek["per_kecamatan"][0]["key"] == "Sukun"
    assert client.get(f"{API}/rekap/sekolah", params={"semester": "2026-1"}).status_code == 401
    assert client.get(f"{API}/rekap/sekolah", params={"semester": "2026-9"}, headers=kadis).status_code == 400
    assert client.get(f"{API}/rekap/musrenbang", params={"year": 2027, "kecamatan": "x" * 41},
                      headers=camat).status_code == 422
