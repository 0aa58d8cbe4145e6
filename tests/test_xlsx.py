"""The XLSX writer keeps text that looks like a formula as text (read back with openpyxl and as raw XML)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from app.reports.xlsx import MAX_CELL, Sheet, safe_cell, write_xlsx

HOSTILE = ['=HYPERLINK("http://evil.example/x","Klik")', "+62 812 3456", "-1+2", "@SUM(A1:A9)", "\t=1+1",
           "=cmd|' /C calc'!A0"]


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    write_xlsx(out, [Sheet("Masuk: 1/12 [x]", ["No.", "=Nama"], [[i, text] for i, text in enumerate(HOSTILE)]
                           + [[99, dt.date(2026, 12, 2)], [100, None], [101, "x" * (MAX_CELL + 10)]])])
    book = load_workbook(out)
    sheet = book.active
    assert sheet.title == "Masuk  1 12  x "
    assert sheet["B1"].value == "=Nama" and sheet["B1"].data_type == "s"
    values = [(row[0].value, row[1].value, row[1].data_type) for row in sheet.iter_rows(min_row=2)]
    assert [v[1] for v in values[:len(HOSTILE)]] == HOSTILE
    assert all(kind == "s" for _n, _v, kind in values[:len(HOSTILE)])
    assert values[-3][1].date() == dt.date(2026, 12, 2) and values[-2][1] is None
    assert len(values[-1][1]) == MAX_CELL
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml
    assert sheet["B2"].quotePrefix


def test_safe_cell_passes_numbers_and_dates_and_marks_formula_text() -> None:
    assert safe_cell(3) == 3 and safe_cell(None) is None and safe_cell(dt.date(2026, 1, 2)) == dt.date(2026, 1, 2)
    assert safe_cell("Ani") == "Ani" and safe_cell("=1") == "=1"
    assert type(safe_cell("=1")) is not str  # marked, so write_xlsx writes it as a string cell
