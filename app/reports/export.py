"""The rekaps as spreadsheets (formula-safe XLSX) and as printable PDF tables (A4 landscape, the letters'
fonts). Document text is in Bahasa Indonesia, as the offices file it."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar, overload
from xml.sax.saxutils import escape

from app.reports.musrenbang import MusrenbangRekap, Proposal
from app.reports.sekolah import Figures, SchoolReport, SekolahRekap
from app.reports.xlsx import Sheet, write_xlsx

MUSRENBANG_HEADERS = ("Peringkat", "No. registrasi", "Kelurahan", "Pengusul", "Bidang", "Program", "Kegiatan",
                      "Lokasi", "Prioritas", "Perkiraan biaya (Rp)", "Kumulatif kelurahan (Rp)", "Status",
                      "Melebihi pagu")
SEKOLAH_HEADERS = ("NPSN", "Nama sekolah", "Jenjang", "Kecamatan", "Peserta didik", "Rombel", "Guru",
                   "Putus sekolah", "Δ peserta didik", "Δ guru", "Δ putus sekolah", "No. registrasi")
T = TypeVar("T")
FIGURE_HEADERS = ("Sekolah", "Peserta didik", "Rombel", "Guru", "Putus sekolah")


def rupiah(amount: int | None) -> str:
    return "" if amount is None else "Rp " + f"{amount:,}".replace(",", ".")


class Rows(Sequence[tuple[object, ...]]):
    """A sheet's rows made one at a time from the rekap's records when they are read: the desktop table asks for
    the thirty it shows, not the 10,000 an opening would otherwise build (and build again per filter)."""

    def __init__(self, items: Sequence[T], row: Callable[[T], tuple[object, ...]]) -> None:
        self._items, self._row = items, row

    def __len__(self) -> int:
        return len(self._items)

    @overload
    def __getitem__(self, index: int) -> tuple[object, ...]: ...

    @overload
    def __getitem__(self, index: slice) -> list[tuple[object, ...]]: ...

    def __getitem__(self, index: int | slice) -> tuple[object, ...] | list[tuple[object, ...]]:
        if isinstance(index, slice):
            return [self._row(item) for item in self._items[index]]
        return self._row(self._items[index])

    def __iter__(self) -> Iterator[tuple[object, ...]]:
        return map(self._row, self._items)


def proposal_row(p: Proposal) -> tuple[object, ...]:
    return (p.rank, p.reg_no, p.kelurahan_name, p.proposer, p.bidang_label, p.program, p.kegiatan, p.lokasi,
            p.priority, p.cost, p.cumulative if p.active else None, p.status_label,
            "YA" if p.over_ceiling else None)


def musrenbang_sheets(rekap: MusrenbangRekap, proposals: Sequence[Proposal] | None = None) -> list[Sheet]:
    """The rekap's three sheets; ``proposals`` (default: all) are the rows of the first."""
    kel = [(k.name, k.count, k.cost, k.ceiling, k.remaining, k.over_count) for k in rekap.per_kelurahan]
    kel.append(("JUMLAH", rekap.total_count, rekap.total_cost, None, None, rekap.over_count))
    bid = [(b.label, b.count, b.cost) for b in rekap.per_bidang]
    rows = Rows(rekap.proposals if proposals is None else proposals, proposal_row)
    return [Sheet(f"Usulan {rekap.year}", MUSRENBANG_HEADERS, rows),
            Sheet("Per kelurahan", ("Kelurahan", "Usulan", "Biaya (Rp)", "Pagu indikatif (Rp)", "Sisa pagu (Rp)",
                                    "Usulan melebihi pagu"), kel),
            Sheet("Per bidang", ("Bidang", "Usulan", "Biaya (Rp)"), bid)]


def _change(f: Figures | None) -> tuple[int | None, int | None, int | None]:
    return (None, None, None) if f is None else (f.students, f.teachers, f.dropouts)


def report_row(s: SchoolReport) -> tuple[object, ...]:
    return (s.npsn, s.name, s.level, s.kecamatan, s.figures.students, s.figures.groups, s.figures.teachers,
            s.figures.dropouts, *_change(s.change), s.reg_no)


