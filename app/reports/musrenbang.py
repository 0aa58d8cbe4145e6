"""Musrenbang rekap: every kelurahan proposal (USULMUS) of one budget year that reached a kecamatan (or the
whole city), ranked by priority, totalled per kelurahan and per bidang, checked against each kelurahan's
ceiling (pagu indikatif) set by the kecamatan."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from sqlalchemy.orm import Session

from app.domain.lifecycle import CaseStatus
from app.domain.offices import OfficeDirectory, OfficeLevel
from app.reports.common import UNNUMBERED, CaseRow, as_int, as_text, decode, status_labels
from app.storage import meta
from app.storage.rekap_rows import USULAN_TEXT as _TEXT
from app.storage.rekap_rows import usulan_rows

SERVICE = "USULMUS"
# Proposals that no longer compete for the budget: shown in the list, left out of totals and ceilings.
INACTIVE = frozenset({CaseStatus.REJECTED.value, CaseStatus.WITHDRAWN.value})
# The lowest priority rank a proposal can have (catalogue: 1..99); a missing rank sorts last.
NO_PRIORITY = 100
MAX_CEILING = 10**15  # Rp; anything larger is a typing mistake


@dataclass(slots=True)  # not frozen: 10,000 of them are made per opening (a frozen __init__ costs ~8x)
class Proposal:
    rank: int | None  # 1 = first in the kecamatan's priority order; None for a rejected or withdrawn one
    case_id: str
    reg_no: str  # or UNNUMBERED
    kelurahan: str  # office code
    kelurahan_name: str
    proposer: str  # the RW or LPMK (the case name)
    status: str
    status_label: str
    bidang: str
    bidang_label: str
    program: str
    kegiatan: str
    lokasi: str
    priority: int
    cost: int
    beneficiaries: int
    active: bool
    cumulative: int  # the kelurahan's active cost up to and including this one, in priority order
    over_ceiling: bool  # the cumulative cost passes the kelurahan's ceiling


@dataclass(frozen=True, slots=True)
class KelurahanTotal:
    code: str
    name: str
    count: int  # active proposals
    cost: int
    ceiling: int | None
    over_count: int

    @property
    def remaining(self) -> int | None:
        return None if self.ceiling is None else self.ceiling - self.cost


@dataclass(frozen=True, slots=True)
class BidangTotal:
    bidang: str
    label: str
    count: int
    cost: int


@dataclass(frozen=True, slots=True)
class MusrenbangRekap:
    year: int
    area: str | None  # kecamatan code, or None for the city
    area_name: str
    proposals: list[Proposal]
    per_kelurahan: list[KelurahanTotal]
    per_bidang: list[BidangTotal]

    @property
    def total_cost(self) -> int:
        return sum(k.cost for k in self.per_kelurahan)

    @property
    def total_count(self) -> int:
        return sum(k.count for k in self.per_kelurahan)

    @property
    def over_count(self) -> int:
        return sum(1 for p in self.proposals if p.over_ceiling)


def kelurahan_of(offices: OfficeDirectory, kecamatan: str | None) -> list[str]:
    """The kelurahan codes of one kecamatan, or of the whole city."""
    return sorted(o.code for o in offices.of_level(OfficeLevel.KELURAHAN)
                  if kecamatan is None or o.parent == kecamatan)


def ceilings(session: Session, year: int, codes: list[str]) -> dict[str, int]:
    return meta.ceilings(session, year, codes)


def set_ceiling(session: Session, year: int, kelurahan: str, amount: int | None) -> None:
    """Record (or with ``None`` clear) a kelurahan's ceiling for a budget year, on this laptop."""
    if amount is not None and not 0 <= amount <= MAX_CEILING:
        raise ValueError(amount)
    meta.set_ceiling(session, year, kelurahan, amount)


# One proposal as the ranking reads it: (case id, reg_no, kelurahan, proposer, status, year, priority, cost,
# beneficiaries, bidang, program, kegiatan, lokasi), numbers and texts already made safe.
Usulan = tuple[str, str | None, str, str, str, int, int, int, int, str, str, str, str]


def usulan(r: CaseRow) -> Usulan:
    """A USULMUS case's fields as the ranking reads them (any store)."""
    f = r.fields
    return (r.id, r.reg_no, r.office, r.name, r.status, as_int(f.get("tahun_anggaran")),
            as_int(f.get("prioritas"), NO_PRIORITY) or NO_PRIORITY, max(0, as_int(f.get("estimasi_biaya"))),
            max(0, as_int(f.get("penerima_manfaat"))), as_text(f.get("bidang"), _TEXT["bidang"]),
            as_text(f.get("program"), _TEXT["program"]), as_text(f.get("kegiatan"), _TEXT["kegiatan"]),
            as_text(f.get("lokasi"), _TEXT["lokasi"]))


