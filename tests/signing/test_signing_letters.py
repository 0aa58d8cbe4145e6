"""Letters without Qt: layout content, embedded fonts, a QR code that scans, deterministic bytes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import subprocess
import time
from pathlib import Path

import pytest

from app.domain.catalog import FieldSpec, default_catalog
from app.letters.qr import qr_matrix
from app.letters.render import (
    Delegation,
    LetterOffice,
    RenderedLetter,
    Signer,
    format_value,
    letter_number_from_keywords,
    render_letter,
    tanggal,
    today_wib,
)
from signing_helpers import LETTER_NUMBER, VERIFY_URL, letter_data, need_tool


def _text(pdf: bytes, tmp_path: Path) -> str:
    need_tool("pdftotext")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_same_input_same_bytes(letter: RenderedLetter) -> None:
    again = render_letter(letter_data())
    assert again.pdf == letter.pdf and again.sha256 == letter.sha256
    assert render_letter(letter_data(number="400.12.2.2/0016/35.73.01.1001/2026")).sha256 != letter.sha256


def test_fonts_are_embedded(letter: RenderedLetter, tmp_path: Path) -> None:
    need_tool("pdffonts")
    path = tmp_path / "letter.pdf"
    path.write_bytes(letter.pdf)
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = out.splitlines()[2:]
    assert rows, out
    for row in rows:
        cols = row.split()
        assert cols[-5] == "yes", row  # the "emb" column
        assert "Liberation" in cols[0], row
    assert "Helvetica" not in out


def test_qr_code_scans_to_the_verify_url(letter: RenderedLetter, tmp_path: Path) -> None:
    need_tool("pdftoppm")
    need_tool("zbarimg")
    (tmp_path / "letter.pdf").write_bytes(letter.pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(tmp_path / "letter.pdf"),
                    str(tmp_path / "page")], check=True)
    out = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "page.png")], capture_output=True,
                         text=True, timeout=60)
    assert out.stdout.strip().splitlines() == [VERIFY_URL]


def test_letter_text(letter: RenderedLetter, tmp_path: Path) -> None:
    text = " ".join(_text(letter.pdf, tmp_path).split())
    for expected in ("PEMERINTAH KOTA MALANG", "KECAMATAN BLIMBING", "KELURAHAN BALEARJOSARI",
                     "SURAT KETERANGAN DOMISILI", f"Nomor: {LETTER_NUMBER}",
                     "Lurah Kelurahan Balearjosari, Kecamatan Blimbing",
                     "Tempat/tanggal lahir : Malang, 17 Agustus 1990", "Jenis kelamin : Perempuan",
                     "NIK : 3573015708900002", "berdomisili sejak 2 Januari 2019.",
                     "Malang, 27 November 2026", "Lurah Balearjosari", "Dra. SITI AMINAH, M.Si.",
                     "NIP. 197508172000032001", "ditandatangani secara elektronik", "UU No. 11 Tahun 2008",
                     "Pemerintah Kota Malang"):
        assert expected in text, expected
    assert "{" not in text and "}" not in text
    box = letter.signature_box
    assert box.page == 0 and box.x2 - box.x1 > 150 and box.y2 - box.y1 > 50


@pytest.mark.parametrize("code", sorted(default_catalog().services))
def test_every_service_renders(code: str, tmp_path: Path) -> None:
    service = default_catalog().get(code)
    fields = {f.key: (f.choices[0].key if f.choices else "2026-01-15" if f.type == "date" else
                      "1500000" if f.type in ("money", "integer", "number") else "2026" if f.type == "year"
                      else f"isi {f.key}") for f in service.fields}
    rendered = render_letter(letter_data(code, fields=fields, case_nik=None if not service.requires_nik
                                         else "3573015708900002"))
    text = " ".join(_text(rendered.pdf, tmp_path).split())
    assert service.letter.title in text  # long titles wrap; whitespace is normalised above
    assert "{" not in text, text


def test_long_letters_flow_onto_a_second_page(tmp_path: Path) -> None:
    long_address = " ".join(["Jl. Panjang Sekali No. 1, RT 001/RW 001"] * 40)
    rendered = render_letter(letter_data(fields={**letter_data().fields, "alamat": long_address}))
    assert rendered.pages >= 2
    assert rendered.signature_box.page == rendered.pages - 1


def test_delegation_lines() -> None:
    base = Signer("Budi", "1" * 18, "Lurah", "Balearjosari")
    assert base.block_lines() == ["Lurah Balearjosari"]
    an = dataclasses.replace(base, delegation=Delegation.AN, own_position="Sekretaris Kelurahan")
    assert an.block_lines() == ["a.n. Lurah Balearjosari", "Sekretaris Kelurahan"]
    assert dataclasses.replace(base, delegation=Delegation.PLH).block_lines() == ["Plh. Lurah Balearjosari"]
    assert dataclasses.replace(base, delegation=Delegation.PLT).body_position == "Plt. Lurah"


def test_delegated_letter_text(tmp_path: Path) -> None:
    signer = Signer("Ahmad Fauzi, S.STP.", "198807122010011003", "Lurah", "Balearjosari",
                    delegation=Delegation.AN, own_position="Sekretaris Kelurahan")
    text = " ".join(_text(render_letter(letter_data(signer=signer)).pdf, tmp_path).split())
    assert "a.n. Lurah Balearjosari Sekretaris Kelurahan" in text


def test_formatting() -> None:
    assert tanggal(dt.date(2026, 8, 17)) == "17 Agustus 2026"
    assert today_wib(dt.datetime(2026, 11, 27, 18, 30, tzinfo=dt.UTC)) == dt.date(2026, 11, 28)
    money = FieldSpec("biaya", "money", {"id": "Biaya"})
    assert format_value(money, "1500000") == "Rp 1.500.000"
    assert format_value(FieldSpec("n", "number", {"id": "N"}), "1234.50") == "1.234,5"
    assert format_value(FieldSpec("d", "date", {"id": "D"}), "2020-01-02") == "2 Januari 2020"
    assert format_value(FieldSpec("d", "date", {"id": "D"}), "bukan tanggal") == "bukan tanggal"
    assert format_value(None, " x ") == "x"


def test_office_letterheads() -> None:
    kelurahan = LetterOffice.from_directory("35.73.01.1001")
    assert kelurahan.letterhead() == ["PEMERINTAH KOTA MALANG", "KECAMATAN BLIMBING",
                                      "KELURAHAN BALEARJOSARI"]
    dinkes = LetterOffice.from_directory("35.73.OPD.DINKES")
    assert dinkes.letterhead() == ["PEMERINTAH KOTA MALANG", "DINAS KESEHATAN"]


def test_metadata_and_qr_matrix(letter: RenderedLetter) -> None:
    keywords = f"loket-letter-number={LETTER_NUMBER}; loket-template=x"
    assert letter_number_from_keywords(keywords) == LETTER_NUMBER
    assert letter_number_from_keywords("") is None
    matrix = qr_matrix(VERIFY_URL)
    assert len(matrix) == len(matrix[0]) >= 21


def test_render_is_fast() -> None:
    data = letter_data()
    render_letter(data)
    start = time.perf_counter()
    for _ in range(10):
        render_letter(data)
    per_letter = (time.perf_counter() - start) / 10
    assert per_letter < 0.25, per_letter  # ≈ 20 ms here; generous for slow CI machines
