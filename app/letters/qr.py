"""The verification QR code, drawn as vector modules so every PDF reader (and printer) shows it crisply.

A QR image, or an SVG embedded by some toolkits, can render as a black square in poppler; filled
rectangles (one per run of dark modules in a row) render everywhere. The matrix comes from reportlab's own
encoder; drawing it as a single canvas path is ~10× faster than going through a reportlab ``Drawing`` and
does not drag the renderer's default Helvetica into the PDF.
"""

from __future__ import annotations

import itertools
from functools import lru_cache

from reportlab.graphics.barcode import qrencoder
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

DEFAULT_SIZE = 28 * mm
# Level M survives a crease or a stamp over ~15 % of the code; H would make the modules too small at 28 mm.
ERROR_LEVEL = "M"
QUIET_ZONE = 4  # modules; the standard's minimum, needed by phone scanners


def qr_matrix(data: str, level: str = ERROR_LEVEL) -> list[list[bool]]:
    """The QR modules of ``data`` (row-major, True = dark), without the quiet zone.

    Also useful to a GUI that wants to draw the same code (e.g. on a verify dialog).
    """
    return [list(row) for row in _matrix(data, level)]


@lru_cache(maxsize=64)
def _matrix(data: str, level: str) -> tuple[tuple[bool, ...], ...]:
    # reportlab's encoder is pure Python (~30 ms a code); a letter asks for its code more than once
    qr = qrencoder.QRCode(None, getattr(qrencoder.QRErrorCorrectLevel, level))
    qr.addData(data)
    qr.make()
    return tuple(tuple(bool(m) for m in row) for row in qr.modules)


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float = DEFAULT_SIZE) -> None:
    """Draw the code as a ``size`` × ``size`` square (quiet zone included), lower-left at ``(x, y)``."""
    modules = _matrix(data, ERROR_LEVEL)
    count = len(modules)
    box = size / (count + 2 * QUIET_ZONE)
    path = canvas.beginPath()
    for r, row in enumerate(modules):
        top = y + size - (r + QUIET_ZONE) * box
        col = 0
        for dark, run in itertools.groupby(row):
            n = len(list(run))
            if dark:
                path.rect(x + (col + QUIET_ZONE) * box, top - box, n * box, box)
            col += n
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()


def quiet_zone_width(data: str, size: float = DEFAULT_SIZE) -> float:
    """Width in points of the blank border :func:`draw_qr` leaves around ``data``'s modules."""
    return size * QUIET_ZONE / (len(_matrix(data, ERROR_LEVEL)) + 2 * QUIET_ZONE)
