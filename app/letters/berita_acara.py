"""Render the berita acara of a kecamatan musrenbang (service BAMUS) to an A4 PDF: the letter's kop surat,
title and number, the opening paragraphs of the catalogue, the table of accepted proposals frozen in the case,
totals per kelurahan and per bidang, the closing and the Camat's signature block with the verification QR.

Everything but the tables is the letter renderer's own drawing (``app.letters.render``), so the berita acara
has the same contract as a letter — deterministic bytes, the signature box for the PAdES stamp, the letter
number in /Keywords — and goes through the same signing path (``app.services.approvals``)."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.letters.artwork import BODY_SIZE, FONT, FONT_BOLD, LEADING, register_fonts
from app.letters.model import LetterData, RenderedLetter
from app.letters.render import (
    LEFT,
    LETTER_NUMBER_KEYWORD,
    TEMPLATE_KEYWORD,
    TEXT_W,
    _body,
    _close,
    _letterhead,
    _Page,
    _paragraph,
    _styles,
    render_letter,
)
from app.reports import berita_acara
from app.reports.berita_acara import Row, Subtotal

TEMPLATE = "berita-acara"
CELL_SIZE, CELL_LEADING = 8.2, 9.8
PAD: float = 1.4 * mm
# No. | Kelurahan / pengusul | Bidang | Program, kegiatan, lokasi | Prioritas | Perkiraan biaya
# (the second wide enough for a registration number on one line in REFERENCE_SIZE: a number broken in two
# reads as two)
WIDTHS = (8 * mm, 38 * mm, 22 * mm, 55 * mm, 12 * mm, 30 * mm)
REFERENCE_SIZE = 7


def rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _cell_styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("ba-cell", parent=_styles()["cell"], fontSize=CELL_SIZE, leading=CELL_LEADING)
    return {"left": base, "right": ParagraphStyle("ba-right", parent=base, alignment=TA_RIGHT),
            "center": ParagraphStyle("ba-center", parent=base, alignment=TA_CENTER),
            "head": ParagraphStyle("ba-head", parent=base, fontName=FONT_BOLD, alignment=TA_CENTER)}


class _Grid:
    """A ruled table drawn row by row on the letter's pages; the header row repeats after a page break."""

    def __init__(self, page: _Page, headers: Sequence[str], widths: Sequence[float], aligns: Sequence[str]) -> None:
        self.page, self.widths, self.aligns = page, widths, aligns
        self.styles = _cell_styles()
        self.headers = [Paragraph(escape(h), self.styles["head"]) for h in headers]
        self.header_h = self._height(self.headers)
        self.started_on = -1

    def _height(self, cells: Sequence[Paragraph]) -> float:
        heights = [float(p.wrap(w - 2 * PAD, 10_000)[1]) for p, w in zip(cells, self.widths, strict=True)]
        return max(heights) + 2 * PAD

    def _draw(self, cells: Sequence[Paragraph], height: float, shade: bool = False) -> None:
        c, y, x = self.page.c, self.page.y, LEFT
        c.saveState()
        c.setLineWidth(0.5)
        if shade:
            c.setFillColorRGB(0.92, 0.92, 0.92)
            c.rect(LEFT, y - height, sum(self.widths), height, stroke=0, fill=1)
            c.setFillColorRGB(0, 0, 0)
        for para, width in zip(cells, self.widths, strict=True):
            c.rect(x, y - height, width, height, stroke=1, fill=0)
            _, h = para.wrap(width - 2 * PAD, 10_000)
            para.drawOn(c, x + PAD, y - PAD - h)
            x += width
        c.restoreState()
        self.page.y -= height

    def row(self, values: Sequence[str], bold: bool = False, notes: Mapping[int, str] | None = None) -> None:
        """One row; ``notes`` adds a last line in small print to some cells (by column)."""
        cells = []
        for column, (value, align) in enumerate(zip(values, self.aligns, strict=True)):
            text = escape(value).replace("\n", "<br/>")
            if notes and column in notes:
                text += f'<br/><font size="{REFERENCE_SIZE}">{escape(notes[column])}</font>'
            cells.append(Paragraph(f"<b>{text}</b>" if bold else text, self.styles[align]))
        height = self._height(cells)
        before = self.page.index
        self.page.need(height + (self.header_h if self.started_on != self.page.index else 0))
        if self.started_on != self.page.index or self.page.index != before:
            self._draw(self.headers, self.header_h, shade=True)
            self.started_on = self.page.index
        self._draw(cells, height)

    def end(self) -> None:
        self.page.y -= 6 * mm


