"""School report rekap for Dinas Pendidikan: per semester, every school's latest accepted LAPSEK report,
totals per level (SD/SMP) and per kecamatan, the schools that have not reported yet (known from earlier
semesters) and the change against the previous semester.

A semester is written ``2026-1`` (ganjil of school year 2026/2027) or ``2026-2`` (genap of 2026/2027)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app.domain.lifecycle import CaseStatus
from app.domain.offices import OfficeDirectory, OfficeLevel
from app.reports.common import UNNUMBERED, CaseRow, as_int, as_text, decode, status_labels
from app.storage.rekap_rows import SEKOLAH_TEXT as _TEXT
from app.storage.rekap_rows import sekolah_rows

SERVICE = "LAPSEK"
ACCEPTED = frozenset({CaseStatus.APPROVED.value, CaseStatus.ISSUED.value})
CLOSED = frozenset({CaseStatus.REJECTED.value, CaseStatus.WITHDRAWN.value})
LEVELS = ("SD", "SMP")
NO_KECAMATAN = "—"
_SEMESTER = re.compile(r"(20\d\d)-([12])")


@dataclass(frozen=True, slots=True, order=True)
class Semester:
    year: int  # the school year's first calendar year: 2026 for 2026/2027
    half: int  # 1 = ganjil, 2 = genap

    @classmethod
    def parse(cls, text: str) -> Semester:
        match = _SEMESTER.fullmatch(text.strip())
        if not match:
            raise ValueError(text)
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def of_fields(cls, fields: dict[str, object]) -> Semester | None:
        return cls.of_texts(as_text(fields.get("tahun_ajaran"), _TEXT["tahun_ajaran"]),
                            as_text(fields.get("semester"), _TEXT["semester"]))

    @classmethod
    def of_texts(cls, year: str, half_name: str) -> Semester | None:
        """From a report's ``tahun_ajaran`` (at most 9 characters of it) and ``semester`` (at most 10)."""
        half = {"ganjil": 1, "genap": 2}.get(half_name)
        if half is None or not re.fullmatch(r"20\d\d/20\d\d", year):
            return None
        return cls(int(year[:4]), half)

    @property
    def previous(self) -> Semester:
        return Semester(self.year, 1) if self.half == 2 else Semester(self.year - 1, 2)

    @property
    def code(self) -> str:
        return f"{self.year}-{self.half}"

    @property
    def label(self) -> str:
        return f"{'Ganjil' if self.half == 1 else 'Genap'} {self.year}/{self.year + 1}"


@dataclass(slots=True)  # not frozen: thousands per opening, and a frozen __init__ costs ~8x
class Figures:
    students: int = 0
    groups: int = 0
    teachers: int = 0
    dropouts: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.students + other.students, self.groups + other.groups,
                       self.teachers + other.teachers, self.dropouts + other.dropouts)

    def __sub__(self, other: Figures) -> Figures:
        return Figures(self.students - other.students, self.groups - other.groups,
                       self.teachers - other.teachers, self.dropouts - other.dropouts)


@dataclass(slots=True)
class SchoolReport:
    npsn: str
    name: str
    level: str
    kecamatan: str  # kecamatan name, or NO_KECAMATAN when the address names none
    case_id: str
    reg_no: str
    figures: Figures
    previous: Figures | None  # the school's accepted figures of the previous semester

    @property
    def change(self) -> Figures | None:
        return None if self.previous is None else self.figures - self.previous


@dataclass(slots=True)
class MissingSchool:
    npsn: str
    name: str
    level: str
    kecamatan: str
    last_semester: str  # the latest semester the school reported (label)
    pending_status: str  # this semester's report still in progress ("" when none arrived)


@dataclass(slots=True)
class Total:
    key: str
    schools: int
    figures: Figures


@dataclass(frozen=True, slots=True)
class SekolahRekap:
    semester: Semester
    reports: list[SchoolReport]
    missing: list[MissingSchool]
    per_level: list[Total]
    per_kecamatan: list[Total]
    total: Figures
    previous_total: Figures = field(default_factory=Figures)

    @property
    def change(self) -> Figures:
        """The change at the schools that reported in both semesters (a school that has not reported yet, or
        reports for the first time, would otherwise read as a fall or a rise)."""
        return sum((s.change for s in self.reports if s.change is not None), Figures())


@dataclass(slots=True)
class _Parsed:
    """One LAPSEK case as the rekap reads it, its fields made safe."""

    id: str
    reg_no: str | None
    name: str
    status: str
    updated_at: str
    npsn: str
    semester: Semester
    level: str
    address: str
    counts: tuple[int, int, int, int]  # students, groups, teachers, drop-outs


_Semesters = dict[tuple[str, str], Semester | None]


def compute(session: Session, offices: OfficeDirectory, semester: Semester) -> SekolahRekap:
    """The rekap from the laptop's store: the kept columns, and the few cases whose fields need the full
    decoding decoded here (the same values either way)."""
    semesters: _Semesters = {}  # a few distinct (year, half) texts
    parsed: list[_Parsed] = []
    for row in sekolah_rows(session):
        if row[-1] is None:
            p = _parsed(row[:5], row[5], row[6], row[7], row[8], row[9], row[10:14], semesters)
        else:
            p = _parse(CaseRow(row[0], row[1], "", row[2], row[3], row[4], decode(row[-1])), semesters)
        if p is not None:
            parsed.append(p)
    return _rekap(parsed, offices, semester)


def from_rows(rows: Iterable[CaseRow], offices: OfficeDirectory, semester: Semester) -> SekolahRekap:
    """The rekap of ``rows`` (LAPSEK cases, any store)."""
    semesters: _Semesters = {}
    return _rekap([p for p in (_parse(r, semesters) for r in rows) if p is not None], offices, semester)


