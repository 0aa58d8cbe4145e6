"""Bulk intake from a spreadsheet export: UTF-8 CSV with a header ``nik,name,<field keys…>``.

Good rows become draft cases even when other rows are refused; each refusal names the row (as the
spreadsheet numbers it: the header is row 1), the field and what is wrong.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import FieldProblem, UserFacingError
from app.i18n import tr
from app.services import cases
from app.services.workspace import Actor, Workspace


@dataclass
class ImportReport:
    imported: int = 0
    ids: list[str] = field(default_factory=list)
    rejected: list[dict[str, object]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"imported": self.imported, "rejected": self.rejected}


def read_csv(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise UserFacingError("file.unreadable", path=path, reason=err.strerror or str(err)) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UserFacingError("csv.encoding", pos=err.start) from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    # Number records, not lines: a quoted cell may hold line breaks, and a spreadsheet shows such a record as
    # one row. Blank lines are records too (empty rows), so the numbers stay those the person sees.
    rows = [(number, row) for number, row in enumerate(reader, start=1) if any(cell.strip() for cell in row)]
    if not rows:
        raise UserFacingError("csv.header", found="-")
    header = [h.strip().lower() for h in rows[0][1]]
    if header[:2] != ["nik", "name"]:
        raise UserFacingError("csv.header", found=", ".join(header[:4]))
    return header, rows[1:]


def import_file(ws: Workspace, actor: Actor, path: Path, service_code: str) -> ImportReport:
    header, rows = read_csv(path)
    service = ws.catalog.get(service_code)
    report = ImportReport()
    unknown = [key for key in header[2:] if service.field(key) is None]
    for key in unknown:
        report.rejected.append({"row": 1, "field": key,
                                "message": tr("field.unknown", key=key, service=service.code)})
    keys = header[2:]
    good_rows: list[tuple[str | None, str, dict[str, str]]] = []
    line_of: list[int] = []
    for line, cells in rows:
        if len(cells) != len(header):
            report.rejected.append({"row": line, "field": "-",
                                    "message": tr("csv.columns", found=len(cells), expected=len(header))})
            continue
        fields = {k: v for k, v in zip(keys, cells[2:], strict=True) if k not in unknown and v.strip()}
        good_rows.append((cells[0], cells[1], fields))
        line_of.append(line)
    result = cases.create_many(ws, actor, service.code, good_rows)
    problems: list[tuple[int, FieldProblem]] = result.rejected
    for index, problem in problems:
        report.rejected.append({"row": line_of[index], "field": problem.field, "message": problem.message})
    report.rejected.sort(key=lambda r: (int(str(r["row"])), str(r["field"])))
    report.imported = len(result.ids)
    report.ids = result.ids
    return report
