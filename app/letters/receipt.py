"""The citizen's receipt (tanda terima) as an A5 PDF, with the letters' fonts and emblem (reportlab, no Qt).

Always in Bahasa Indonesia (a document handed over the counter). The NIK is masked but for its last four
digits; the access code is printed once, for the citizen, next to the status page's address. The QR code
opens the status page with the registration number filled in, never with the access code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from urllib.parse import quote
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app.letters.artwork import FONT, FONT_BOLD, FONT_ITALIC, draw_emblem, register_fonts
from app.letters.model import LetterOffice
from app.letters.qr import draw_qr

PAGE_W, PAGE_H = A5
MARGIN = 12 * mm
TEXT_W = PAGE_W - 2 * MARGIN
SIZE, LEADING = 9.5, 12.0


@dataclass(frozen=True)
class ReceiptData:
    reg_no: str
    access_code: str
    service_name: str
    service_code: str
    office: LetterOffice
    citizen_name: str
    nik_masked: str
    registered_at: str  # "2 Desember 2026, 09.15 WIB" (app.timefmt.moment_long)
    due: str  # "9 Desember 2026"
    received: tuple[str, ...]
    missing: tuple[str, ...]
    status_url: str  # <server>/status
    clerk: str


def mask_nik(nik: str | None) -> str:
    """``************0003``: only the last four digits show."""
    if not nik:
        return "-"
    return "*" * max(0, len(nik) - 4) + nik[-4:]


def _fit(c: Canvas, text: str, font: str, size: float, width: float) -> float:
    while size > 6 and pdfmetrics.stringWidth(text, font, size) > width:
        size -= 0.25
    c.setFont(font, size)
    return size


def _head(c: Canvas, office: LetterOffice) -> float:
    top = PAGE_H - MARGIN
    emblem_w, emblem_h = 13 * mm, 15.5 * mm
    draw_emblem(c, MARGIN, top - emblem_h, emblem_w, emblem_h)
    cx = (MARGIN + emblem_w + PAGE_W - MARGIN) / 2
    y = top - 4 * mm
    for line in office.letterhead():
        size = _fit(c, line, FONT_BOLD, 10.5, TEXT_W - emblem_w - 3 * mm)
        c.drawCentredString(cx, y, line)
        y -= size + 2.5
    y = min(y, top - emblem_h) - 2 * mm
    c.setLineWidth(1.4)
    c.line(MARGIN, y, PAGE_W - MARGIN, y)
    return float(y - 7 * mm)


def _para(c: Canvas, text: str, y: float, style: ParagraphStyle, x: float = MARGIN, width: float = TEXT_W) -> float:
    p = Paragraph(text, style)
    _w, h = p.wrap(width, PAGE_H)
    p.drawOn(c, x, y - h)
    return float(y - h)


def _rows(c: Canvas, rows: list[tuple[str, str]], y: float, style: ParagraphStyle) -> float:
    label_w = 36 * mm
    for label, value in rows:
        c.setFont(FONT, SIZE)
        c.drawString(MARGIN, y - SIZE, label)
        c.drawString(MARGIN + label_w - 3 * mm, y - SIZE, ":")
        bottom = _para(c, escape(value), y + 0.5, style, MARGIN + label_w, TEXT_W - label_w) - 1.5
        y = min(bottom, y - LEADING) - 2.5
    return y


def render_receipt(data: ReceiptData) -> bytes:
    """The receipt's PDF bytes (deterministic for equal ``data``)."""
    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=A5, invariant=1, pageCompression=1, initialFontName=FONT, initialFontSize=SIZE)
    c.setFont(FONT, SIZE)
    c.setTitle(f"Tanda Terima {data.reg_no}")
    c.setAuthor(data.office.display_name)
    c.setCreator("Loket")
    body = ParagraphStyle("r", fontName=FONT, fontSize=SIZE, leading=LEADING)
    small = ParagraphStyle("s", parent=body, fontSize=8, leading=10)
    y = _head(c, data.office)
    c.setFont(FONT_BOLD, 12)
    c.drawCentredString(PAGE_W / 2, y, "TANDA TERIMA PERMOHONAN")
    y -= 7.5 * mm
    c.setFont(FONT, SIZE)
    c.drawCentredString(PAGE_W / 2, y + 2 * mm, "Nomor Registrasi")
    _fit(c, data.reg_no, FONT_BOLD, 17, TEXT_W)
    c.drawCentredString(PAGE_W / 2, y - 5 * mm, data.reg_no)
    y -= 12 * mm
    y = _rows(c, [("Layanan", f"{data.service_name} ({data.service_code})"), ("Nama pemohon", data.citizen_name),
                  ("NIK", data.nik_masked), ("Diterima", data.registered_at),
                  ("Perkiraan selesai", data.due), ("Petugas", data.clerk)], y, body)
    y -= 1.5 * mm
    c.setFont(FONT_BOLD, SIZE)
    c.drawString(MARGIN, y - SIZE, "Dokumen diterima")
    y -= SIZE + 3
    for name in data.received or ("-",):
        y = _para(c, f"\u2022 {escape(name)}", y, body, MARGIN + 3 * mm, TEXT_W - 3 * mm) - 1
    if data.missing:
        y -= 2
        c.setFont(FONT_BOLD, SIZE)
        c.drawString(MARGIN, y - SIZE, "Dokumen belum diserahkan")
        y -= SIZE + 3
        for name in data.missing:
            y = _para(c, f"\u2022 {escape(name)}", y, body, MARGIN + 3 * mm, TEXT_W - 3 * mm) - 1
    _status_box(c, data, min(y - 4 * mm, 68 * mm), small)
    c.setFont(FONT_ITALIC, 7)
    c.drawCentredString(PAGE_W / 2, MARGIN - 4 * mm,
                        "Simpan tanda terima ini. Bawa saat mengambil surat bersama KTP-el asli.")
    c.showPage()
    c.save()
    return buf.getvalue()


def _status_box(c: Canvas, data: ReceiptData, top: float, small: ParagraphStyle) -> None:
    qr = 24 * mm
    height = qr + 6 * mm
    bottom = top - height
    c.setLineWidth(0.6)
    c.roundRect(MARGIN, bottom, TEXT_W, height, 2 * mm)
    draw_qr(c, f"{data.status_url}?reg={quote(data.reg_no, safe='')}", MARGIN + 3 * mm, bottom + 3 * mm, qr)
    x = MARGIN + qr + 7 * mm
    width = TEXT_W - qr - 10 * mm
    c.setFont(FONT_BOLD, SIZE)
    c.drawString(x, top - 5.5 * mm, "Cek status permohonan")
    y = _para(c, f"Buka <b>{escape(data.status_url)}</b>, masukkan nomor registrasi dan kode akses:",
              top - 7 * mm, small, x, width)
    c.setFont(FONT, 8)
    c.drawString(x, y - 11, "Kode akses")
    c.setFont(FONT_BOLD, 13)
    c.drawString(x + 17 * mm, y - 12, data.access_code)
    _para(c, "Kode akses bersifat rahasia: jangan berikan kepada orang lain.", y - 16, small, x, width)
