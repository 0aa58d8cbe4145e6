"""Bulk intake from a spreadsheet export: UTF-8 CSV with a header ``nik,name,<field keys…>``.

Good rows become draft cases even when other rows are refused; each refusal names the row (as the
spreadsheet numbers it: the header is row 1), the field and what is wrong.

The bulk path's speed lives here, not in the case service: field verdicts memoised per import, ids made in
one batch, due date and audit detail computed once, rows written by ``changes.record_created`` in chunks.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import clock
from app.domain import intake as intake_rules
from app.domain import lifecycle
from app.domain.lifecycle import Action
from app.errors import FieldProblem, UserFacingError
from app.events import Changes
from app.i18n import tr
from app.services import cases
from app.services.changes import record_created
from app.services.workspace import Actor, Workspace

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass
class BulkResult:
    ids: list[str]
    rejected: list[tuple[int, FieldProblem]]


def new_ids(count: int) -> list[str]:
    """``count`` random (version 4) UUIDs as text, as ``str(uuid.uuid4())`` gives them, made in one batch:
    a bulk import needs two per row and ``uuid.uuid4()`` costs several microseconds each."""
    raw = os.urandom(16 * count).hex()
    ids = []
    for i in range(0, 32 * count, 32):
        h = raw[i:i + 32]
        variant = "89ab"[int(h[16], 16) & 3]
        ids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}")
    return ids


def create_many(ws: Workspace, actor: Actor, service_code: str,
                rows: Sequence[tuple[str | None, str, Mapping[str, str]]], *,
                chunk: int = 25_000) -> BulkResult:
    """Register many draft cases (CSV import). Each row is validated on its own: good rows are kept,
    refused rows are returned with their problems. Rows are written in chunks, each chunk one transaction.

    Validating and writing overlap: while one chunk is written (SQLite works without Python's lock), the next
    is validated; the writes stay in order, one at a time, on one connection (``Database.write_batches``)."""
    lifecycle.check(None, Action.CREATE, actor.role)
    service = ws.catalog.get(service_code)
    cases.check_service_office(ws, actor, service)
    result = BulkResult([], [])
    at = clock.now_iso()
    today = clock.today()
    due = cases.due_date(today, service.sla_days).isoformat()
    specs = {f.key: f for f in service.fields}
    memo: intake_rules.FieldMemo = {}

    def checked(start: int) -> list[tuple[Any, ...]]:
        intakes: list[intake_rules.Intake] = []
        for index in range(start, min(start + chunk, len(rows))):
            nik, name, fields = rows[index]
            intake, problems = intake_rules.check_intake(service, nik, name, fields, complete=False, specs=specs,
                                                         memo=memo, today=today)
            if problems:
                result.rejected.extend((index, p) for p in problems)
            else:
                intakes.append(intake)
        ids = new_ids(len(intakes))
        return [cases.new_case_row(actor, service, intake, at, due, case_id)
                for intake, case_id in zip(intakes, ids, strict=True)]

    def write(batch: Callable[[], AbstractContextManager[Session]], part: list[tuple[Any, ...]]) -> None:
        if part:
            with batch() as s:
                record_created(s, actor, part, at, new_ids(len(part)))

    with ws.db.write_batches() as batch, ThreadPoolExecutor(1, thread_name_prefix="import-write") as writer:
        written: Future[None] | None = None
        for start in range(0, len(rows), chunk):
            part = checked(start)
            if written is not None:
                written.result()
            written = writer.submit(write, batch, part)
            result.ids.extend(str(r[0]) for r in part)
        if written is not None:
            written.result()
    if result.ids:
        ws.events.publish("changes", Changes(cases=frozenset(result.ids), outbox=True))
    return result


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
    result = create_many(ws, actor, service.code, good_rows)
    problems: list[tuple[int, FieldProblem]] = result.rejected
    for index, problem in problems:
        report.rejected.append({"row": line_of[index], "field": problem.field, "message": problem.message})
    report.rejected.sort(key=lambda r: (int(str(r["row"])), str(r["field"])))
    report.imported = len(result.ids)
    report.ids = result.ids
    return report
