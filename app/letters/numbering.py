"""Letter numbers: the per-office format, and taking the next number from this device's leased blocks.

A device only ever uses numbers inside blocks the server leased to it (per office, classification and
year), so two offline laptops can never issue the same number. A number whose letter the server refused
is recorded as a gap, never reused.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.offices import directory
from app.domain.registration import LOW_WATER as LOW_WATER  # doctor warns, sync asks for a new block
from app.errors import UserFacingError
from app.i18n import register
from app.paths import resources_dir
from app.storage.models import LetterGap, NumberLease

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")

register({
    "numbers.exhausted": {
        "id": "Nomor surat untuk klasifikasi {classification} tahun {year} habis di perangkat ini. "
              "Sambungkan ke server dan sinkronkan untuk mendapat blok nomor baru.",
        "en": "No letter numbers left on this device for classification {classification}, year {year}. "
              "Connect and sync to get a new block of numbers.",
    },
})


@cache
def _formats(path: Path | None = None) -> dict[str, str]:
    data = tomllib.loads((path or resources_dir() / "numbering.toml").read_text(encoding="utf-8"))
    out = {"default": str(data.get("default", {}).get("format", "{classification}/{serial}/{office_code}/{year}"))}
    for code, entry in data.get("offices", {}).items():
        out[code] = str(entry["format"])
    return out


def format_number(office: str, classification: str, serial: int, when: dt.date) -> str:
    fmt = _formats().get(office) or _formats()["default"]
    found = directory().get(office)
    return fmt.format(classification=classification, serial=serial, office_code=office,
                      office_short=found.name if found else office, month_roman=ROMAN[when.month - 1],
                      month=when.month, year=when.year)


def take_next(session: Session, office: str, classification: str, year: int, username: str | None = None) -> int:
    """The next unused serial from this device's leases (``username``'s own, on a shared laptop: the server
    leased them to that person's device); raises when none is left. Caller's transaction."""
    mine = [NumberLease.username == username] if username else []
    lease = session.scalars(
        select(NumberLease).where(NumberLease.office == office, NumberLease.classification == classification,
                                  NumberLease.year == year, NumberLease.next <= NumberLease.last, *mine)
        .order_by(NumberLease.first).limit(1)).first()
    if lease is None:
        raise UserFacingError("numbers.exhausted", classification=classification, year=year)
    serial = lease.next
    lease.next += 1
    return serial


def remaining(session: Session, office: str, classification: str, year: int, username: str | None = None) -> int:
    mine = [NumberLease.username == username] if username else []
    leases = session.scalars(select(NumberLease).where(NumberLease.office == office,
                                                       NumberLease.classification == classification,
                                                       NumberLease.year == year, *mine))
    return sum(max(0, lease.last - lease.next + 1) for lease in leases)


def all_remaining(session: Session, year: int) -> dict[tuple[str, str], int]:
    out: dict[tuple[str, str], int] = {}
    for lease in session.scalars(select(NumberLease).where(NumberLease.year == year)):
        key = (lease.office, lease.classification)
        out[key] = out.get(key, 0) + max(0, lease.last - lease.next + 1)
    return out


def record_gap(session: Session, number: str, case_id: str | None, reason: str, at: str) -> None:
    if session.get(LetterGap, number) is None:
        session.add(LetterGap(number=number, case_id=case_id, reason=reason, at=at))
