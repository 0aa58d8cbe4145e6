"""Render an official letter (naskah dinas) to an A4 PDF with reportlab — no Qt, identical bytes everywhere.

Contract
--------
``render_letter(LetterData) -> RenderedLetter``: the PDF bytes, their SHA-256, and the rectangle (page index
and PDF points) where the visible signature stamp goes. The same input gives the same bytes (reportlab's
invariant mode; no clock, no randomness), so the CLI, the server and the GUI agree on the hash an approval
event signs. Fonts are the Liberation Sans files in ``resources/fonts`` embedded as subsets; the canvas font
is set before anything is drawn so no unembedded base-14 font appears. ≈ 30 ms per letter.

The letter text is always Bahasa Indonesia (it is an official document), whatever the UI language.

Body: ``service.letter.paragraphs``; ``{office_name}``, ``{kecamatan_name}``, ``{signer_position}`` and any
field key are substituted; ``{<key>_text}`` expands to ``", <label> <value>"`` when the field has a value and
to nothing otherwise (for optional phrases such as "sejak …"); a paragraph ``@data k1, k2, a/b`` becomes a
"label : value" table whose labels come from the catalogue (``nama``/``nik`` are the case's name and NIK).
Dates print as "17 Agustus 2026", choices as their label, money as "Rp 1.500.000". ``LetterData.earlier``
(the earlier signed steps of a longer approval chain) prints as a short table before the signature.
"""

from __future__ import annotations

import hashlib
import io
import re
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_JUSTIFY, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.domain.catalog import FieldSpec
from app.letters.artwork import (
    BODY_SIZE,
    FONT,
    FONT_BOLD,
    FONT_ITALIC,
    INDENT,
    LEADING,
    draw_emblem,
    register_fonts,
    render_stamp,
)
from app.letters.model import (
    Delegation,
    LetterData,
    LetterOffice,
    Rect,
    RenderedLetter,
    Signer,
    format_value,
    tanggal,
    today_wib,
)
from app.letters.qr import DEFAULT_SIZE as QR_SIZE
from app.letters.qr import draw_qr, quiet_zone_width

__all__ = ["Delegation", "LetterData", "LetterOffice", "Rect", "RenderedLetter", "Signer", "format_value",
           "letter_number_from_keywords", "render_letter", "render_stamp", "tanggal", "today_wib", "STAMP_W",
           "STAMP_H"]

LETTER_NUMBER_KEYWORD = "loket-letter-number="
TEMPLATE_KEYWORD = "loket-template="

PAGE_W, PAGE_H = A4
LEFT, RIGHT, TOP, BOTTOM = 25 * mm, 20 * mm, 12 * mm, 14 * mm
TEXT_W = PAGE_W - LEFT - RIGHT
FOOTER_H = 20 * mm  # reserved at the bottom of every page for the electronic-signature statement
SIG_BLOCK_X = PAGE_W - RIGHT - 72 * mm
STAMP_W, STAMP_H = 72 * mm, 24 * mm

FOOTER_TEXT = (
    "Dokumen ini ditandatangani secara elektronik menggunakan sertifikat elektronik yang diterbitkan oleh "
    "Otoritas Sertifikat (CA) Pemerintah Kota Malang (tanda tangan elektronik tidak tersertifikasi, "
    "PP No. 71 Tahun 2019). Sesuai UU No. 11 Tahun 2008 tentang Informasi dan Transaksi Elektronik "
    "sebagaimana diubah dengan UU No. 19 Tahun 2016, dokumen elektronik dan hasil cetaknya merupakan alat "
    "bukti hukum yang sah. Periksa keaslian dokumen dengan memindai kode QR atau membuka {url}"
)


def _label_id(spec: FieldSpec | None, key: str) -> str:
    return spec.labels.get("id", key) if spec else key.replace("_", " ").capitalize()


def _pair_label(a: str, b: str) -> str:
    """'Tempat lahir' + 'Tanggal lahir' → 'Tempat/tanggal lahir' (shared trailing words written once)."""
    wa, wb = a.split(), b.split()
    shared = 0
    while shared < min(len(wa), len(wb)) - 1 and wa[-1 - shared].lower() == wb[-1 - shared].lower():
        shared += 1
    if shared:
        tail = " ".join(wa[len(wa) - shared:])
        return f"{' '.join(wa[:len(wa) - shared])}/{' '.join(wb[:len(wb) - shared]).lower()} {tail}"
    return f"{a}/{b}"


