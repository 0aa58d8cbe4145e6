"""Registration numbers (nomor registrasi) and access codes, given at submit, offline.

A registration number reads ``SKD-2026-KLJ08-0042``: the service code, the year (WIB), the office's short tag
and a serial. The serial comes from a block the server leased to this device for the office and year (the
pseudo-classification :data:`REG_SERIES`, the same mechanism and tables as letter numbers), so several
laptops of one office working offline never give the same number. A device that has never been given a block
by the server (a laptop that was never enrolled: the demo offline, a training laptop) counts on its own; those
numbers carry an ``L`` before the serial and the server refuses one that another device already used
(errno ``REG_NO_TAKEN``). See docs/receipts.md.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.domain.registration import (
    ACCESS_ALPHABET,
    ACCESS_LENGTH,
    ACCESS_PATTERN,
    LOCAL_LAST,
    LOCAL_LEASE,
    MAX_REG_NO,
    REG_NO_PATTERN,
    REG_SERIES,
    check_reg_no,
    format_reg_no,
    new_access_code,
    office_tag,
)
from app.errors import UserFacingError
from app.i18n import register
from app.letters.model import today_wib
from app.storage.models import NumberLease

# the rules live in the domain; callers may import them from here too
__all__ = [
    "ACCESS_ALPHABET", "ACCESS_LENGTH", "ACCESS_PATTERN", "LOCAL_LAST", "LOCAL_LEASE", "MAX_REG_NO",
    "REG_NO_PATTERN", "REG_SERIES", "check_reg_no", "format_reg_no", "new_access_code", "office_tag",
]

register({
    "regno.exhausted": {
        "id": "Nomor registrasi tahun {year} habis di perangkat ini. Sambungkan ke server dan sinkronkan untuk "
              "mendapat blok nomor baru.",
        "en": "No registration numbers left on this device for {year}. Connect and sync to get a new block.",
    },
})


def take_reg_no(session: Session, service: str, office: str) -> str:
    """The next registration number for a case of ``office`` (caller's transaction)."""
    year = today_wib().year
    leases = list(session.scalars(select(NumberLease).where(
        NumberLease.office == office, NumberLease.classification == REG_SERIES)))
    usable = sorted((lease for lease in leases if lease.year == year and lease.next <= lease.last
                     and not lease.id.startswith(LOCAL_LEASE)), key=lambda lease: lease.first)
    if usable:
        lease = usable[0]
        serial, lease.next = lease.next, lease.next + 1
        return format_reg_no(service, year, office, serial)
    if any(not lease.id.startswith(LOCAL_LEASE) for lease in leases):
        raise UserFacingError("regno.exhausted", year=year)
    own_id = f"{LOCAL_LEASE}{office}:{year}"
    own = session.get(NumberLease, own_id)
    if own is None:
        own = NumberLease(id=own_id, username="", office=office, classification=REG_SERIES, year=year, first=1,
                          last=LOCAL_LAST, next=1, created_at=clock.now_iso())
        session.add(own)
    if own.next > own.last:
        raise UserFacingError("regno.exhausted", year=year)
    serial, own.next = own.next, own.next + 1
    return format_reg_no(service, year, office, serial, local=True)


def remaining(session: Session, office: str, year: int) -> int:
    """Server-leased registration numbers left on this device for ``office`` and ``year``."""
    return sum(max(0, lease.last - lease.next + 1) for lease in session.scalars(select(NumberLease).where(
        NumberLease.office == office, NumberLease.classification == REG_SERIES, NumberLease.year == year))
        if not lease.id.startswith(LOCAL_LEASE))