def stored(session: Session, codes: list[str], year: int) -> list[Usulan]:
    """The year's proposals of ``codes`` in the laptop's store: the kept columns, and the few cases whose
    fields need the full decoding decoded here (the same values either way)."""
    out: list[Usulan] = []
    for row in usulan_rows(session, codes, year, NO_PRIORITY):
        if row[-1] is None:
            out.append(row[:-1])
        else:
            u = usulan(CaseRow(row[0], row[1], row[2], row[3], row[4], "", decode(row[-1])))
            if u[5] == year:
                out.append(u)
    return out


def compute(session: Session, offices: OfficeDirectory, year: int, kecamatan: str | None = None,
            bidang_labels: Mapping[str, str] | None = None) -> MusrenbangRekap:
    """The rekap from the laptop's store (its cases and the ceilings set on it)."""
    codes = kelurahan_of(offices, kecamatan)
    return ranked(stored(session, codes, year), offices, year, kecamatan, bidang_labels,
                  ceilings(session, year, codes))


def from_rows(rows: Iterable[CaseRow], offices: OfficeDirectory, year: int, kecamatan: str | None,
              bidang_labels: Mapping[str, str] | None, pagu: Mapping[str, int]) -> MusrenbangRekap:
    """The rekap of ``rows`` (USULMUS cases, any store); rows of another year or area are left out."""
    return ranked([u for u in map(usulan, rows) if u[5] == year], offices, year, kecamatan, bidang_labels, pagu)


def ranked(rows: Iterable[Usulan], offices: OfficeDirectory, year: int, kecamatan: str | None,
           bidang_labels: Mapping[str, str] | None, pagu: Mapping[str, int]) -> MusrenbangRekap:
    """The rekap of the year's proposals ``rows``; rows of another area are left out."""
    codes = kelurahan_of(offices, kecamatan)
    labels = bidang_labels or {}
    status_text = status_labels()

    def name_of(code: str) -> str:
        office = offices.get(code)
        return office.name if office else code

    names = {code: name_of(code) for code in codes}
    # ((inactive, priority, -cost, kelurahan name, number), row): the ranking order
    raw = [((u[4] in INACTIVE, u[6], -u[7], names[u[2]], u[1] or u[0]), u) for u in rows if u[2] in names]
    raw.sort(key=itemgetter(0))
    running: dict[str, int] = {}
    proposals: list[Proposal] = []
    append = proposals.append
    for place, ((inactive, priority, _cost, kelurahan_name, _tie), u) in enumerate(raw, start=1):
        case_id, reg_no, office, proposer, status, _year, _p, cost, beneficiaries, bidang, program, kegiatan, \
            lokasi = u
        active = not inactive
        cumulative = running.get(office, 0) + (cost if active else 0)
        if active:
            running[office] = cumulative
        ceiling = pagu.get(office)
        append(Proposal(place if active else None, case_id, reg_no or UNNUMBERED, office, kelurahan_name,
                        proposer, status, status_text.get(status, status), bidang, labels.get(bidang, bidang),
                        program, kegiatan, lokasi, priority, cost, beneficiaries, active, cumulative,
                        active and ceiling is not None and cumulative > ceiling))
    return MusrenbangRekap(year, kecamatan, _area_name(offices, kecamatan), proposals,
                           _per_kelurahan(proposals, codes, pagu, name_of), _per_bidang(proposals, labels))


def _area_name(offices: OfficeDirectory, kecamatan: str | None) -> str:
    if kecamatan is None:
        city = offices.of_level(OfficeLevel.CITY)
        return city[0].display_name if city else "Kota"
    office = offices.get(kecamatan)
    return office.display_name if office else kecamatan


def _per_kelurahan(proposals: list[Proposal], codes: list[str], pagu: Mapping[str, int],
                   name_of: Callable[[str], str]) -> list[KelurahanTotal]:
    """One line per kelurahan that proposed something or has a ceiling, in code order."""
    groups: dict[str, list[Proposal]] = {code: [] for code in pagu}
    for p in proposals:
        mine = groups.setdefault(p.kelurahan, [])
        if p.active:
            mine.append(p)
    return [KelurahanTotal(code, name_of(code), len(groups[code]), sum(p.cost for p in groups[code]),
                           pagu.get(code), sum(1 for p in groups[code] if p.over_ceiling))
            for code in codes if code in groups]


def _per_bidang(proposals: list[Proposal], labels: Mapping[str, str]) -> list[BidangTotal]:
    totals: dict[str, list[int]] = {}
    for p in proposals:
        if p.active:
            slot = totals.setdefault(p.bidang, [0, 0])
            slot[0] += 1
            slot[1] += p.cost
    return sorted((BidangTotal(b, labels.get(b, b), n, c) for b, (n, c) in totals.items()),
                  key=lambda t: (-t.cost, t.bidang))
