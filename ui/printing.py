"""Printing and saving a letter from the GUI: the signed PDF's pages, rendered at the printer's resolution."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QRectF, QStandardPaths, Qt
from PySide6.QtGui import QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QFileDialog, QWidget

from ui.widgets import pdf_pages

MAX_DPI = 300
NAME_MAX = 100
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]+')


def _tr(text: str) -> str:
    return QCoreApplication.translate("Printing", text)


def safe_filename(number: str, suffix: str = ".pdf") -> str:
    """A file name for a letter number: path characters become "-", no "..", no leading dot, bounded.
    ``400.12.2.2/001/35.73.02`` → ``400.12.2.2-001-35.73.02.pdf``."""
    name = _UNSAFE.sub("-", number.strip())
    while ".." in name:
        name = name.replace("..", ".")
    name = re.sub(r"-{2,}", "-", name).strip(" .-")[:NAME_MAX].strip(" .-")
    return (name or "surat") + suffix


def documents_folder() -> Path:
    """The user's documents folder (home when the system has none)."""
    found = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    folder = Path(found) if found else Path.home()
    return folder if folder.is_dir() else Path.home()


def suggested_path(number: str) -> Path:
    return documents_folder() / safe_filename(number)


def print_pdf(parent: QWidget, pdf: bytes, title: str) -> bool:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    dialog = QPrintDialog(printer, parent)
    dialog.setWindowTitle(_tr("Cetak surat"))
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return False
    paint(printer, pdf)
    from ui.notice import confirm

    where = printer.outputFileName() or printer.printerName()
    confirm(parent, _tr("Surat {title} dikirim ke {printer}.").format(title=title, printer=where))
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


def ask_save_path(parent: QWidget, suggested: Path) -> str:
    name, _filter = QFileDialog.getSaveFileName(parent, _tr("Simpan surat (PDF)"), str(suggested), "PDF (*.pdf)")
    return name


def save_pdf(parent: QWidget, pdf: bytes, suggested: Path | str,
             ask: Callable[[QWidget, Path], str] = ask_save_path) -> Path | None:
    """Ask where (``suggested`` first), write atomically, and say where it went."""
    from app.fileio import write_atomic
    from ui import errors
    from ui.notice import confirm

    name = ask(parent, Path(suggested))
    if not name:
        return None
    path = Path(name if name.lower().endswith(".pdf") else name + ".pdf")
    try:
        write_atomic(path, pdf, mode=0o644)
    except OSError as exc:
        errors.report(exc, parent)
        return None
    confirm(parent, _tr("Surat disimpan: {path}").format(path=path))
    return path
