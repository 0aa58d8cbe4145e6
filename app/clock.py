"""Wall-clock time, for display and records only: no ordering decision in Loket depends on it."""

from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def now_iso() -> str:
    return now().isoformat(timespec="microseconds").replace("+00:00", "Z")


def today() -> dt.date:
    return dt.date.today()