def _proposals(page: _Page, rows: list[Row]) -> None:
    grid = _Grid(page, ("No.", "Kelurahan / pengusul", "Bidang", "Program, kegiatan dan lokasi", "Prio.",
                        "Perkiraan biaya"), WIDTHS, ("center", "left", "left", "left", "center", "right"))
    for r in rows:
        grid.row((str(r.number), f"{r.kelurahan}\n{r.proposer}", r.bidang,
                  f"{r.program}\n{r.kegiatan}\nLokasi: {r.lokasi}", str(r.priority), rupiah(r.cost)),
                 notes={1: r.reg_no})
    grid.row(("", "JUMLAH", "", f"{len(rows)} usulan", "", rupiah(sum(r.cost for r in rows))), bold=True)
    grid.end()


def _totals(page: _Page, title: str, label: str, totals: list[Subtotal]) -> None:
    _paragraph(page, escape(title), _styles()["body"], LEFT, TEXT_W, gap=3)
    widths = (8 * mm, 87 * mm, 40 * mm, 30 * mm)
    grid = _Grid(page, ("No.", label, "Jumlah usulan", "Perkiraan biaya"), widths,
                 ("center", "left", "center", "right"))
    for i, t in enumerate(totals, start=1):
        grid.row((str(i), t.key, str(t.count), rupiah(t.cost)))
    grid.row(("", "JUMLAH", str(sum(t.count for t in totals)), rupiah(sum(t.cost for t in totals))), bold=True)
    grid.end()


def render_berita_acara(data: LetterData) -> RenderedLetter:
    """Render one berita acara; deterministic for equal ``data``, like :func:`app.letters.render.render_letter`."""
    register_fonts()
    rows = berita_acara.thaw(str(data.fields.get(berita_acara.FIELD, "")))
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT,
               initialFontSize=BODY_SIZE, initialLeading=LEADING)
    c.setFont(FONT, BODY_SIZE)
    title = data.service.letter.title
    c.setTitle(f"{title} {data.number}")
    c.setAuthor(data.office.display_name)
    c.setSubject(title)
    c.setCreator("Loket")
    c.setKeywords(f"{LETTER_NUMBER_KEYWORD}{data.number}; {TEMPLATE_KEYWORD}{data.template}")
    page = _Page(c, data)
    page.y = _letterhead(c, data.office) - 8 * mm
    heading = ParagraphStyle("ba-title", fontName=FONT_BOLD, fontSize=12.5, leading=15, alignment=TA_CENTER)
    _paragraph(page, f"<u>{escape(title)}</u>", heading, LEFT, TEXT_W, gap=2)
    _paragraph(page, escape(f"Nomor: {data.number}"), ParagraphStyle("ba-no", parent=_styles()["cell"],
                                                                     alignment=TA_CENTER), LEFT, TEXT_W, gap=16)
    _body(page, data)
    _proposals(page, rows)
    _totals(page, "Rekapitulasi per kelurahan:", "Kelurahan", berita_acara.per_kelurahan(rows))
    _totals(page, "Rekapitulasi per bidang:", "Bidang", berita_acara.per_bidang(rows))
    return _close(page, buf)


def render_document(data: LetterData) -> RenderedLetter:
    """The document of ``data``'s service drawn as it is signed: a berita acara in its own layout, any other
    service as a letter. The signing path and the draft preview both draw through here, so what a signer sees
    before signing is what is signed (but for the number, still to come)."""
    if data.service.template == TEMPLATE:
        return render_berita_acara(data)
    return render_letter(data)
