"""A register (or any table) as an A4 landscape PDF with the letters' fonts: title, subtitle, a repeated
header row, page numbers. No Qt; reportlab's platypus lays the table out across pages."""

from __future__ import annotations

import io
from collections.abc import Sequence
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from app.letters.artwork import FONT, FONT_BOLD, register_fonts

PAGE = landscape(A4)
MARGIN = 12 * mm


def render_register(title: str, subtitle: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> bytes:
    register_fonts()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=PAGE, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                            bottomMargin=MARGIN + 4 * mm, title=title, author="Loket", creator="Loket",
                            invariant=1)
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=8.5, leading=10.5)
    head = ParagraphStyle("head", parent=cell, fontName=FONT_BOLD)
    data = [[Paragraph(escape(h), head) for h in headers]]
    data += [[Paragraph(escape(v), cell) for v in row] for row in rows]
    width = PAGE[0] - 2 * MARGIN
    weights = [0.5] + [1.0] * (len(headers) - 1) if headers else []
    if len(headers) == 6:
        weights = [0.45, 1.7, 0.8, 1.9, 1.6, 1.4]
    total = sum(weights) or 1
    table = LongTable(data or [[""]], colWidths=[width * w / total for w in weights] or None, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))
    story = [Paragraph(escape(title), ParagraphStyle("t", fontName=FONT_BOLD, fontSize=14, leading=18)),
             Paragraph(escape(subtitle), ParagraphStyle("s", fontName=FONT, fontSize=10, leading=13)),
             Spacer(1, 5 * mm), table]
    if not rows:
        story.append(Paragraph("Tidak ada data pada periode ini.", cell))

    def number(c: Canvas, _doc: object) -> None:
        c.setFont(FONT, 8)
        c.drawRightString(PAGE[0] - MARGIN, MARGIN - 2 * mm, f"Halaman {c.getPageNumber()}")

    doc.build(story, onFirstPage=number, onLaterPages=number)
    return buf.getvalue()
