"""Validation of what citizens give at the counter: NIK, No. KK, phone numbers, dates, money and choices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from app import clock
from app.domain.catalog import Choice, FieldSpec, load_catalog
from app.domain.validation import Invalid, check_field, nik_birth_date, validate_kk, validate_nik
from app.i18n import set_language


def spec(key: str, ftype: str, label_id: str, label_en: str, **extra: Any) -> FieldSpec:
    return FieldSpec(key=key, type=ftype, labels={"id": label_id, "en": label_en}, **extra)


NIK = spec("nik", "nik", "NIK pemohon", "Applicant's NIK")
KK = spec("no_kk", "kk", "Nomor Kartu Keluarga", "Family card number")
PHONE = spec("telepon", "phone", "Nomor telepon/WA", "Phone/WhatsApp")
DATE = spec("tanggal", "date", "Tanggal kejadian", "Date of the event")
BIRTH = spec("tanggal_lahir", "date", "Tanggal lahir", "Date of birth", past_only=True)
APPOINTMENT = spec("tanggal_janji", "date", "Tanggal janji temu", "Appointment date", future_only=True)
MONEY = spec("penghasilan", "money", "Penghasilan per bulan", "Monthly income", min=Decimal(0))
COUNT = spec("tanggungan", "integer", "Jumlah tanggungan", "Number of dependants", min=Decimal(0),
             max=Decimal(30))
SEX = spec("jenis_kelamin", "choice", "Jenis kelamin", "Sex",
           choices=(Choice("L", "Laki-laki", "Male"), Choice("P", "Perempuan", "Female")))

# Birth dates inside NIKs are judged against this day, so "born in the future" is the same every year.
PINNED_TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def pinned_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Noon in Malang (WIB) on PINNED_TODAY: validation asks app.clock for the day, as every part of Loket does."""
    noon = dt.datetime.combine(PINNED_TODAY, dt.time(5, 0), tzinfo=dt.UTC)
    monkeypatch.setattr(clock, "now", lambda: noon)


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture(autouse=True)
def indonesian() -> Iterator[None]:
    set_language("id")
    yield
    set_language(None)


# --- NIK -------------------------------------------------------------------------------------------------

VALID_NIKS = [
    # (NIK, birth date, woman?)
    pytest.param("3573011708850001", dt.date(1985, 8, 17), False, id="man-blimbing"),
    pytest.param("3573025708900002", dt.date(1990, 8, 17), True, id="woman-klojen-day+40"),
    pytest.param("3573030101000003", dt.date(2000, 1, 1), False, id="man-kedungkandang-2000"),
    pytest.param("3573047112990004", dt.date(1999, 12, 31), True, id="woman-sukun-day71"),
    pytest.param("3573054101100005", dt.date(2010, 1, 1), True, id="woman-lowokwaru-day41"),
    pytest.param("3573052902960123", dt.date(1996, 2, 29), False, id="man-leap-day-1996"),
    pytest.param("3573016902040007", dt.date(2004, 2, 29), True, id="woman-leap-day-2004"),
    pytest.param("3573021506260008", dt.date(2026, 6, 15), False, id="born-today"),
    pytest.param("3174051203880007", dt.date(1988, 3, 12), False, id="jakarta-selatan"),
    pytest.param("1101014506920001", dt.date(1992, 6, 5), True, id="aceh-simeulue"),
    pytest.param("3578102511750009", dt.date(1975, 11, 25), False, id="surabaya"),
    pytest.param("5171044411010002", dt.date(2001, 11, 4), True, id="denpasar"),
    pytest.param("3507233006700011", dt.date(1970, 6, 30), False, id="kabupaten-malang"),
]

INVALID_NIKS = [
    # (input, message key)
    pytest.param("357301170885000", "nik.length", id="15-digits"),
    pytest.param("35730117088500011", "nik.length", id="17-digits"),
    pytest.param("3573011708850O01", "nik.digits", id="letter-O-for-zero"),
    pytest.param("3573-0117-0885-000", "nik.length", id="dashes-short"),
    pytest.param("NIK3573011708850", "nik.digits", id="prefix-text"),
    pytest.param("9901011708850001", "nik.region", id="province-99"),
    pytest.param("0001011708850001", "nik.region", id="province-00"),
    pytest.param("3500011708850001", "nik.region", id="regency-00"),
    pytest.param("3174001203880007", "nik.region", id="kecamatan-00"),
    pytest.param("3573091708850001", "nik.region", id="malang-kecamatan-09"),
    pytest.param("3573061708850001", "nik.region", id="malang-kecamatan-06"),
    pytest.param("3573013208850001", "nik.date", id="day-32"),
    pytest.param("3573010008850001", "nik.date", id="day-00"),
    pytest.param("3573014008850001", "nik.date", id="day-40"),
    pytest.param("3573017208850001", "nik.date", id="woman-day-72"),
    pytest.param("3573011713850001", "nik.date", id="month-13"),
    pytest.param("3573011700850001", "nik.date", id="month-00"),
    pytest.param("3573013002900001", "nik.date", id="30-february"),
    pytest.param("3573012902010001", "nik.date", id="29-february-2001"),
    pytest.param("3573017002900001", "nik.date", id="woman-30-february"),
    pytest.param("3573011708260001", "nik.date", id="born-in-the-future"),
    pytest.param("3573021606260008", "nik.date", id="born-tomorrow"),
    pytest.param("3573011708850000", "nik.serial", id="serial-0000"),
]


