"""The rekaps over the whole city on the server, for the offices that receive them (Bappeda, the kecamatan,
Dinas Pendidikan): the same computation as the laptop's (``app.reports``), over exactly the cases the
visibility rule lets the asking device read — a camat gets his kecamatan's proposals, Dinas Pendidikan its
school reports, IT's admin nothing. Ceilings are set on the kecamatan's laptops and are not on the server."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, select

from app.domain.lifecycle import CaseStatus
from app.domain.offices import OfficeLevel
from app.reports import musrenbang, sekolah
from app.reports.common import CaseRow
from app.reports.sekolah import Semester
from sync.protocol import Errno
from sync.server import storage as t
from sync.server import visibility
from sync.server.core import ApiError, Server

MIN_YEAR, MAX_YEAR = 2024, 2100


def _rows(conn: Connection, ctx: Any, service: str) -> Iterator[CaseRow]:
    c = t.cases.c
    query = select(c.id, c.reg_no, c.office, c.name, c.status, c.updated_at, c.fields).where(
        c.service == service, c.status != CaseStatus.DRAFT.value, visibility.readable(ctx))
    for row in conn.execute(query):
        try:
            fields = json.loads(row.fields or "{}")
        except ValueError:
            fields = {}
        yield CaseRow(row.id, row.reg_no, row.office, row.name, row.status, row.updated_at or "",
                      fields if isinstance(fields, dict) else {})


def musrenbang_rekap(server: Server, ctx: Any, year: int, kecamatan: str | None) -> dict[str, Any]:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ApiError(Errno.BAD_REQUEST, "year out of range")
    if kecamatan is not None:
        office = server.offices.get(kecamatan)
        if office is None or office.level is not OfficeLevel.KECAMATAN:
            raise ApiError(Errno.BAD_REQUEST, "unknown kecamatan")
    spec = server.catalog.get(musrenbang.SERVICE).field("bidang")
    labels = {ch.key: ch.label for ch in spec.choices} if spec else {}
    with server.engine.connect() as conn:
        rekap = musrenbang.from_rows(list(_rows(conn, ctx, musrenbang.SERVICE)), server.offices, year, kecamatan,
                                     labels, {})
    body = dataclasses.asdict(rekap)
    body.update(total_count=rekap.total_count, total_cost=rekap.total_cost, over_count=rekap.over_count)
    return body


def sekolah_rekap(server: Server, ctx: Any, semester: str) -> dict[str, Any]:
    try:
        which = Semester.parse(semester[:20])
    except ValueError:
        raise ApiError(Errno.BAD_REQUEST, "semester must be YYYY-1 or YYYY-2") from None
    with server.engine.connect() as conn:
        rekap = sekolah.from_rows(list(_rows(conn, ctx, sekolah.SERVICE)), server.offices, which)
    body = dataclasses.asdict(rekap)
    body["semester"] = {"code": which.code, "label": which.label}
    body["change"] = dataclasses.asdict(rekap.change)
    return body