class _Values(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _values(data: LetterData) -> _Values:
    origin = data.case_office or data.office
    out = _Values(office_name=origin.display_name, kecamatan_name=origin.kecamatan_name,
                  signer_position=data.signer.body_position, nama=data.case_name, nik=data.case_nik or "",
                  nomor=data.number, tanggal=tanggal(data.letter_date))
    for spec in data.service.fields:
        value = format_value(spec, data.fields.get(spec.key, ""))
        out[spec.key] = value
        label = spec.labels.get("id", spec.key)
        out[f"{spec.key}_text"] = f", {label[:1].lower()}{label[1:]} {value}" if value else ""
    return out


def _row(data: LetterData, values: _Values, item: str) -> tuple[str, str]:
    keys = [k.strip() for k in item.split("/") if k.strip()]
    labels, parts = [], []
    for key in keys:
        if key == "nama":
            labels.append(data.name_label)
        elif key == "nik":
            labels.append("NIK")
        else:
            labels.append(_label_id(data.service.field(key), key))
        parts.append(values.get(key, ""))
    label = labels[0]
    for other in labels[1:]:
        label = _pair_label(label, other)
    # "Malang, 17 Agustus 1990" for place/date pairs; "120 meter" for quantity/unit pairs.
    joiner = ", " if any(data.service.field(k) and data.service.field(k).type == "date"  # type: ignore[union-attr]
                         for k in keys[1:]) else " "
    value = joiner.join(p for p in parts if p) or "-"
    return label, value


# -- drawing ------------------------------------------------------------------------------------------

@cache
def _styles() -> dict[str, ParagraphStyle]:
    register_fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=BODY_SIZE, leading=LEADING, alignment=TA_JUSTIFY,
                          firstLineIndent=INDENT)
    return {
        "body": body,
        "cell": ParagraphStyle("cell", parent=body, firstLineIndent=0, alignment=TA_LEFT),
        # left-aligned: a long verification address on its own line must not stretch the line above, and five
        # lines still fit above the page number
        "footer": ParagraphStyle("footer", fontName=FONT_ITALIC, fontSize=7.2, leading=8.4, alignment=TA_LEFT),
    }


class _Page:
    """A y cursor over the pages of one letter; starts a new page when a block does not fit."""

    def __init__(self, c: Canvas, data: LetterData) -> None:
        self.c = c
        self.data = data
        self.index = 0
        self.y = PAGE_H - TOP

    def _footer(self) -> None:
        c = self.c
        c.setStrokeColorRGB(0.5, 0.5, 0.5)
        c.setLineWidth(0.5)
        c.line(LEFT, BOTTOM + FOOTER_H - 3 * mm, PAGE_W - RIGHT, BOTTOM + FOOTER_H - 3 * mm)
        text = escape(FOOTER_TEXT.format(url=self.data.verify_url))
        para = Paragraph(text, _styles()["footer"])
        _, h = para.wrap(TEXT_W, FOOTER_H)
        para.drawOn(c, LEFT, BOTTOM + FOOTER_H - 4.5 * mm - h)
        c.setFont(FONT, 7)
        c.setFillColorRGB(0.35, 0.35, 0.35)
        c.drawRightString(PAGE_W - RIGHT, BOTTOM - 1 * mm,
                          f"Halaman {self.index + 1} \u2022 {self.data.number} \u2022 {self.data.template}")
        c.setFillColorRGB(0, 0, 0)

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM + FOOTER_H:
            self._footer()
            self.c.showPage()
            self.c.setFont(FONT, BODY_SIZE)
            self.index += 1
            self.y = PAGE_H - 20 * mm

    def finish(self) -> None:
        self._footer()
        self.c.showPage()


def _letterhead(c: Canvas, office: LetterOffice) -> float:
    emblem_w, emblem_h = 21 * mm, 25 * mm
    top = PAGE_H - TOP
    draw_emblem(c, LEFT, top - emblem_h, emblem_w, emblem_h)
    lines = office.letterhead()
    cx = (LEFT + emblem_w + 3 * mm + PAGE_W - RIGHT) / 2
    max_w = PAGE_W - RIGHT - (LEFT + emblem_w + 4 * mm)
    y = top - 5.5 * mm
    for i, line in enumerate(lines):
        size = 16.0 if i == len(lines) - 1 and len(lines) > 1 else 14.0
        while size > 9 and pdfmetrics.stringWidth(line, FONT_BOLD, size) > max_w:
            size -= 0.5
        c.setFont(FONT_BOLD, size)
        c.drawCentredString(cx, y, line)
        y -= size + 3
    if office.address:
        size = 9.0
        while size > 6.5 and pdfmetrics.stringWidth(office.address, FONT, size) > max_w:
            size -= 0.25
        c.setFont(FONT, size)
        c.drawCentredString(cx, y - 1, office.address)
        y -= size + 2
    y = min(y, top - emblem_h) - 3 * mm
    c.setLineWidth(2.2)
    c.line(LEFT, y, PAGE_W - RIGHT, y)
    c.setLineWidth(0.6)
    c.line(LEFT, y - 3, PAGE_W - RIGHT, y - 3)
    return float(y - 3)