@pytest.mark.parametrize(("nik", "born", "female"), VALID_NIKS)
def test_valid_nik(pinned_today: None, nik: str, born: dt.date, female: bool) -> None:
    assert validate_nik(nik) == nik
    assert nik_birth_date(nik) == (born, female)
    assert check_field(NIK, nik) == (nik, None)


@pytest.mark.parametrize(("nik", "key"), INVALID_NIKS)
def test_invalid_nik(pinned_today: None, nik: str, key: str) -> None:
    with pytest.raises(Invalid) as raised:
        validate_nik(nik)
    assert raised.value.key == key
    value, problem = check_field(NIK, nik)
    assert value is None and problem is not None
    assert (problem.field, problem.key) == ("nik", key)
    assert problem.message.startswith("NIK pemohon")
    assert problem.as_dict() == {"field": "nik", "message": problem.message}


def test_invalid_nik_messages_say_what_is_wrong(pinned_today: None) -> None:
    def message(value: str) -> str:
        problem = check_field(NIK, value)[1]
        assert problem is not None
        return problem.message

    assert message("357301170885000") == "NIK pemohon harus 16 digit angka (tertulis 15 karakter)."
    assert message("3573091708850001") == "NIK pemohon: kode wilayah 357309 tidak dikenal."
    assert "30-02-90" in message("3573013002900001")
    assert "0000" in message("3573011708850000")


def test_nik_is_normalised(pinned_today: None) -> None:
    assert validate_nik("  3573 0117 0885 0001 ") == "3573011708850001"
    assert validate_nik("3573.0117.0885.0001") == "3573011708850001"


def test_nik_century(pinned_today: None) -> None:
    """Two-digit years up to this year are 20xx, later ones 19xx."""
    assert nik_birth_date("3573011708260001")[0] == dt.date(2026, 8, 17)  # in the future: refused above
    assert nik_birth_date("3573011708270001")[0] == dt.date(1927, 8, 17)
    assert validate_nik("3573011708270001") == "3573011708270001"


def test_empty_nik() -> None:
    assert check_field(NIK, "") == (None, None)
    assert check_field(NIK, "   ") == (None, None)
    assert check_field(NIK, None) == (None, None)
    with pytest.raises(Invalid) as raised:
        validate_nik("")
    assert raised.value.key == "nik.length"


def test_nik_message_in_english(pinned_today: None, english: None) -> None:
    problem = check_field(NIK, "357301170885000")[1]
    assert problem is not None
    assert problem.message == "Applicant's NIK must be 16 digits (got 15 characters)."
    problem = check_field(NIK, "3573017208850001")[1]
    assert problem is not None
    assert problem.message == "Applicant's NIK: the birth date 72-08-85 inside the NIK is not a real date."
    problem = check_field(NIK, "3573011708850000")[1]
    assert problem is not None and problem.message.startswith("Applicant's NIK: the serial number")


# --- No. KK ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kk", ["3573021204180003", "3573050101100001", "3174052001100012", "3507232902000004"]
)
def test_valid_kk(kk: str) -> None:
    assert validate_kk(kk) == kk
    assert check_field(KK, kk) == (kk, None)


@pytest.mark.parametrize(
    ("kk", "key"),
    [
        ("357302120418000", "nik.length"),
        ("35730212041800031", "nik.length"),
        ("35730212O4180003", "nik.digits"),
        ("3573091204180003", "nik.region"),
        ("9902011204180003", "nik.region"),
        ("3573023204180003", "kk.date"),
        ("3573025204180003", "kk.date"),  # no +40 for women in a family card number
        ("3573021213180003", "kk.date"),
        ("3573023002180003", "kk.date"),
        ("3573021204180000", "kk.serial"),
    ],
)
def test_invalid_kk(kk: str, key: str) -> None:
    with pytest.raises(Invalid) as raised:
        validate_kk(kk)
    assert raised.value.key == key
    value, problem = check_field(KK, kk)
    assert value is None and problem is not None
    assert (problem.field, problem.key) == ("no_kk", key)
    assert "Nomor Kartu Keluarga" in problem.message


