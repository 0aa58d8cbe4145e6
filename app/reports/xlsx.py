"""A formula-safe XLSX writer: every cell is a value, never a formula, whatever a citizen typed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

_MAX_CELL = 32_767  # Excel's limit on one cell's text
_MAX_TITLE = 31  # Excel's limit on a sheet name


@dataclass(frozen=True)
class Sheet:
    title: str
    headers: Sequence[str]
    rows: Sequence[Sequence[object]]


def safe_cell(value: object) -> object:
    """``value`` as it may go into a cell: numbers stay numbers, everything else becomes text cut to the cell
    limit. Text starting with ``=``, ``+``, ``-`` or ``@`` is still text: ``write_xlsx`` marks every text
    cell as a string, so no spreadsheet reads it as a formula."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)[:_MAX_CELL]


def write_xlsx(path: Path, sheets: Sequence[Sheet]) -> None:
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    used: set[str] = set()
    for sheet in sheets:
        title = _title(sheet.title, used)
        ws = book.create_sheet(title)
        ws.append([safe_cell(h) for h in sheet.headers])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in sheet.rows:
            ws.append([safe_cell(v) for v in row])
        for row_cells in ws.iter_rows():
            for cell in row_cells:
                if isinstance(cell.value, str):
                    cell.data_type = TYPE_STRING  # text, even when it starts with "="
        ws.freeze_panes = "A2"
    if not sheets:
        book.create_sheet("-")
    book.save(path)


def _title(raw: str, used: set[str]) -> str:
    title = "".join("_" if ch in "[]:*?/\\" else ch for ch in raw).strip("'") or "Sheet"
    title = title[:_MAX_TITLE]
    base, n = title, 2
    while title.lower() in used:
        suffix = f" ({n})"
        title, n = base[:_MAX_TITLE - len(suffix)] + suffix, n + 1
    used.add(title.lower())
    return title
