"""Registration numbers (nomor registrasi) and access codes: their form, the offices' short tags, and the
check both the laptop and the server apply. Giving numbers out (leased blocks) is app.services.registration.
"""

from __future__ import annotations

import re
import secrets
from functools import cache

from app.domain.offices import Office, OfficeLevel, directory

REG_SERIES = "REG"  # the leases' classification for registration numbers
LOCAL_LEASE = "local:"  # id prefix of a never-enrolled device's own series
LOCAL_LAST = 999_999
ACCESS_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed without doubt
ACCESS_LENGTH = 10
MAX_REG_NO = 40
LOW_WATER = 10  # numbers left in a block (registration or letter numbers): below it sync asks for more
# service - year - office tag - serial (an own-series serial starts with L)
REG_NO_PATTERN = re.compile(r"^([A-Z][A-Z0-9]{1,11})-(\d{4})-([A-Z][A-Z0-9]{1,15})-(L?\d{4,7})$")
ACCESS_PATTERN = re.compile(rf"^[{ACCESS_ALPHABET}]{{8,16}}$")

# Kecamatan of Kota Malang by their usual abbreviations; a kelurahan adds its two-digit number.
_KECAMATAN_TAGS = {"35.73.01": "BLB", "35.73.02": "KLJ", "35.73.03": "KDK", "35.73.04": "SKN", "35.73.05": "LWK"}

@cache
def _opd_tags() -> dict[str, str]:
    import csv

    from app.paths import resources_dir

    with (resources_dir() / "regions" / "opd-kota-malang.csv").open(encoding="utf-8", newline="") as fh:
        return {row["kode"]: row["singkatan"].upper() for row in csv.DictReader(fh)}


def office_tag(code: str) -> str:
    """A short tag unique in the city: ``KLJ`` (Kecamatan Klojen), ``KLJ08`` (its kelurahan 1008), ``DINKES``."""
    office: Office | None = directory().get(code)
    if office is None:
        return re.sub(r"[^A-Z0-9]", "", code.upper())[-8:] or "X"
    if office.level is OfficeLevel.CITY:
        return "MLG"
    if office.level is OfficeLevel.OPD:
        return _opd_tags().get(code) or re.sub(r"[^A-Z0-9]", "", code.split(".")[-1].upper())[:12]
    kecamatan = code if office.level is OfficeLevel.KECAMATAN else office.parent or ""
    tag = _KECAMATAN_TAGS.get(kecamatan) or "K" + kecamatan.rsplit(".", 1)[-1]
    if office.level is OfficeLevel.KELURAHAN:
        tag += code.rsplit(".", 1)[-1][-2:]
    return tag


def format_reg_no(service: str, year: int, office: str, serial: int, *, local: bool = False) -> str:
    return f"{service.upper()}-{year}-{office_tag(office)}-{'L' if local else ''}{serial:04d}"


def check_reg_no(reg_no: str, service: str, office: str) -> bool:
    """Whether ``reg_no`` is well formed and names this service and office (the server's check)."""
    if not isinstance(reg_no, str) or len(reg_no) > MAX_REG_NO:
        return False
    found = REG_NO_PATTERN.match(reg_no)
    return bool(found and found.group(1) == service.upper() and found.group(3) == office_tag(office))


def new_access_code() -> str:
    return "".join(secrets.choice(ACCESS_ALPHABET) for _ in range(ACCESS_LENGTH))
