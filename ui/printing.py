"""Printing and saving a letter from the GUI: the signed PDF's pages, rendered at the printer's resolution."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRectF, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget

from ui.widgets import pdf_pages

MAX_DPI = 300


def _tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)


def print_pdf(parent: QWidget, pdf: bytes, title: str) -> bool:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_tr("Cetak surat"))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    paint(printer, pdf)
    return True


def paint(printer: QPrinter, pdf: bytes) -> None:
    dpi = min(printer.resolution(), MAX_DPI)
    painter = QPainter(printer)
    try:
        for index, image in enumerate(pdf_pages(pdf, dpi)):
            if index:
                printer.newPage()
            target = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
            target.moveTo(0, 0)
            scaled = image.size().scaled(target.size().toSize(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QRectF(0, 0, scaled.width(), scaled.height()), image)
    finally:
        painter.end()


def save_pdf(parent: QWidget, pdf: bytes, suggested: str) -> Path | None:
    from app.fileio import write_atomic

    name, _filter = QFileDialog.getSaveFileName(parent, _tr("Simpan surat (PDF)"), suggested, "PDF (*.pdf)")
    if not name:
        return None
    path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
    write_atomic(path, pdf, mode=0o644)
    return path