def sekolah_sheets(rekap: SekolahRekap, reports: Sequence[SchoolReport] | None = None) -> list[Sheet]:
    """The rekap's four sheets; ``reports`` (default: all) are the rows of the first."""
    rows = Rows(rekap.reports if reports is None else reports, report_row)
    level = [(t.key, t.schools, t.figures.students, t.figures.groups, t.figures.teachers, t.figures.dropouts)
             for t in rekap.per_level]
    t = rekap.total
    level.append(("JUMLAH", len(rekap.reports), t.students, t.groups, t.teachers, t.dropouts))
    kec = [(k.key, k.schools, k.figures.students, k.figures.groups, k.figures.teachers, k.figures.dropouts)
           for k in rekap.per_kecamatan]
    missing = [(m.npsn, m.name, m.level, m.kecamatan, m.last_semester, m.pending_status or None)
               for m in rekap.missing]
    return [Sheet(f"Laporan {rekap.semester.code}", SEKOLAH_HEADERS, rows),
            Sheet("Per jenjang", ("Jenjang", *FIGURE_HEADERS), level),
            Sheet("Per kecamatan", ("Kecamatan", *FIGURE_HEADERS), kec),
            Sheet("Belum melapor", ("NPSN", "Nama sekolah", "Jenjang", "Kecamatan", "Laporan terakhir",
                                    "Laporan semester ini"), missing)]


def write(path: Path, sheets: Sequence[Sheet], title: str, subtitle: str) -> None:
    """``path`` by its suffix: .xlsx or .pdf."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        write_xlsx(path, sheets)
    elif suffix == ".pdf":
        path.write_bytes(pdf(sheets, title, subtitle))
    else:
        raise ValueError(suffix)


def _money_column(header: str) -> bool:
    return "(Rp)" in header


def pdf(sheets: Sequence[Sheet], title: str, subtitle: str) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_RIGHT
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

    from app.letters.artwork import FONT, FONT_BOLD, register_fonts

    register_fonts()
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=7, leading=8.4)
    number = ParagraphStyle("number", parent=cell, alignment=TA_RIGHT)
    head = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD)
    h1 = ParagraphStyle("h1", fontName=FONT_BOLD, fontSize=13, leading=16, spaceAfter=2)
    h2 = ParagraphStyle("h2", fontName=FONT_BOLD, fontSize=10, leading=13, spaceBefore=6, spaceAfter=4)
    sub = ParagraphStyle("sub", fontName=FONT, fontSize=9, leading=11, spaceAfter=6)

    def text(value: object, header: str) -> Paragraph:
        if isinstance(value, int) and _money_column(header):
            shown = rupiah(value)
        elif isinstance(value, int):
            shown = f"{value:+d}" if header.startswith("Δ") else str(value)
        else:
            shown = "" if value is None else str(value)[:600]
        return Paragraph(escape(shown), number if isinstance(value, int) else cell)

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm,
                            topMargin=12 * mm, bottomMargin=12 * mm, title=title, invariant=1)
    story: list[object] = [Paragraph(escape(title), h1), Paragraph(escape(subtitle), sub)]
    for sheet in sheets:
        story.append(Paragraph(escape(sheet.title), h2))
        if not sheet.rows:
            story.append(Paragraph("(tidak ada)", cell))
            continue
        data = [[Paragraph(escape(h), head) for h in sheet.headers]]
        data += [[text(v, h) for v, h in zip(row, sheet.headers, strict=False)] for row in sheet.rows]
        table = LongTable(data, repeatRows=1, colWidths=_widths(sheet.headers, doc.width))
        table.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.3, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e4ecf5")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f6f6")]),
        ]))
        story += [table, Spacer(1, 4 * mm)]
    doc.build(story)
    return buf.getvalue()


_WIDE = {"Kegiatan": 2.8, "Program": 1.8, "Lokasi": 1.6, "Nama sekolah": 2.6, "Pengusul": 1.4, "Kelurahan": 1.4,
         "Bidang": 1.4, "Kecamatan": 1.3, "No. registrasi": 1.3, "Status": 1.2, "Peringkat": 1.1,
         "Prioritas": 1.0, "Melebihi pagu": 1.0}


_ROOMY = 12  # columns: a sheet with no more has room for a registration number unbroken


def _widths(headers: Sequence[str], total: float) -> list[float]:
    weights = [_WIDE.get(h, 1.6 if _money_column(h) else 1.0) for h in headers]
    if len(headers) <= _ROOMY and "No. registrasi" in headers:  # room for the number on one line
        weights[headers.index("No. registrasi")] = 2.2
    unit = total / sum(weights)
    return [w * unit for w in weights]
