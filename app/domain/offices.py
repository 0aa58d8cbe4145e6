"""The offices of Kota Malang: the city, its 5 kecamatan, 57 kelurahan (official Kemendagri codes) and OPDs."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from pathlib import Path

from app.paths import resources_dir


class OfficeLevel(StrEnum):
    CITY = "kota"
    KECAMATAN = "kecamatan"
    KELURAHAN = "kelurahan"
    OPD = "opd"


@dataclass(frozen=True, slots=True)
class Office:
    code: str
    name: str
    level: OfficeLevel
    parent: str | None

    @property
    def display_name(self) -> str:
        prefix = {
            OfficeLevel.CITY: "Pemerintah",
            OfficeLevel.KECAMATAN: "Kecamatan",
            OfficeLevel.KELURAHAN: "Kelurahan",
            OfficeLevel.OPD: "",
        }[self.level]
        return f"{prefix} {self.name}".strip()


class OfficeDirectory:
    """All offices by code, with the parent links that route work up the chain."""

    def __init__(self, offices: list[Office]) -> None:
        self._by_code = {o.code: o for o in offices}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __iter__(self) -> Iterator[Office]:
        return iter(self._by_code.values())

    def __len__(self) -> int:
        return len(self._by_code)

    def get(self, code: str) -> Office | None:
        return self._by_code.get(code)

    def of_level(self, level: OfficeLevel) -> list[Office]:
        return [o for o in self._by_code.values() if o.level is level]

    def ancestors(self, code: str) -> list[Office]:
        """The chain from the office's parent up to the city."""
        chain: list[Office] = []
        office = self._by_code.get(code)
        while office is not None and office.parent:
            office = self._by_code.get(office.parent)
            if office is not None:
                chain.append(office)
        return chain

    def nik_region_codes(self) -> set[str]:
        """6-digit NIK prefixes of this city's kecamatan (``357301`` …)."""
        return {o.code.replace(".", "") for o in self.of_level(OfficeLevel.KECAMATAN)}


def _load(regions: Path, opds: Path) -> list[Office]:
    offices: list[Office] = []
    city_code = ""
    with regions.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            level = row["level"]
            code = row["kode"]
            if level == "provinsi":
                continue
            if level == "kota":
                city_code = code
                offices.append(Office(code, row["nama"], OfficeLevel.CITY, None))
            else:
                parent = code.rsplit(".", 1)[0]
                offices.append(Office(code, row["nama"], OfficeLevel(level), parent))
    with opds.open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            offices.append(Office(row["kode"], row["nama"], OfficeLevel.OPD, city_code or None))
    return offices


@cache
def directory() -> OfficeDirectory:
    base = resources_dir() / "regions"
    return OfficeDirectory(_load(base / "wilayah-kota-malang.csv", base / "opd-kota-malang.csv"))
