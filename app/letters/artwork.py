"""Drawing pieces shared by the letter and its signature stamp: the bundled fonts, the emblem, the stamp."""

from __future__ import annotations

import datetime as dt
import io
import math
from functools import cache
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_LEFT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from app import timefmt
from app.paths import resources_dir

FONT, FONT_BOLD, FONT_ITALIC = "LoketSans", "LoketSans-Bold", "LoketSans-Italic"
_FONT_FILES = {FONT: "LiberationSans-Regular.ttf", FONT_BOLD: "LiberationSans-Bold.ttf",
               FONT_ITALIC: "LiberationSans-Italic.ttf"}
BODY_SIZE, LEADING = 11.5, 14.5
INDENT = 12.5 * mm


@cache
def register_fonts() -> None:
    """Register the bundled TrueType fonts with reportlab once per process."""
    folder = resources_dir() / "fonts"
    for name, filename in _FONT_FILES.items():
        pdfmetrics.registerFont(TTFont(name, str(folder / filename)))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT_ITALIC, boldItalic=FONT_BOLD)


def draw_emblem(c: Canvas, x: float, y: float, w: float, h: float) -> None:
    """A neutral placeholder emblem (shield, star, monument, waves) drawn with shapes; not the city's arms."""
    c.saveState()
    c.setLineWidth(1.2)
    c.setStrokeColorRGB(0.08, 0.2, 0.45)
    c.setFillColorRGB(0.86, 0.91, 0.97)
    p = c.beginPath()
    p.moveTo(x, y + h)
    p.lineTo(x + w, y + h)
    p.lineTo(x + w, y + 0.45 * h)
    p.curveTo(x + w, y + 0.15 * h, x + 0.62 * w, y + 0.05 * h, x + w / 2, y)
    p.curveTo(x + 0.38 * w, y + 0.05 * h, x, y + 0.15 * h, x, y + 0.45 * h)
    p.close()
    c.drawPath(p, stroke=1, fill=1)
    # five-pointed star near the top
    cx, cy, r_out, r_in = x + w / 2, y + 0.8 * h, 0.13 * w, 0.055 * w
    star = c.beginPath()
    for i in range(10):
        r = r_out if i % 2 == 0 else r_in
        a = math.pi / 2 + i * math.pi / 5
        (star.moveTo if i == 0 else star.lineTo)(cx + r * math.cos(a), cy + r * math.sin(a))
    star.close()
    c.setFillColorRGB(0.93, 0.72, 0.1)
    c.setStrokeColorRGB(0.6, 0.42, 0.0)
    c.setLineWidth(0.4)
    c.drawPath(star, stroke=1, fill=1)
    # a monument (tugu): shaft with a pointed top on a plinth
    c.setFillColorRGB(0.08, 0.2, 0.45)
    c.rect(x + 0.44 * w, y + 0.3 * h, 0.12 * w, 0.32 * h, stroke=0, fill=1)
    tip = c.beginPath()
    tip.moveTo(x + 0.44 * w, y + 0.62 * h)
    tip.lineTo(x + 0.5 * w, y + 0.68 * h)
    tip.lineTo(x + 0.56 * w, y + 0.62 * h)
    tip.close()
    c.drawPath(tip, stroke=0, fill=1)
    c.rect(x + 0.34 * w, y + 0.27 * h, 0.32 * w, 0.035 * h, stroke=0, fill=1)
    # two waves (the Brantas river)
    c.setStrokeColorRGB(0.1, 0.45, 0.75)
    c.setLineWidth(1.0)
    for k in range(2):
        yy = y + (0.2 - 0.06 * k) * h
        wave = c.beginPath()
        wave.moveTo(x + 0.22 * w, yy)
        wave.curveTo(x + 0.36 * w, yy + 0.04 * h, x + 0.36 * w, yy - 0.04 * h, x + 0.5 * w, yy)
        wave.curveTo(x + 0.64 * w, yy + 0.04 * h, x + 0.64 * w, yy - 0.04 * h, x + 0.78 * w, yy)
        c.drawPath(wave, stroke=1, fill=0)
    c.restoreState()


def render_stamp(width: float, height: float, *, signer_name: str, nip: str, signed_at: dt.datetime,
                 issuer: str) -> bytes:
    """The visible signature appearance (a one-page PDF of ``width`` × ``height`` points).

    Drawn with the same embedded font as the letter; pades.py imports the page as the stamp's appearance.
    One face only (regular): every face is another ≈ 20 KB font subset in each signed letter.
    """
    register_fonts()
    buf = io.BytesIO()
    c = Canvas(buf, pagesize=(width, height), invariant=1, pageCompression=1, initialFontName=FONT,
               initialFontSize=7)
    c.setFont(FONT, 7)
    c.setStrokeColorRGB(0.08, 0.2, 0.45)
    c.setFillColorRGB(0.95, 0.97, 1.0)
    c.setLineWidth(0.8)
    c.roundRect(0.6, 0.6, width - 1.2, height - 1.2, 3, stroke=1, fill=1)
    # a seal mark on the left: a double circle with a check
    r = min(height * 0.32, 9 * mm)
    cx, cy = 3 * mm + r, height / 2
    c.setFillColorRGB(0.08, 0.2, 0.45)
    c.circle(cx, cy, r, stroke=1, fill=0)
    c.circle(cx, cy, r * 0.78, stroke=1, fill=0)
    c.setLineWidth(1.6)
    check = c.beginPath()
    check.moveTo(cx - r * 0.4, cy)
    check.lineTo(cx - r * 0.08, cy - r * 0.35)
    check.lineTo(cx + r * 0.45, cy + r * 0.35)
    c.drawPath(check, stroke=1, fill=0)
    text = (f"Ditandatangani secara elektronik oleh<br/><font size='8.5'>"
            f"{escape(signer_name)}</font><br/>NIP. {escape(nip)}<br/>"
            f"{timefmt.moment_long(signed_at, 'id')}<br/>Sertifikat: {escape(issuer)}")
    para = Paragraph(text, ParagraphStyle("stamp", fontName=FONT, fontSize=7, leading=8.6,
                                             alignment=TA_LEFT))
    x = cx + r + 2.5 * mm
    _, h = para.wrap(width - x - 2 * mm, height)
    para.drawOn(c, x, (height - h) / 2)
    c.showPage()
    c.save()
    return buf.getvalue()
