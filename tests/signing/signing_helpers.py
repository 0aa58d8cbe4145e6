"""Helpers shared by the signing tests (imported by name: tests/signing is on sys.path under pytest)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from app.domain.catalog import default_catalog
from app.letters.render import LetterData, LetterOffice, Signer
from app.signing.certificates import SignerIdentity
from app.signing.keystore import KdfParams
from support.memory_keyring import MemoryKeyring as DictKeyring  # noqa: F401 - the tests' name for it

FAST_KDF = KdfParams(n=2**12, r=8, p=1)  # the real cost (2**17) is exercised once, in its own test

VERIFY_URL = "https://loket.malangkota.go.id/v/7Q3K-9XW2-PL4M"
CRL_URL = "http://127.0.0.1:8765/ca/crl"
LETTER_NUMBER = "400.12.2.2/0015/35.73.01.1001/2026"
IDENTITY = SignerIdentity(name="Dra. SITI AMINAH, M.Si.", nip="197508172000032001", position="Lurah",
                          office="Kelurahan Balearjosari")


class FakeClock:
    def __init__(self, start: float = 1_800_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def letter_data(service_code: str = "SKD", **overrides: object) -> LetterData:
    office = LetterOffice.from_directory(
        "35.73.01.1001",
        address="Jl. Raya Balearjosari No. 1, Malang 65126 \u2022 Telp. (0341) 491234 \u2022 "
        "kel-balearjosari@malangkota.go.id")
    fields = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
              "no_kk": "3573011708900002", "alamat": "Jl. Ahmad Yani Utara Gg. III No. 12, RT 003/RW 002",
              "sejak": "2019-01-02", "keperluan": "persyaratan pembukaan rekening bank",
              "telepon": "081234567890"}
    values: dict[str, object] = dict(
        service=default_catalog().get(service_code), office=office, number=LETTER_NUMBER,
        case_name="RINA KUSUMAWATI", case_nik="3573015708900002", fields=fields,
        signer=Signer(name=IDENTITY.name, nip=IDENTITY.nip, position="Lurah", office_title="Balearjosari",
                      rank="Penata Tk. I (III/d)"),
        letter_date=dt.date(2026, 11, 27), verify_url=VERIFY_URL)
    values.update(overrides)
    return LetterData(**values)  # type: ignore[arg-type]


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (apt-get install poppler-utils libnss3-tools zbar-tools)")
    return path


def pdfsig(pdf: bytes, nss: str, tmp_path: Path) -> str:
    """pdfsig's text (it always exits 0, so callers read the text)."""
    need_tool("pdfsig")
    path = tmp_path / "check.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(["pdfsig", "-nssdir", nss, str(path)], capture_output=True, text=True, timeout=60)
    return done.stdout + done.stderr
