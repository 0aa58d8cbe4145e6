"""Validation of the identifiers and values citizens give at the counter.

Each validator returns the normalised value or raises :class:`FieldProblem`-carrying errors through
:func:`check_field`. Rules for NIK and No. KK follow Dukcapil's structure: province(2) + regency/city(2) +
kecamatan(2) + a date DDMMYY (40 added to the day for women, in a NIK) + a serial that is not 0000. A resident
may hold a NIK issued anywhere in Indonesia, so only the shape of the region code is checked, except for Kota
Malang's own prefix 3573, whose kecamatan must exist.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING

from app import clock, timefmt
from app.errors import FieldProblem

if TYPE_CHECKING:
    from app.domain.catalog import FieldSpec

# Kemendagri province codes (incl. the Papua provinces formed in 2022).
PROVINCE_CODES = frozenset({
    "11", "12", "13", "14", "15", "16", "17", "18", "19", "21", "31", "32", "33", "34", "35", "36",
    "51", "52", "53", "61", "62", "63", "64", "65", "71", "72", "73", "74", "75", "76", "81", "82",
    "91", "92", "93", "94", "95", "96", "97",
})
MALANG_PREFIX = "3573"
MALANG_KECAMATAN = frozenset({"01", "02", "03", "04", "05"})

_DIGITS = re.compile(r"\d+")
_THOUSANDS = re.compile(r"\d{1,3}(\.\d{3})+")
_PHONE_STRIP = re.compile(r"[\s\-().]")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_PHONE = re.compile(r"0\d{8,12}")


class Invalid(Exception):
    """Raised by a validator; carries the message key and its params (the label is added later)."""

    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


def _region(value: str) -> None:
    if value[:2] not in PROVINCE_CODES or value[2:4] == "00" or value[4:6] == "00":
        raise Invalid("nik.region", code=value[:6])
    if value[:4] == MALANG_PREFIX and value[4:6] not in MALANG_KECAMATAN:
        raise Invalid("nik.region", code=value[:6])


def _sixteen_digits(value: str) -> str:
    if len(value) == 16 and value.isdecimal():  # as typed, nothing to clean (isdecimal is what \d matches)
        return value
    value = value.strip().replace(" ", "").replace(".", "").replace("-", "")
    if not _DIGITS.fullmatch(value or "x"):
        if len(value) != 16:
            raise Invalid("nik.length", count=len(value))
        raise Invalid("nik.digits")
    if len(value) != 16:
        raise Invalid("nik.length", count=len(value))
    return value


def nik_birth_date(nik: str, today: dt.date | None = None) -> tuple[dt.date, bool]:
    """The birth date and whether the holder is a woman (day + 40), from a NIK already shaped right.

    ``today`` (Malang's date, :func:`app.clock.today` when not given) spares a bulk import asking the clock
    on every row; the validators below take it for the same reason."""
    day, month, year2 = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    female = day > 40
    if female:
        day -= 40
    this_year = (today or clock.today()).year % 100
    century = 2000 if year2 <= this_year else 1900
    return dt.date(century + year2, month, day), female


def validate_nik(value: str, today: dt.date | None = None) -> str:
    nik = _sixteen_digits(value)
    _region(nik)
    today = today or clock.today()
    try:
        born, _ = nik_birth_date(nik, today)
    except ValueError:
        raise Invalid("nik.date", date=f"{nik[6:8]}-{nik[8:10]}-{nik[10:12]}") from None
    if born > today:
        raise Invalid("nik.date", date=f"{nik[6:8]}-{nik[8:10]}-{nik[10:12]}")
    if nik[12:] == "0000":
        raise Invalid("nik.serial")
    return nik


def validate_kk(value: str) -> str:
    kk = _sixteen_digits(value)
    _region(kk)
    try:
        dt.date(2000 + int(kk[10:12]), int(kk[8:10]), int(kk[6:8]))
    except ValueError:
        raise Invalid("kk.date", date=f"{kk[6:8]}-{kk[8:10]}-{kk[10:12]}") from None
    if kk[12:] == "0000":
        raise Invalid("kk.serial")
    return kk


def validate_phone(value: str) -> str:
    phone = value if value.isdecimal() else _PHONE_STRIP.sub("", value.strip())  # digits only: nothing to strip
    if phone.startswith("+62"):
        phone = "0" + phone[3:]
    elif phone.startswith("62") and len(phone) > 10:
        phone = "0" + phone[2:]
    if not _PHONE.fullmatch(phone) or phone.startswith("00"):
        raise Invalid("phone.format")
    return phone


_EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})+")
CONSENT_YES = "ya"
_YES = frozenset({"ya", "y", "yes", "true", "1", "on", "setuju", "bersedia"})
_NO = frozenset({"tidak", "t", "no", "n", "false", "0", "off"})


def validate_email(value: str) -> str:
    """An address a message can go to: one local part, a dotted domain (stored with the domain in lower case)."""
    text = value.strip()
    if len(text) > 254 or not _EMAIL.fullmatch(text) or ".." in text:
        raise Invalid("email.format")
    local, _, domain = text.rpartition("@")
    return f"{local}@{domain.lower()}"


def validate_consent(value: str) -> str:
    """The citizen's yes (stored as ``ya``) or no (``tidak``) to being told about the request's progress."""
    text = value.strip().casefold()
    if text in _YES:
        return CONSENT_YES
    if text in _NO:
        return "tidak"
    raise Invalid("consent.format")


def parse_date(value: str) -> dt.date:
    value = value.strip()
    if _ISO_DATE.fullmatch(value):  # the usual form; strptime costs ~20 µs a call, too slow for bulk imports
        try:
            return dt.date(int(value[:4]), int(value[5:7]), int(value[8:]))
        except ValueError:
            raise Invalid("date.format") from None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise Invalid("date.format")


def validate_date(value: str, spec: FieldSpec, today: dt.date | None = None) -> str:
    day = parse_date(value)
    today = today or clock.today()
    if spec.past_only and day > today:
        raise Invalid("date.range", value=timefmt.date_short(day))
    if spec.future_only and day < today:
        raise Invalid("date.range", value=timefmt.date_short(day))
    if day.year < 1900 or day.year > today.year + 10:
        raise Invalid("date.range", value=timefmt.date_short(day))
    return day.isoformat()


def validate_number(value: str, spec: FieldSpec) -> str:
    cleaned = value.strip().replace(" ", "")
    if spec.type == "money":
        cleaned = re.sub(r"^rp\.?", "", cleaned, flags=re.IGNORECASE).replace(".", "").replace(",", ".")
    elif spec.type in ("integer", "year") and _THOUSANDS.fullmatch(cleaned):
        cleaned = cleaned.replace(".", "")  # "1.250" is one thousand two hundred fifty in Indonesia
    try:
        number = Decimal(cleaned)
    except InvalidOperation:
        raise Invalid("number.format") from None
    if not number.is_finite():
        raise Invalid("number.format")
    if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
        raise Invalid("number.range", min=spec.min if spec.min is not None else "-∞",
                      max=spec.max if spec.max is not None else "∞")
    if spec.type in ("integer", "money", "year") and number != number.to_integral_value():
        raise Invalid("number.format")
    return str(number.normalize()) if number != number.to_integral_value() else str(int(number))


def validate_text(value: str, spec: FieldSpec) -> str:
    text = value.strip()
    if "\x00" in text:
        raise Invalid("text.pattern")
    limit = spec.max_length or (2000 if spec.type == "textarea" else 200)
    if len(text) > limit:
        raise Invalid("text.length", max=limit)
    if spec.pattern and not re.fullmatch(spec.pattern, text):
        raise Invalid("text.pattern")
    return text


def validate_choice(value: str, spec: FieldSpec) -> str:
    text = value.strip()
    keys = [c.key for c in spec.choices]
    if text in keys:
        return text
    for c in spec.choices:  # a person may type the label instead of the key
        if text.casefold() in (c.label_id.casefold(), c.label_en.casefold()):
            return c.key
    raise Invalid("choice.invalid", value=text, choices=", ".join(keys))


def normalise(spec: FieldSpec, value: str, today: dt.date | None = None) -> str:
    """The stored form of ``value`` for ``spec``; raises :class:`Invalid`."""
    match spec.type:
        case "nik":
            return validate_nik(value, today)
        case "kk":
            return validate_kk(value)
        case "phone":
            return validate_phone(value)
        case "email":
            return validate_email(value)
        case "consent":
            return validate_consent(value)
        case "date":
            return validate_date(value, spec, today)
        case "number" | "integer" | "money" | "year":
            return validate_number(value, spec)
        case "choice":
            return validate_choice(value, spec)
        case _:
            return validate_text(value, spec)


def check_field(spec: FieldSpec, value: str | None,
                today: dt.date | None = None) -> tuple[str | None, FieldProblem | None]:
    """Validate one field. Returns (normalised value or None when empty, problem or None)."""
    if value is None or not str(value).strip():
        return None, None
    try:
        return normalise(spec, str(value), today), None
    except Invalid as bad:
        return None, FieldProblem(spec.key, bad.key, label=spec.label, **bad.params)
