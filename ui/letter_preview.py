"""A letter (or any PDF) shown whole: every page, paged through and zoomed.

The pages are rendered once at :data:`RENDER_DPI` in a worker (:func:`render_pages`); zooming scales those
images, so paging and zooming never wait for pdfium. Keys while the preview has focus: Page Down/Up (next,
previous page), Ctrl++ / Ctrl+- (zoom), Ctrl+0 (fit the width).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage, QKeySequence, QPixmap, QResizeEvent, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

log = logging.getLogger(__name__)
RENDER_DPI = 144  # sharp at 200 % of a typical 96-dpi screen
ZOOMS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.9, 1.0, 1.25, 1.5, 2.0)
MAX_PAGES = 50  # a letter has one to three; an attachment beyond this is shown in part


def render_pages(data: bytes, dpi: int = RENDER_DPI) -> list[QImage]:
    """Every page (up to :data:`MAX_PAGES`) of a PDF, or the image itself. Safe in a worker thread."""
    if not data.startswith(b"%PDF-"):
        image = QImage()
        return [image] if image.loadFromData(data) else []
    try:
        import pypdfium2 as pdfium

        from ui.widgets import _page_image

        pdf = pdfium.PdfDocument(data)
        try:
            return [_page_image(pdf[i], dpi / 72) for i in range(min(len(pdf), MAX_PAGES))]
        finally:
            pdf.close()
    except Exception:
        log.warning("cannot render PDF preview", exc_info=True)
        return []


class PagedPreview(QWidget):
    """Pages of one document with ◀ ▶, the page number, − + and "fit width". ``None`` shows a text instead."""

    page_changed = Signal(int)

    def __init__(self, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._empty = empty_text
        self.pages: list[QImage] = []
        self.page = 0
        self.zoom: float | None = None  # None: fit the width
        self.image = QLabel(self)
        self.image.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.image.setWordWrap(True)
        self.image.setStyleSheet("QLabel { color: #5a6270; }")
        self.scroll_area = QScrollArea(self)
        self.scroll_area.setWidget(self.image)
        self.scroll_area.setWidgetResizable(False)
        self.scroll_area.setAlignment(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop)
        self.scroll_area.setStyleSheet("QScrollArea { background: #f4f5f7; border: 1px solid #d0d4da; }")
        self.prev_button = self._tool("◀", self.tr("Halaman sebelumnya (Page Up)"), self.prev_page)
        self.next_button = self._tool("▶", self.tr("Halaman berikutnya (Page Down)"), self.next_page)
        self.page_label = QLabel(self)
        self.page_label.setAccessibleName(self.tr("Halaman"))
        self.page_label.setMinimumWidth(self.page_label.fontMetrics().horizontalAdvance("Halaman 88 dari 88") + 8)
        self.zoom_out_button = self._tool("−", self.tr("Perkecil (Ctrl+-)"), self.zoom_out)
        self.zoom_in_button = self._tool("+", self.tr("Perbesar (Ctrl++)"), self.zoom_in)
        self.fit_button = self._tool(self.tr("Lebar"), self.tr("Sesuaikan dengan lebar (Ctrl+0)"), self.fit_width)
        self.zoom_label = QLabel(self)
        self.zoom_label.setAccessibleName(self.tr("Perbesaran"))
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (self.prev_button, self.page_label, self.next_button):
            bar.addWidget(w)
        bar.addStretch(1)
        for w in (self.zoom_out_button, self.zoom_label, self.zoom_in_button, self.fit_button):
            bar.addWidget(w)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.scroll_area, 1)
        for keys, slot in (("PgDown", self.next_page), ("PgUp", self.prev_page), ("Ctrl++", self.zoom_in),
                           ("Ctrl+=", self.zoom_in), ("Ctrl+-", self.zoom_out), ("Ctrl+0", self.fit_width)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.setMinimumSize(200, 200)
        self.show_pages(None)

    def _tool(self, text: str, tip: str, slot: object) -> QPushButton:
        b = QPushButton(text, self)
        b.setAutoDefault(False)
        b.setToolTip(tip)
        b.setAccessibleName(tip)
        b.clicked.connect(lambda _c=False: slot())  # type: ignore[operator]
        width = b.fontMetrics().horizontalAdvance(text) + 24
        b.setFixedWidth(max(width, 34))  # a compact toolbar: the page number must stay readable
        return b

    # ---- content -------------------------------------------------------------------------------------
    def show_pages(self, pages: list[QImage] | None, text: str | None = None) -> None:
        self.pages = [p for p in (pages or []) if not p.isNull()]
        self.page = 0
        if not self.pages:
            self.image.setPixmap(QPixmap())
            self.image.setText(text or self._empty)
            self.image.resize(self.scroll_area.viewport().size())
        self._update()

    def clear(self, text: str | None = None) -> None:
        self.show_pages(None, text)

    @property
    def page_count(self) -> int:
        return len(self.pages)

    # ---- paging and zoom -------------------------------------------------------------------------------
    def set_page(self, index: int) -> None:
        if self.pages:
            self.page = max(0, min(index, len(self.pages) - 1))
            self._update()
            self.scroll_area.verticalScrollBar().setValue(0)
            self.page_changed.emit(self.page)

    def next_page(self) -> None:
        self.set_page(self.page + 1)

    def prev_page(self) -> None:
        self.set_page(self.page - 1)

    def effective_zoom(self) -> float:
        if self.zoom is not None or not self.pages:
            return self.zoom or 1.0
        width = max(self.scroll_area.viewport().width() - 4, 50)
        return width / max(self.pages[self.page].width(), 1) * (RENDER_DPI / 96)

    def zoom_in(self) -> None:
        now = self.effective_zoom()
        self.zoom = next((z for z in ZOOMS if z > now + 0.01), ZOOMS[-1])
        self._update()

    def zoom_out(self) -> None:
        now = self.effective_zoom()
        self.zoom = next((z for z in reversed(ZOOMS) if z < now - 0.01), ZOOMS[0])
        self._update()

    def fit_width(self) -> None:
        self.zoom = None
        self._update()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.zoom is None:
            self._update()

    def _update(self) -> None:
        has = bool(self.pages)
        for w in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            w.setEnabled(has)
        self.prev_button.setEnabled(has and self.page > 0)
        self.next_button.setEnabled(has and self.page < len(self.pages) - 1)
        self.page_label.setText(self.tr("Halaman {n} dari {total}").format(n=self.page + 1, total=len(self.pages))
                                if has else "")
        self.zoom_label.setText(f"{round(self.effective_zoom() * 100)} %" if has else "")
        if not has:
            self.image.resize(self.scroll_area.viewport().size())  # the text fills the box as it grows
            return
        source = self.pages[self.page]
        scale = self.effective_zoom() * 96 / RENDER_DPI
        pixmap = QPixmap.fromImage(source).scaledToWidth(max(int(source.width() * scale), 20),
                                                         Qt.TransformationMode.SmoothTransformation)
        self.image.setText("")
        self.image.setPixmap(pixmap)
        self.image.resize(pixmap.size())
        self.setAccessibleDescription(self.page_label.text())
