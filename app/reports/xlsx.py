"""A small, formula-safe XLSX writer (openpyxl) for registers and recaps.

A cell whose text starts with ``=``, ``+``, ``-`` or ``@`` (or a tab/return a spreadsheet strips first) could
be read as a formula: a citizen's name such as ``=HYPERLINK(...)`` must stay text. :func:`safe_cell` marks such
text; :func:`write_xlsx` writes it as a string cell (never ``<f>``) with the "quote prefix" style, so a
spreadsheet keeps it text even when someone edits the cell. The value itself is unchanged. Numbers, dates and
None pass through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")
MAX_CELL = 32_767  # Excel's limit for one cell's text
MAX_TITLE = 31  # Excel's limit for a sheet's title
_BAD_TITLE = str.maketrans({c: " " for c in "[]:*?/\\"})


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


class _Text(str):
    """Text that must be written as a string cell even though it looks like a formula."""


def safe_cell(value: Any) -> Any:
    """``value`` as it may go into a cell: numbers, dates, booleans and None as they are; anything else as text
    (cut to Excel's limit), marked so that text starting like a formula is written as text."""
    if value is None or isinstance(value, bool | int | float | dt.date | dt.datetime):
        return value
    text = str(value)[:MAX_CELL]
    return _Text(text) if text.startswith(FORMULA_STARTS) else text


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    """Write ``sheets`` to ``path`` (atomically): bold headers, frozen header row, columns sized to content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from app.fileio import write_atomic

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets or [Sheet("Sheet1", [], [])]:
        ws = book.create_sheet(sheet.title.translate(_BAD_TITLE)[:MAX_TITLE] or "Sheet")
        widths = [len(str(h)) for h in sheet.headers]
        for col, header in enumerate(sheet.headers, start=1):
            cell = ws.cell(row=1, column=col)
            _put(cell, safe_cell(header))
            cell.font = Font(bold=True)
        for r, row in enumerate(sheet.rows, start=2):
            for col, value in enumerate(row, start=1):
                shown = safe_cell(value)
                _put(ws.cell(row=r, column=col), shown)
                while len(widths) < col:
                    widths.append(0)
                widths[col - 1] = max(widths[col - 1], min(len(str(shown or "")), 60))
        for col, width in enumerate(widths, start=1):
            ws.column_dimensions[_letter(col)].width = width + 2
        ws.freeze_panes = "A2"
    import io

    buf = io.BytesIO()
    book.save(buf)
    write_atomic(path, buf.getvalue(), mode=0o600)


def _put(cell: Any, value: Any) -> None:
    cell.value = value
    if isinstance(value, _Text):
        cell.data_type = "s"  # openpyxl made it "f" (formula) because of the leading "="
        cell.quotePrefix = True


def _letter(col: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(col))