def test_kk_serial_message() -> None:
    problem = check_field(KK, "3573021204180000")[1]
    assert problem is not None
    assert problem.message == "Nomor Kartu Keluarga: nomor urut di akhir No. KK tidak boleh 0000."


# --- phone numbers ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("081234567890", "081234567890"),
        ("0812-3456-7890", "081234567890"),
        ("0812 3456 789", "08123456789"),
        ("+62 812 3456 7890", "081234567890"),
        ("+62-812-3456-7890", "081234567890"),
        ("6281234567890", "081234567890"),
        ("0341 551234", "0341551234"),
        ("(0341) 362101", "0341362101"),
        ("0341-364500", "0341364500"),
        ("021 5550123", "0215550123"),
    ],
)
def test_valid_phone(raw: str, stored: str) -> None:
    assert check_field(PHONE, raw) == (stored, None)


@pytest.mark.parametrize(
    "raw",
    ["08123", "0341 55", "0812abc4567", "08I2345678", "+1 202 555 0143", "0012345678", "08123456789012345",
     "81234567890", "telp 0812345678"],
)
def test_invalid_phone(raw: str) -> None:
    value, problem = check_field(PHONE, raw)
    assert value is None and problem is not None
    assert problem.key == "phone.format"
    assert problem.message.startswith("Nomor telepon/WA: nomor telepon harus diawali 08")


def test_phone_message_in_english(english: None) -> None:
    problem = check_field(PHONE, "08123")[1]
    assert problem is not None
    assert problem.message.startswith("Phone/WhatsApp: a phone number starts with 08")


# --- dates -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("2024-08-17", "2024-08-17"),
        ("17/08/2024", "2024-08-17"),
        ("17-08-2024", "2024-08-17"),
        (" 01/02/2024 ", "2024-02-01"),  # day first, as written in Indonesia
        ("29/02/2024", "2024-02-29"),
        ("1945-08-17", "1945-08-17"),
    ],
)
def test_valid_date(raw: str, stored: str) -> None:
    assert check_field(DATE, raw) == (stored, None)


@pytest.mark.parametrize(
    "raw", ["2024-02-30", "29/02/2023", "17 Agustus 2024", "08/17/2024", "2024/08/17", "17-8-24x", "kemarin"]
)
def test_invalid_date_format(raw: str) -> None:
    value, problem = check_field(DATE, raw)
    assert value is None and problem is not None
    assert problem.key == "date.format"
    assert problem.message.startswith("Tanggal kejadian: tanggal harus berformat")


def test_date_range() -> None:
    today = clock.today()  # Malang's day, whatever the machine's zone
    tomorrow, yesterday = today + dt.timedelta(days=1), today - dt.timedelta(days=1)

    assert check_field(BIRTH, today.isoformat()) == (today.isoformat(), None)
    assert check_field(BIRTH, yesterday.strftime("%d/%m/%Y")) == (yesterday.isoformat(), None)
    problem = check_field(BIRTH, tomorrow.isoformat())[1]
    assert problem is not None and problem.key == "date.range"
    # the date as people type and read it (hh/bb/tttt), never ISO
    assert problem.message == f"Tanggal lahir: tanggal {tomorrow:%d/%m/%Y} di luar rentang yang diizinkan."

    assert check_field(APPOINTMENT, today.isoformat()) == (today.isoformat(), None)
    assert check_field(APPOINTMENT, tomorrow.isoformat()) == (tomorrow.isoformat(), None)
    problem = check_field(APPOINTMENT, yesterday.isoformat())[1]
    assert problem is not None and problem.key == "date.range"
    assert "Tanggal janji temu" in problem.message

    for raw in ("1899-12-31", f"{today.year + 11}-01-01"):
        problem = check_field(DATE, raw)[1]
        assert problem is not None and problem.key == "date.range", raw
    assert check_field(DATE, "1900-01-01") == ("1900-01-01", None)
    assert check_field(DATE, f"{today.year + 10}-12-31") == (f"{today.year + 10}-12-31", None)


def test_date_message_in_english(english: None) -> None:
    problem = check_field(BIRTH, "31/02/1990")[1]
    assert problem is not None
    assert problem.message == "Date of birth: a date must look like YYYY-MM-DD (for example 2026-08-17)."


