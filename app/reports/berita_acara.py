"""What the berita acara of a kecamatan musrenbang records: the accepted proposals of one budget year, in the
rekap's ranking order, frozen into the BAMUS case as JSON when the kecamatan makes it (the approval signature
covers the case's fields, so the signed table cannot change afterwards), and read back — defensively, the
fields come from the network too — to print the table and its totals."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from app.domain.lifecycle import CaseStatus
from app.reports.common import as_int, as_text

if TYPE_CHECKING:  # the rekap reads the store; reading a frozen berita acara (the CLI's case show) does not
    from app.reports.musrenbang import MusrenbangRekap

SERVICE = "BAMUS"
FIELD = "usulan"
# The berita acara's own reference before it is registered (its case still a draft)
DRAFT_REFERENCE = "DRAF (belum bernomor)"
# Accepted: approved and signed by the Camat (and possibly already handed over).
ACCEPTED = frozenset({CaseStatus.APPROVED.value, CaseStatus.ISSUED.value})
MAX_COST = 10**15  # Rp, as a kelurahan's ceiling (musrenbang.MAX_CEILING): more is damage
MAX_ROWS = 1000  # a kecamatan has a few hundred proposals a year; more is damage, not a musrenbang


@dataclass(frozen=True, slots=True)
class Row:
    number: int  # 1.. in the berita acara (the rekap's ranking among the accepted proposals)
    reg_no: str
    kelurahan: str  # name
    proposer: str
    bidang: str  # label
    program: str
    kegiatan: str
    lokasi: str
    priority: int
    cost: int


@dataclass(frozen=True, slots=True)
class Subtotal:
    key: str
    count: int
    cost: int


def accepted(rekap: MusrenbangRekap) -> list[Row]:
    """The accepted proposals of ``rekap``, in its ranking order, numbered from 1."""
    chosen = [p for p in rekap.proposals if p.status in ACCEPTED]
    return [Row(i, p.reg_no, p.kelurahan_name, p.proposer, p.bidang_label,
                p.program, p.kegiatan, p.lokasi, p.priority, p.cost) for i, p in enumerate(chosen, start=1)]


def reference(reg_no: str | None) -> str:
    """How a berita acara is referred to: its registration number, or a draft mark until it has one."""
    return reg_no or DRAFT_REFERENCE


def freeze(rows: Iterable[Row]) -> str:
    """The rows as the case field stores them (compact JSON, one object per proposal)."""
    return json.dumps([{"no": r.number, "reg": r.reg_no, "kel": r.kelurahan, "pengusul": r.proposer,
                        "bidang": r.bidang, "program": r.program, "kegiatan": r.kegiatan, "lokasi": r.lokasi,
                        "prioritas": r.priority, "biaya": r.cost} for r in rows],
                      ensure_ascii=False, separators=(",", ":"))


def thaw(text: str) -> list[Row]:
    """The rows a stored field holds; anything that is not a list of objects reads as no rows."""
    try:
        raw = json.loads(text or "[]")
    except ValueError:
        return []
    if not isinstance(raw, list):
        return []
    out = []
    for i, item in enumerate(raw[:MAX_ROWS], start=1):
        if isinstance(item, dict):
            out.append(Row(i, as_text(item.get("reg"), 40), as_text(item.get("kel"), 80),
                           as_text(item.get("pengusul"), 120), as_text(item.get("bidang"), 80),
                           as_text(item.get("program"), 150), as_text(item.get("kegiatan"), 1000),
                           as_text(item.get("lokasi"), 200), as_int(item.get("prioritas")),
                           _money(item.get("biaya"))))
    return out


def _money(value: object) -> int:
    amount = as_int(value)
    return amount if 0 <= amount <= MAX_COST else 0


def _subtotals(rows: Iterable[Row], key: str) -> list[Subtotal]:
    sums: dict[str, list[int]] = {}
    for r in rows:
        slot = sums.setdefault(getattr(r, key), [0, 0])
        slot[0] += 1
        slot[1] += r.cost
    return [Subtotal(k, n, c) for k, (n, c) in sums.items()]


def per_kelurahan(rows: Iterable[Row]) -> list[Subtotal]:
    return sorted(_subtotals(rows, "kelurahan"), key=lambda t: t.key)


def per_bidang(rows: Iterable[Row]) -> list[Subtotal]:
    return sorted(_subtotals(rows, "bidang"), key=lambda t: (-t.cost, t.key))