def _paragraph(page: _Page, text: str, style: ParagraphStyle, x: float, width: float,
               gap: float = 5) -> None:
    para = Paragraph(text, style)
    _, h = para.wrap(width, PAGE_H)
    page.need(h + gap)
    para.drawOn(page.c, x, page.y - h)
    page.y -= h + gap


def _table(page: _Page, rows: list[tuple[str, str]]) -> None:
    cell = _styles()["cell"]
    label_w = min(62 * mm, max(pdfmetrics.stringWidth(lab, FONT, BODY_SIZE) for lab, _ in rows) + 4 * mm)
    x_label, x_colon = LEFT + INDENT, LEFT + INDENT + label_w
    x_value = x_colon + 4 * mm
    value_w = PAGE_W - RIGHT - x_value
    c = page.c
    colon = Paragraph(":", cell)
    _, colon_h = colon.wrap(4 * mm, PAGE_H)
    for label, value in rows:
        para = Paragraph(escape(value).replace("\n", "<br/>"), cell)
        _, h = para.wrap(value_w, PAGE_H)
        label_para = Paragraph(escape(label), cell)
        _, lh = label_para.wrap(label_w - 2 * mm, PAGE_H)
        height = max(h, lh)
        page.need(height + 1)
        label_para.drawOn(c, x_label, page.y - lh)
        colon.drawOn(c, x_colon, page.y - colon_h)
        para.drawOn(c, x_value, page.y - h)
        page.y -= height + 1
    page.y -= 5


def _fill(template: str, values: _Values) -> str:
    try:
        return template.format_map(values)
    except (ValueError, IndexError, AttributeError):
        return template  # a malformed template shows as written rather than failing the whole batch


def _body(page: _Page, data: LetterData) -> None:
    styles = _styles()
    values = _values(data)
    for template in data.service.letter.paragraphs:
        if template.lstrip().startswith("@data"):
            items = [i for i in template.lstrip()[5:].split(",") if i.strip()]
            rows = [_row(data, values, item) for item in items]
            if rows:
                _table(page, rows)
            continue
        text = _fill(template, values)
        if text.strip():
            _paragraph(page, escape(text).replace("\n", "<br/>"), styles["body"], LEFT, TEXT_W, gap=7)


def _earlier(page: _Page, data: LetterData) -> None:
    """The earlier signed steps of the approval chain (e.g. the Lurah's recommendation), before the signature."""
    if not data.earlier:
        return
    _paragraph(page, "Persetujuan berjenjang yang telah ditandatangani secara elektronik sebelumnya:",
               _styles()["body"], LEFT, TEXT_W, gap=4)
    rows = []
    for step in data.earlier:
        who = f"{step.name}, NIP. {step.nip}" if step.nip else step.name
        rows.append((step.position, f"{who}; ditandatangani {tanggal(step.date)}"))
    _table(page, rows)


