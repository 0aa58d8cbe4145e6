"""Sample data shared by several test modules: offices, valid NIKs, complete SKD fields, tiny real files."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

# Kelurahan Oro-oro Dowo (Kecamatan Klojen) is the office most tests work in.
OFFICE = "35.73.02.1008"
KECAMATAN = "35.73.02"
OTHER_OFFICE = "35.73.01.1005"  # Kelurahan Blimbing, in another kecamatan
NIK_WOMAN = "3573015708900003"  # born 17-08-1990 (day + 40)
NIK_MAN = "3573020101850001"

SKD_FIELDS = {
    "tempat_lahir": "Malang",
    "tanggal_lahir": "1990-08-17",
    "jenis_kelamin": "P",
    "no_kk": "3573021708900005",
    "alamat": "Jl. Kawi No. 12, RT 03/RW 05",
    "keperluan": "melamar pekerjaan",
}
SKD_DOCS = ("ktp", "kk", "pengantar_rt")

def png(rgb: tuple[int, int, int] = (200, 30, 30), size: int = 2) -> bytes:
    """A real PNG (``size``×``size`` pixels of one colour), built chunk by chunk with its CRCs."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    pixels = b"".join(b"\0" + bytes(rgb) * size for _ in range(size))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(pixels)) + chunk(b"IEND", b"")


def pdf(text: str = "Lampiran") -> bytes:
    """A real one-page A4 PDF with ``text`` on it (reportlab, the same library the letters use)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=True)
    page.setFont("Helvetica", 12)
    page.drawString(72, 770, text)
    page.showPage()
    page.save()
    return out.getvalue()


PNG = png()


def documents(folder: Path, codes: tuple[str, ...] = SKD_DOCS) -> dict[str, Path]:
    """One small file per document code, alternately PNG and PDF, each with distinct content."""
    out = {}
    for i, code in enumerate(codes):
        if i % 2 == 0:
            path, data = folder / f"{code}.png", png((i * 40 % 256, 90, 160))
        else:
            path, data = folder / f"{code}.pdf", pdf(f"Dokumen {code}")
        path.write_bytes(data)
        out[code] = path
    return out
