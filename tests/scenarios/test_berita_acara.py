"""The kecamatan's musrenbang closes with a signed berita acara: the kecamatan's staff make it from the rekap on
their laptop while the city server is down, the secretary initials it, the Camat signs it with his PIN like any
letter; after the sync it verifies with pyHanko (``loket-cli verify``) and with poppler's ``pdfsig``, the public
page knows it, and its table is the rekap's accepted proposals."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest
import requests

from app.letters.berita_acara import rupiah
from app.reports import berita_acara
from app.reports.common import UNNUMBERED
from app.services import rekaps
from app.services.workspace import Workspace
from scenarios.office import PIN, enrol
from support.server import Laptop, ServerProcess
from ui import demo_rekap

KLOJEN = "35.73.02"


def _accepted_in_store(profile: Path) -> list[berita_acara.Row]:
    ws = Workspace(profile)
    try:
        return berita_acara.accepted(rekaps.musrenbang_rekap(ws, 2027, KLOJEN))
    finally:
        ws.close()


def _seed_proposals(profile: Path) -> str:
    """The year's proposals of four kelurahan, as the kecamatan's laptop holds them after pulling them (some
    approved by the Camat, others still on the way or rejected; one approved that came without its
    registration number). Returns that one's id."""
    ws = Workspace(profile)
    try:
        rows = demo_rekap.proposals(random.Random(27), 2027)
        unnumbered = next(c for c in rows if c.status == "approved")
        unnumbered.reg_no = None
        with ws.db.write() as s:
            s.add_all(rows)
        return unnumbered.id
    finally:
        ws.close()


def _nss_trusting(ca_pem: str, folder: Path) -> str:
    folder.mkdir()
    (folder / "ca.pem").write_text(ca_pem, encoding="ascii")
    db = f"sql:{folder}"
    subprocess.run(["certutil", "-N", "-d", db, "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", db, "-n", "loket-root", "-t", "CT,C,C", "-a", "-i",
                    str(folder / "ca.pem")], check=True, capture_output=True)
    return db


@pytest.mark.timeout(300)
def test_berita_acara_signed_offline_verifies_after_sync(server: ServerProcess, tmp_path: Path,
                                                         keyring_env: dict[str, str]) -> None:
    kecamatan = Laptop(tmp_path / "kecamatan", keyring_env)  # loket-cli's main() in this process: same code path
    enrol(kecamatan, server, "dewi")
    enrol(kecamatan, server, "sekcam")
    enrol(kecamatan, server, "camat", signer=True)
    unnumbered = _seed_proposals(kecamatan.profile)
    expected = _accepted_in_store(kecamatan.profile)
    assert 3 <= len(expected) < 20

    server.stop()  # the city server is down for the whole musrenbang day
    made = kecamatan.ok("--user", "dewi", "rekap", "berita-acara", "--year", "2027")
    assert made["status"] == "submitted" and made["proposals"] == len(expected), made
    assert made["total_cost"] == sum(r.cost for r in expected)
    again = kecamatan.run("--user", "dewi", "rekap", "berita-acara", "--year", "2027")
    assert again.returncode != 0 and made["reg_no"] in again.stderr  # one berita acara a year
    kecamatan.ok("--user", "sekcam", "case", "verify", made["id"])
    queue = kecamatan.ok("--user", "camat", "case", "list", "--queue", "sign")
    assert [row["id"] for row in queue] == [made["id"]]
    [signed] = kecamatan.ok("--user", "camat", "case", "approve", made["id"], "--pin-stdin", stdin=PIN + "\n")
    assert signed["status"] == "approved" and signed["letter_number"].startswith("900.1.1.1/"), signed
    assert "/35.73.02/" in signed["letter_number"]  # numbered from the kecamatan's own lease

    offline = tmp_path / "offline.pdf"
    kecamatan.ok("letter", "export", made["id"], "--out", str(offline))
    assert kecamatan.ok("verify", str(offline))["valid"] is True

    server.start()
    report = kecamatan.ok("sync")
    assert report["rejected"] == 0 and report["pending"] == 0, report

    letter = tmp_path / "berita-acara.pdf"
    kecamatan.ok("letter", "export", made["id"], "--out", str(letter))
    verdict = kecamatan.ok("verify", str(letter))  # pyHanko, against the city CA
    assert verdict["valid"] is True and verdict["letter_number"] == signed["letter_number"], verdict
    token = server.token("camat", "checker")
    ca = requests.get(f"{server.url}/api/v1/ca", headers={"Authorization": f"Bearer {token}"}, timeout=10).json()
    nss = _nss_trusting(ca["ca_pem"], tmp_path / "nss")
    checked = subprocess.run(["pdfsig", "-nssdir", nss, str(letter)], capture_output=True, text=True, timeout=60)
    assert "Signature is Valid." in checked.stdout and "Certificate is Trusted." in checked.stdout, checked.stdout

    page = requests.get(f"{server.url}/verify/{made['id']}", timeout=10)
    assert page.status_code == 200 and signed["letter_number"] in page.text and "Taufik Hidayat" in page.text

    # The signed table is the rekap's accepted proposals, in its order, with their total.
    text = " ".join(subprocess.run(["pdftotext", "-layout", str(letter), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "BERITA ACARA MUSYAWARAH PERENCANAAN PEMBANGUNAN" in text and signed["letter_number"] in text
    positions = [text.index(r.reg_no) for r in expected]
    assert positions == sorted(positions)
    assert f"{len(expected)} usulan" in text and rupiah(sum(r.cost for r in expected)) in text
    for kelurahan in berita_acara.per_kelurahan(expected):
        assert rupiah(kelurahan.cost) in text
    assert "Taufik Hidayat, S.STP." in text and "Camat Klojen" in text
    # each proposal is referred to by its registration number; one without says so, never by a case id
    assert text.count(UNNUMBERED) == 1 and unnumbered[:8] not in text
    if os.environ.get("LOKET_SCREENSHOTS"):
        shots = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "2", str(letter),
                        str(shots / "berita-acara-page")], check=True)
        for n in (1, 2):
            (shots / f"berita-acara-page-{n}.png").replace(shots / f"berita-acara-page{n}.png")
