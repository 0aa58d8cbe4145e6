"""What a Kota Malang NIK says about its holder, and where typed data contradicts it.

A NIK is kecamatan (digits 1–6) + birth date DDMMYY (digits 7–12, 40 added to the day for women) + a serial.
:func:`decode` reads the birth date and sex from a NIK whose region is one of the city's kecamatan in the
official list the app ships (``resources/regions``); :func:`contradictions` compares them with what was typed
on the form. A contradiction is not always an error (Dukcapil corrects birth dates without issuing a new
NIK), so the counter may keep the typed value with a reason, which the case's history records.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from app import timefmt
from app.domain.offices import OfficeDirectory, directory
from app.domain.validation import Invalid, nik_birth_date, parse_date, validate_nik
from app.i18n import register
from app.i18n import tr as _tr

BIRTH_DATE_FIELD = "tanggal_lahir"
SEX_FIELD = "jenis_kelamin"
MALE, FEMALE = "L", "P"
REASON_MIN, REASON_MAX = 5, 300

register({
    "nik.outside_city": {
        "id": "{label}: kode wilayah {code} bukan kecamatan di Kota Malang; tanggal lahir dan jenis kelamin "
              "tidak dibaca dari NIK.",
        "en": "{label}: region code {code} is not a kecamatan of Kota Malang; birth date and sex are not read "
              "from the NIK.",
    },
    "nik.mismatch.birth": {
        "id": "Tanggal lahir {typed} berbeda dengan NIK ({nik}).",
        "en": "Birth date {typed} differs from the NIK ({nik}).",
    },
    "nik.mismatch.sex": {
        "id": "Jenis kelamin {typed} berbeda dengan NIK ({nik}).",
        "en": "Sex {typed} differs from the NIK ({nik}).",
    },
    "nik.sex.L": {"id": "Laki-laki", "en": "Male"},
    "nik.sex.P": {"id": "Perempuan", "en": "Female"},
})


@dataclass(frozen=True, slots=True)
class NikInfo:
    nik: str
    birth_date: dt.date
    sex: str  # "L" or "P", the catalogue's keys for jenis_kelamin
    kecamatan: str  # office code, e.g. "35.73.01"

    @property
    def female(self) -> bool:
        return self.sex == FEMALE


@dataclass(frozen=True, slots=True)
class Contradiction:
    field: str  # BIRTH_DATE_FIELD or SEX_FIELD
    typed: str  # as the person sees it (dd/mm/yyyy, Laki-laki)
    from_nik: str

    @property
    def message(self) -> str:
        key = "nik.mismatch.birth" if self.field == BIRTH_DATE_FIELD else "nik.mismatch.sex"
        return _tr(key, typed=self.typed, nik=self.from_nik)


def decode(nik: str, offices: OfficeDirectory | None = None) -> NikInfo:
    """Birth date and sex of a well-formed NIK of Kota Malang; raises :class:`Invalid` otherwise."""
    clean = validate_nik(nik)
    regions = (offices or directory()).nik_region_codes()
    if clean[:6] not in regions:
        raise Invalid("nik.outside_city", code=clean[:6])
    born, female = nik_birth_date(clean)
    code = f"{clean[:2]}.{clean[2:4]}.{clean[4:6]}"
    return NikInfo(clean, born, FEMALE if female else MALE, code)


def try_decode(nik: str | None, offices: OfficeDirectory | None = None) -> NikInfo | None:
    try:
        return decode(nik or "", offices)
    except Invalid:
        return None


def sex_label(key: str) -> str:
    return _tr(f"nik.sex.{key}") if key in (MALE, FEMALE) else key


def contradictions(info: NikInfo, fields: Mapping[str, str]) -> list[Contradiction]:
    """The typed birth date and sex that disagree with the NIK (empty or unreadable values are not judged)."""
    found: list[Contradiction] = []
    typed_date = (fields.get(BIRTH_DATE_FIELD) or "").strip()
    if typed_date:
        try:
            day = parse_date(typed_date)
        except Invalid:
            day = None
        if day is not None and day != info.birth_date:
            found.append(Contradiction(BIRTH_DATE_FIELD, timefmt.date_short(day),
                                       timefmt.date_short(info.birth_date)))
    typed_sex = (fields.get(SEX_FIELD) or "").strip().upper()
    if typed_sex in (MALE, FEMALE) and typed_sex != info.sex:
        found.append(Contradiction(SEX_FIELD, sex_label(typed_sex), sex_label(info.sex)))
    return found


def history_note(found: list[Contradiction], reason: str) -> str:
    """The sentence the case's history keeps when the counter confirms data that differs from the NIK."""
    return " ".join(c.message for c in found) + " " + reason.strip()
