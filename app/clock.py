"""Wall-clock time, for display and records only: no ordering decision in Loket depends on it."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now_iso() -> str:
    return now().isoformat(timespec="microseconds").replace("+00:00", "Z")


def today() -> dt.date:
    """Today in Malang (WIB): due dates and "overdue" follow the office's day, not the machine's zone."""
    from app import timefmt

    return timefmt.today(now())