def _signature_block(page: _Page, data: LetterData) -> Rect:
    c, signer = page.c, data.signer
    width = PAGE_W - RIGHT - SIG_BLOCK_X
    lines: list[str] = []
    for line in (f"{data.place}, {tanggal(data.letter_date)}", *signer.block_lines()):
        lines += simpleSplit(line, FONT, BODY_SIZE, width)
    tail = 2 + (1 if signer.rank else 0)
    height = 8 * mm + LEADING * len(lines) + STAMP_H + 3 * mm + LEADING * tail
    # The closing sentence stays on the page of the signature ("keep with next"): a signature alone on a
    # page, under nothing, is what forgers look for.
    closing = None
    closing_h = 0.0
    if data.service.letter.closing:
        closing = Paragraph(escape(_fill(data.service.letter.closing, _values(data))), _styles()["body"])
        closing_h = closing.wrap(TEXT_W, PAGE_H)[1] + 5
    page.need(closing_h + max(height, QR_SIZE + 12 * mm))
    if closing is not None:
        closing.drawOn(c, LEFT, page.y - closing_h + 5)
        page.y -= closing_h
    y = page.y - 6 * mm
    c.setFont(FONT, BODY_SIZE)
    for line in lines:
        y -= LEADING
        c.drawString(SIG_BLOCK_X, y + 3, line)
    y -= 2 * mm
    box = Rect(page.index, SIG_BLOCK_X, y - STAMP_H, SIG_BLOCK_X + STAMP_W, y)
    # A faint frame so a printed but unsigned draft shows where the stamp belongs; the stamp covers it.
    c.saveState()
    c.setStrokeColorRGB(0.8, 0.8, 0.8)
    c.setLineWidth(0.4)
    c.setDash(2, 2)
    c.rect(box.x1, box.y1, STAMP_W, STAMP_H, stroke=1, fill=0)
    c.restoreState()
    y = box.y1 - 3 * mm - LEADING + 3
    size = BODY_SIZE
    while size > 8 and pdfmetrics.stringWidth(signer.name, FONT_BOLD, size) > width:
        size -= 0.5
    c.setFont(FONT_BOLD, size)
    c.drawString(SIG_BLOCK_X, y, signer.name)
    c.setLineWidth(0.7)
    name_w = pdfmetrics.stringWidth(signer.name, FONT_BOLD, size)
    c.line(SIG_BLOCK_X, y - 1.8, SIG_BLOCK_X + name_w, y - 1.8)
    c.setFont(FONT, BODY_SIZE)
    if signer.rank:
        y -= LEADING
        c.drawString(SIG_BLOCK_X, y, signer.rank)
    y -= LEADING
    c.drawString(SIG_BLOCK_X, y, f"NIP. {signer.nip}")
    # The QR code sits left of the block, level with the stamp; the quiet zone (4 modules ≈ 3 mm) is blank,
    # so the code is shifted left by that much to line up with the text margin.
    qr_y = (box.y1 + box.y2) / 2 - QR_SIZE / 2
    quiet = quiet_zone_width(data.verify_url)
    draw_qr(c, data.verify_url, LEFT - quiet, qr_y)
    c.setFont(FONT, 7)
    c.drawString(LEFT, qr_y + quiet - 9, "Pindai kode QR untuk memeriksa keaslian surat ini")
    page.y = min(y, qr_y) - 4 * mm
    return box


def _close(page: _Page, buf: io.BytesIO) -> RenderedLetter:
    """The signer's block under the body, the last page finished, and the document with its hash."""
    box = _signature_block(page, page.data)
    pages = page.index + 1
    page.finish()
    page.c.save()
    pdf = buf.getvalue()
    return RenderedLetter(pdf=pdf, sha256=hashlib.sha256(pdf).hexdigest(), signature_box=box, pages=pages)


def render_letter(data: LetterData) -> RenderedLetter:
    """Render one letter; deterministic for equal ``data`` (see the module docstring for template rules)."""
    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A4, invariant=1, pageCompression=1, initialFontName=FONT,
               initialFontSize=BODY_SIZE, initialLeading=LEADING)
    # Our font before anything else, or reportlab's initial Helvetica lands in the page resources.
    c.setFont(FONT, BODY_SIZE)
    c.setTitle(f"{data.service.letter.title} {data.number}")
    c.setAuthor(data.office.display_name)
    c.setSubject(data.service.letter.title)
    c.setCreator("Loket")
    c.setKeywords(f"{LETTER_NUMBER_KEYWORD}{data.number}; {TEMPLATE_KEYWORD}{data.template}")
    page = _Page(c, data)
    page.y = _letterhead(c, data.office) - 8 * mm
    c.setFont(FONT_BOLD, 12.5)
    c.setLineWidth(0.8)
    for i, title in enumerate(simpleSplit(data.service.letter.title, FONT_BOLD, 12.5, TEXT_W)):
        if i:
            page.y -= LEADING
        c.drawCentredString(PAGE_W / 2, page.y, title)
        tw = pdfmetrics.stringWidth(title, FONT_BOLD, 12.5)
        c.line(PAGE_W / 2 - tw / 2, page.y - 2, PAGE_W / 2 + tw / 2, page.y - 2)
    c.setFont(FONT, BODY_SIZE)
    page.y -= LEADING
    c.drawCentredString(PAGE_W / 2, page.y, f"Nomor: {data.number}")
    page.y -= 8 * mm
    _body(page, data)
    _earlier(page, data)
    return _close(page, buf)


_NUMBER_RE = re.compile(re.escape(LETTER_NUMBER_KEYWORD) + r"([^;]+)")


def letter_number_from_keywords(keywords: str) -> str | None:
    """The letter number :func:`render_letter` wrote into the PDF's /Keywords, if any."""
    m = _NUMBER_RE.search(keywords or "")
    return m.group(1).strip() if m else None

