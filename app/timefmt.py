"""One clock for people: every time a person reads — on a letter, in the case list, the case detail and its
history, the public verification page, the CLI's text — is Kota Malang's civil time, WIB (Asia/Jakarta),
written the Indonesian way (``2 Desember 2026, 14.05 WIB``) or, in English, ``2 December 2026, 14:05 WIB``.

Machines keep ISO 8601 with its offset (records, JSON output); only what people read goes through here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app import i18n

BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September", "Oktober",
         "November", "Desember")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _zone() -> dt.tzinfo:
    """Asia/Jakarta from the system's zone database, or from the ``tzdata`` package (Windows has no system
    database); Indonesia has kept UTC+7 without daylight saving since 1964, so a fixed offset is the same."""
    try:
        return ZoneInfo("Asia/Jakarta")
    except (ZoneInfoNotFoundError, ValueError):
        return dt.timezone(dt.timedelta(hours=7), "WIB")


WIB = _zone()
ZONE_LABEL = "WIB"


def parse(value: Any) -> dt.datetime | None:
    """An ISO string or datetime as an aware datetime (UTC assumed when naive); ``None`` for anything else."""
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, str) and value.strip():
        try:
            moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def to_wib(value: Any) -> dt.datetime | None:
    moment = parse(value)
    return moment.astimezone(WIB) if moment is not None else None


def today(now: dt.datetime | None = None) -> dt.date:
    """The date in Malang, whatever the machine's time zone."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(WIB).date()


def _lang(lang: str | None) -> str:
    return lang if lang in i18n.LANGUAGES else i18n.language()


def date_long(value: dt.date | dt.datetime | str | None, lang: str | None = None) -> str:
    """``2 Desember 2026`` / ``2 December 2026``; a moment is first taken to WIB (its day in Malang)."""
    day = wib_date(value)
    if day is None:
        return str(value or "-")
    names = BULAN if _lang(lang) == "id" else MONTHS
    return f"{day.day} {names[day.month - 1]} {day.year}"


def wib_date(value: Any) -> dt.date | None:
    """The day in Malang of a moment (ISO string or datetime); a plain date is its own day; ``None`` if none."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            return None
    local = to_wib(value)
    return local.date() if local is not None else None


def date_short(value: Any) -> str:
    """For tables and forms: ``02/12/2026`` (the day in WIB; the date part of :func:`moment_short`, and the
    way people type a date, hh/bb/tttt); ``""`` for no date, the value itself when it is not one."""
    day = wib_date(value)
    if day is None:
        return "" if not value else str(value)
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def clock(value: Any, lang: str | None = None) -> str:
    """``14.05 WIB`` / ``14:05 WIB``."""
    local = to_wib(value)
    if local is None:
        return "-"
    sep = "." if _lang(lang) == "id" else ":"
    return f"{local.hour:02d}{sep}{local.minute:02d} {ZONE_LABEL}"


def moment_long(value: Any, lang: str | None = None) -> str:
    """``2 Desember 2026, 14.05 WIB`` / ``2 December 2026, 14:05 WIB``; ``-`` for no time."""
    local = to_wib(value)
    if local is None:
        return "-" if not value else str(value)
    return f"{date_long(local.date(), lang)}, {clock(local, lang)}"


def moment_short(value: Any, lang: str | None = None) -> str:
    """For tables: ``02/12/2026 14.05`` (WIB); the column header says WIB."""
    local = to_wib(value)
    if local is None:
        return "" if not value else str(value)
    sep = "." if _lang(lang) == "id" else ":"
    return f"{date_short(local)} {local.hour:02d}{sep}{local.minute:02d}"


def iso(value: Any) -> str | None:
    """ISO 8601 with its offset, for JSON: the moment as recorded (UTC), never a bare local time."""
    moment = parse(value)
    return moment.isoformat() if moment is not None else None