def _rekap(parsed: list[_Parsed], offices: OfficeDirectory, semester: Semester) -> SekolahRekap:
    current = _latest_accepted(parsed, semester)
    previous = _latest_accepted(parsed, semester.previous)
    places = _Places(_kecamatan_names(offices))
    reports = sorted((_report(p, previous.get(npsn), places) for npsn, p in current.items()),
                     key=lambda s: (s.level, s.kecamatan, s.name, s.npsn))
    missing = _missing(parsed, semester, set(current), places)
    total = sum((s.figures for s in reports), Figures())
    prev_total = sum((Figures(*p.counts) for p in previous.values()), Figures())
    return SekolahRekap(semester, reports, missing, _totals(reports, lambda s: s.level),
                        _totals(reports, lambda s: s.kecamatan), total, prev_total)


def _parse(row: CaseRow, semesters: _Semesters) -> _Parsed | None:
    f = row.fields
    counts = (max(0, as_int(f.get("jumlah_siswa"))), max(0, as_int(f.get("jumlah_rombel"))),
              max(0, as_int(f.get("jumlah_guru"))), max(0, as_int(f.get("siswa_putus_sekolah"))))
    npsn, year, half, level, address = (as_text(f.get(name), n) for name, n in _TEXT.items())
    return _parsed((row.id, row.reg_no, row.name, row.status, row.updated_at), npsn, year, half, level, address,
                   counts, semesters)


def _parsed(case: Sequence[Any], npsn: str, year: str, half: str, level: str, address: str,
            counts: Sequence[int], semesters: _Semesters) -> _Parsed | None:
    key = (year, half)
    if key in semesters:
        semester = semesters[key]
    else:
        semester = semesters[key] = Semester.of_texts(year, half)
    if not npsn or semester is None:
        return None
    return _Parsed(case[0], case[1], case[2], case[3], case[4], npsn, semester, level if level in LEVELS else "?",
                   address, (counts[0], counts[1], counts[2], counts[3]))


def _latest_accepted(parsed: list[_Parsed], semester: Semester) -> dict[str, _Parsed]:
    """Per school, its latest accepted report of ``semester`` (a corrected report replaces the first)."""
    out: dict[str, _Parsed] = {}
    for p in parsed:
        if p.semester == semester and p.status in ACCEPTED:
            have = out.get(p.npsn)
            if have is None or p.updated_at > have.updated_at:
                out[p.npsn] = p
    return out


def _report(p: _Parsed, prev: _Parsed | None, places: _Places) -> SchoolReport:
    return SchoolReport(p.npsn, p.name, p.level, _kecamatan(p.address, places), p.id, p.reg_no or UNNUMBERED,
                        Figures(*p.counts), Figures(*prev.counts) if prev else None)


def _missing(parsed: list[_Parsed], semester: Semester, reported: set[str],
             places: _Places) -> list[MissingSchool]:
    known: dict[str, _Parsed] = {}  # the school's latest report of an earlier semester
    pending: dict[str, str] = {}
    for p in parsed:
        if p.semester < semester and p.status not in CLOSED:
            have = known.get(p.npsn)
            if have is None or (p.semester, p.updated_at) > (have.semester, have.updated_at):
                known[p.npsn] = p
        elif p.semester == semester and p.status not in ACCEPTED | CLOSED:
            pending[p.npsn] = p.status
    labels = status_labels()
    out = [MissingSchool(npsn, p.name, p.level, _kecamatan(p.address, places), p.semester.label,
                         labels.get(pending[npsn], pending[npsn]) if npsn in pending else "")
           for npsn, p in known.items() if npsn not in reported]
    return sorted(out, key=lambda m: (m.level, m.kecamatan, m.name, m.npsn))


def _kecamatan_names(offices: OfficeDirectory) -> dict[str, str]:
    """Lower-case place name -> kecamatan name, for every kecamatan and kelurahan of the city."""
    kecamatan = {o.code: o.name for o in offices.of_level(OfficeLevel.KECAMATAN)}
    places = {_words(o.name): kecamatan[o.parent] for o in offices.of_level(OfficeLevel.KELURAHAN)
              if o.parent in kecamatan}
    places.update({_words(name): name for name in kecamatan.values()})
    return places


def _words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


class _Places(dict[str, str]):
    """Place names (see :func:`_kecamatan_names`), and the kecamatan of each address read so far: a school's
    address is the same in every report it sends."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__(names)
        self.seen: dict[str, str] = {}


def _kecamatan(address: str, places: _Places) -> str:
    found = places.seen.get(address)
    if found is None:
        found = places.seen[address] = _kecamatan_of(address, places)
    return found


def _kecamatan_of(address: str, places: _Places) -> str:
    """The kecamatan an address names (a kecamatan's name wins over a kelurahan's; the last one named wins
    among equals, as addresses go from street to city)."""
    words = re.findall(r"[a-z0-9]+", address.lower())
    found: list[tuple[int, int, str]] = []
    for i in range(len(words)):
        for n in (3, 2, 1):
            name = " ".join(words[i:i + n])
            if name in places:
                found.append((1 if _words(places[name]) == name else 0, i, places[name]))
                break
    return max(found)[2] if found else NO_KECAMATAN


def _totals(reports: list[SchoolReport], key: Callable[[SchoolReport], str]) -> list[Total]:
    groups: dict[str, list[SchoolReport]] = {}
    for s in reports:
        groups.setdefault(key(s), []).append(s)
    return [Total(k, len(v), sum((s.figures for s in v), Figures())) for k, v in sorted(groups.items())]
