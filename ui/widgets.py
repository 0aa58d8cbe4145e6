"""Small shared widgets and helpers: PDF/image previews, field error labels, bar charts live elsewhere."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

log = logging.getLogger(__name__)


def _page_image(page: object, scale: float) -> QImage:
    bitmap = page.render(scale=scale, rev_byteorder=True)  # type: ignore[attr-defined]
    fmt = QImage.Format.Format_RGB888 if bitmap.n_channels == 3 else QImage.Format.Format_RGBA8888
    image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride, fmt)
    return image.copy()  # own the pixels before pdfium frees the bitmap


def pdf_first_page(data: bytes, width_px: int = 600) -> QImage | None:
    """Render page 1 of a PDF to a QImage with pypdfium2 (no QtPdf needed). Safe in a worker thread."""
    try:
        import pypdfium2 as pdfium
    except ImportError:  # pragma: no cover - it is a dependency
        return None
    try:
        pdf = pdfium.PdfDocument(data)
        try:
            page = pdf[0]
            return _page_image(page, width_px / max(page.get_width(), 1.0))
        finally:
            pdf.close()
    except Exception:
        log.warning("cannot render PDF preview", exc_info=True)
        return None


def pdf_pages(data: bytes, dpi: int) -> list[QImage]:
    """Every page of a PDF at ``dpi`` (printing). Safe in a worker thread."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        return [_page_image(pdf[index], dpi / 72) for index in range(len(pdf))]
    finally:
        pdf.close()


def image_from_bytes(data: bytes, mime: str | None = None, width_px: int = 600) -> QImage | None:
    if (mime or "").endswith("pdf") or data.startswith(b"%PDF-"):
        return pdf_first_page(data, width_px)
    image = QImage()
    if image.loadFromData(data):
        return image
    return None


class Preview(QLabel):
    """A scaled preview of an image/PDF page, with a text when there is nothing to show."""

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty = empty_text
        self._image: QImage | None = None
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumSize(160, 160)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setWordWrap(True)
        self.setStyleSheet("QLabel { background: #f4f5f7; border: 1px solid #d0d4da; color: #5a6270; }")
        self.show_image(None)

    def show_image(self, image: QImage | None, text: str | None = None) -> None:
        self._image = image
        if image is None or image.isNull():
            self.setPixmap(QPixmap())
            self.setText(text or self._empty)
        else:
            self.setText("")
            self._rescale()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    def _rescale(self) -> None:
        if self._image is None or self._image.isNull():
            return
        size = self.contentsRect().size()
        self.setPixmap(QPixmap.fromImage(self._image).scaled(
            size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))


class FieldError(QLabel):
    """The red sentence under a form field; hidden when empty. Read out by screen readers."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setStyleSheet("color: #b3261e;")
        self.setAccessibleName("")
        self.hide()

    def set_message(self, text: str | None) -> None:
        self.setText(text or "")
        self.setAccessibleName(text or "")
        self.setVisible(bool(text))