# --- numbers and money -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("Rp 1.500.000", "1500000"),
        ("Rp1.500.000", "1500000"),
        ("Rp. 1.500.000", "1500000"),
        ("Rp 1.500.000,00", "1500000"),
        ("1500000", "1500000"),
        ("750.000", "750000"),
        ("0", "0"),
    ],
)
def test_valid_money(raw: str, stored: str) -> None:
    assert check_field(MONEY, raw) == (stored, None)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("-500.000", "number.range"),
        ("Rp 1.500.000,50", "number.format"),  # no cents in rupiah amounts
        ("satu juta", "number.format"),
        ("1,5 juta", "number.format"),
        ("NaN", "number.format"),
    ],
)
def test_invalid_money(raw: str, key: str) -> None:
    value, problem = check_field(MONEY, raw)
    assert value is None and problem is not None
    assert problem.key == key
    assert "Penghasilan per bulan" in problem.message


def test_integer_range_and_message() -> None:
    assert check_field(COUNT, "4") == ("4", None)
    assert check_field(COUNT, " 0 ") == ("0", None)
    problem = check_field(COUNT, "31")[1]
    assert problem is not None and problem.key == "number.range"
    assert problem.message == "Jumlah tanggungan harus di antara 0 dan 30."
    problem = check_field(COUNT, "2,5")[1]
    assert problem is not None and problem.key == "number.format"
    problem = check_field(COUNT, "2.5")[1]
    assert problem is not None and problem.key == "number.format"


def test_money_message_in_english(english: None) -> None:
    problem = check_field(MONEY, "-1")[1]
    assert problem is not None
    assert problem.message == "Monthly income must be between 0 and ∞."


# --- choices ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("L", "L"), ("P", "P"), ("Laki-laki", "L"), ("perempuan", "P"), (" PEREMPUAN ", "P"), ("Female", "P"),
     ("male", "L")],
)
def test_choice_by_key_or_label(raw: str, stored: str) -> None:
    assert check_field(SEX, raw) == (stored, None)


def test_invalid_choice() -> None:
    problem = check_field(SEX, "Wanita")[1]
    assert problem is not None and problem.key == "choice.invalid"
    assert problem.message == "Jenis kelamin: 'Wanita' bukan pilihan yang tersedia (L, P)."


def test_invalid_choice_in_english(english: None) -> None:
    problem = check_field(SEX, "X")[1]
    assert problem is not None
    assert problem.message == "Sex: 'X' is not one of the choices (L, P)."


# --- fields of the shipped services ----------------------------------------------------------------------


def _field(code: str, key: str) -> FieldSpec:
    found = load_catalog().get(code).field(key)
    assert found is not None, f"{code}.{key}"
    return found


@pytest.mark.parametrize(
    ("code", "key", "raw", "stored", "problem_key"),
    [
        ("LAPSEK", "npsn", "20533712", "20533712", None),
        ("LAPSEK", "npsn", "2053371", None, "text.pattern"),
        ("LAPSEK", "npsn", "2053371A", None, "text.pattern"),
        ("LAPSEK", "npsn", "205337120", None, "text.length"),
        ("LAPSEK", "jenjang", "SMA", None, "choice.invalid"),
        ("LAPSEK", "jenjang", "Sekolah Dasar (SD)", "SD", None),
        ("LAPSEK", "tahun_ajaran", "2026/2027", "2026/2027", None),
        ("LAPSEK", "tahun_ajaran", "2026-2027", None, "text.pattern"),
        ("LAPSEK", "jumlah_siswa", "412", "412", None),
        ("LAPSEK", "jumlah_siswa", "-3", None, "number.range"),
        ("RUJKES", "no_bpjs", "0001234567890", "0001234567890", None),
        ("RUJKES", "no_bpjs", "000123456789", None, "text.pattern"),
        ("RUJKES", "kode_icd10", "J18.9", "J18.9", None),
        ("RUJKES", "kode_icd10", "j18", None, "text.pattern"),
        ("SKTM", "untuk", "kesehatan", "kesehatan", None),
        ("SKTM", "untuk", "School fee waiver", "pendidikan", None),
        ("SKTM", "penghasilan", "Rp 1.250.000", "1250000", None),
        ("SKTM", "tanggungan", "31", None, "number.range"),
        ("USULMUS", "estimasi_biaya", "Rp 75.000.000", "75000000", None),
        ("USULMUS", "estimasi_biaya", "-1", None, "number.range"),
        ("USULMUS", "tahun_anggaran", "2027", "2027", None),
        ("USULMUS", "tahun_anggaran", "2027.5", None, "number.format"),
        ("USULMUS", "volume", "120.5", "120.5", None),
        ("NODIN", "sifat", "Segera", "segera", None),
        ("NODIN", "lampiran", "101", None, "number.range"),
    ],
)
def test_shipped_fields(code: str, key: str, raw: str, stored: str | None, problem_key: str | None) -> None:
    field = _field(code, key)
    value, problem = check_field(field, raw)
    assert value == stored
    if problem_key is None:
        assert problem is None
    else:
        assert problem is not None and problem.key == problem_key and problem.field == key
        assert field.labels["id"] in problem.message
