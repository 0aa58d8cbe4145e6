"""Numbers for the desktop dashboard: one read transaction, plain values (safe to hand to the GUI thread)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app import clock
from app.domain.lifecycle import CaseStatus
from app.services.workspace import Workspace
from app.storage import repo


@dataclass(frozen=True)
class DashboardData:
    per_status: list[tuple[str, int]]  # (status label, count), lifecycle order
    per_service: list[tuple[str, int]]  # (service code, count), largest first
    overdue_per_office: list[tuple[str, int]]  # (office display name, count), largest first
    per_week: list[tuple[str, int]]  # ("2026-W47", events), oldest first, empty weeks included
    pending_signatures: int
    total: int


def iso_week(day: dt.date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def snapshot(ws: Workspace, weeks: int = 8, today: dt.date | None = None) -> DashboardData:
    today = today or clock.today()
    start = today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks - 1)
    with ws.db.read() as s:
        statuses = repo.status_counts(s)
        services = repo.cases_per_service(s)
        overdue = repo.overdue_per_office(s, today.isoformat())
        days = repo.activity_per_day(s, start.isoformat())
    per_week = {iso_week(start + dt.timedelta(weeks=i)): 0 for i in range(weeks)}
    for day, n in days.items():
        try:
            key = iso_week(dt.date.fromisoformat(day))
        except ValueError:
            continue
        if key in per_week:
            per_week[key] += n

    def office_name(code: str) -> str:
        office = ws.offices.get(code)
        return office.display_name if office else code

    return DashboardData(
        per_status=[(st.label, statuses.get(st.value, 0)) for st in CaseStatus],
        per_service=sorted(services.items(), key=lambda kv: (-kv[1], kv[0])),
        overdue_per_office=sorted(((office_name(o), n) for o, n in overdue.items()),
                                  key=lambda kv: (-kv[1], kv[0])),
        per_week=list(per_week.items()),
        pending_signatures=statuses.get(CaseStatus.VERIFIED.value, 0),
        total=sum(statuses.values()),
    )
