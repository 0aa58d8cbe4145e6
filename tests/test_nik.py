"""Birth date and sex read from a Kota Malang NIK, and what typed data contradicts them."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain import nik
from app.domain.validation import Invalid
from samples import NIK_MAN, NIK_WOMAN


def test_the_issues_nik_is_a_woman_born_17_august_1990() -> None:
    info = nik.decode(NIK_WOMAN)
    assert (info.birth_date, info.sex, info.female, info.kecamatan) == (dt.date(1990, 8, 17), "P", True, "35.73.01")
    man = nik.decode(NIK_MAN)
    assert (man.birth_date, man.sex) == (dt.date(1985, 1, 1), "L")


@pytest.mark.parametrize("value", ["3573065708900003",  # no sixth kecamatan in Kota Malang
                                   "3507015708900003",  # Kabupaten Malang
                                   "3573017308900003",  # day 73 - 40 = 33: no such day
                                   ])
def test_only_kota_malang_kecamatan_and_real_dates(value: str) -> None:
    with pytest.raises(Invalid):
        nik.decode(value)
    assert nik.try_decode(value) is None


def test_contradictions_name_typed_and_nik_values_as_people_write_them() -> None:
    info = nik.decode(NIK_WOMAN)
    found = nik.contradictions(info, {"tanggal_lahir": "01/01/1985", "jenis_kelamin": "L"})
    assert [c.field for c in found] == ["tanggal_lahir", "jenis_kelamin"]
    assert found[0].message == "Tanggal lahir 01/01/1985 berbeda dengan NIK (17/08/1990)."
    assert found[1].message == "Jenis kelamin Laki-laki berbeda dengan NIK (Perempuan)."
    assert nik.contradictions(info, {"tanggal_lahir": "1990-08-17", "jenis_kelamin": "P"}) == []
    assert nik.contradictions(info, {"tanggal_lahir": "", "jenis_kelamin": ""}) == []
