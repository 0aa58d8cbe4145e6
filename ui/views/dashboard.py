"""The dashboard: small bar charts drawn with QPainter (QtCharts is not in PySide6-Essentials).

The numbers come from ``app.services.dashboard.snapshot`` (a few GROUP BY queries) on the DB lane.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.services import dashboard
from app.services.dashboard import DashboardData
from app.services.workspace import Workspace
from ui import errors
from ui.tasks import op

PALETTE = ("#2f6db5", "#3a9a6a", "#c7831f", "#8e5bb5", "#c0483f", "#4b8fa0", "#7d7d2f", "#5a6270")


MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def week_label(key: str) -> str:
    """"2026-W45" → "2–8 Nov" (Monday to Sunday), what a clerk reads; the key itself if it is not a week."""
    import datetime as dt

    try:
        year, week = key.split("-W")
        monday = dt.date.fromisocalendar(int(year), int(week), 1)
    except ValueError:
        return key
    sunday = monday + dt.timedelta(days=6)
    months = [QCoreApplication.translate("Dashboard", m) for m in (MONTHS[monday.month - 1], MONTHS[sunday.month - 1])]
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {months[1]}"
    return f"{monday.day} {months[0]} – {sunday.day} {months[1]}"


class BarChart(QFrame):
    """Horizontal bars (``vertical=False``) with labels left, or columns with labels under them."""

    def __init__(self, title: str, vertical: bool = False, color: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.vertical = vertical
        self.color = color
        self.items: list[tuple[str, int]] = []
        self.empty_text = self.tr("Belum ada data")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(title)
        self.setMinimumSize(260, 180)
        self.setStyleSheet("BarChart { background: white; border: 1px solid #d0d4da; border-radius: 4px; }")

    def set_items(self, items: list[tuple[str, int]]) -> None:
        self.items = items
        self.setAccessibleDescription("; ".join(f"{label}: {value}" for label, value in items) or self.empty_text)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:
        fm = QFontMetrics(self.font())
        if self.vertical:
            return QSize(420, 240)
        return QSize(420, fm.height() * 2 + max(len(self.items), 3) * (fm.height() + 8) + 24)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        fm = QFontMetrics(self.font())
        pad = 12
        title_font = QFont(self.font())
        title_font.setBold(True)
        p.setFont(title_font)
        p.setPen(QColor("#1f2430"))
        p.drawText(QRectF(pad, pad, self.width() - 2 * pad, fm.height() + 4),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        p.setFont(self.font())
        area = QRectF(pad, pad + fm.height() + 12, self.width() - 2 * pad, self.height() - 2 * pad - fm.height() - 12)
        if not self.items or not any(v for _, v in self.items):
            p.setPen(QColor("#5a6270"))
            p.drawText(area, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            p.end()
            return
        if self.vertical:
            self._columns(p, area, fm)
        else:
            self._bars(p, area, fm)
        p.end()

    def _fill(self, i: int) -> QColor:
        return QColor(self.color or PALETTE[i % len(PALETTE)])

    def _bars(self, p: QPainter, area: QRectF, fm: QFontMetrics) -> None:
        top = max(v for _, v in self.items) or 1
        label_w = min(max(fm.horizontalAdvance(label) for label, _ in self.items) + 10, area.width() * 0.45)
        value_w = fm.horizontalAdvance(f"{top:,}".replace(",", ".")) + 10
        row_h = min(fm.height() * 2.0, area.height() / len(self.items))
        bar_w = max(area.width() - label_w - value_w, 10)
        for i, (label, value) in enumerate(self.items):
            y = area.top() + i * row_h
            p.setPen(QColor("#1f2430"))
            p.drawText(QRectF(area.left(), y, label_w - 8, row_h), Qt.AlignmentFlag.AlignRight
                       | Qt.AlignmentFlag.AlignVCenter, fm.elidedText(label, Qt.TextElideMode.ElideRight,
                                                                      int(label_w - 8)))
            w = bar_w * value / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self._fill(i))
            p.drawRoundedRect(QRectF(area.left() + label_w, y + 3, max(w, 2 if value else 0), row_h - 6), 2, 2)
            p.setPen(QColor("#1f2430"))
            p.drawText(QRectF(area.left() + label_w + w + 6, y, value_w, row_h),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, f"{value:,}".replace(",", "."))

    def _columns(self, p: QPainter, area: QRectF, fm: QFontMetrics) -> None:
        top = max(v for _, v in self.items) or 1
        n = len(self.items)
        label_h = fm.height() + 6
        value_h = fm.height() + 2
        col_w = area.width() / n
        plot_h = area.height() - label_h - value_h
        base = area.bottom() - label_h
        p.setPen(QPen(QColor("#c8ccd2"), 1))
        p.drawLine(int(area.left()), int(base), int(area.right()), int(base))
        for i, (label, value) in enumerate(self.items):
            x = area.left() + i * col_w
            h = plot_h * value / top
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self._fill(0))
            p.drawRoundedRect(QRectF(x + col_w * 0.18, base - h, col_w * 0.64, h), 2, 2)
            p.setPen(QColor("#1f2430"))
            p.drawText(QRectF(x, base - h - value_h, col_w, value_h), Qt.AlignmentFlag.AlignCenter, str(value))
            p.setPen(QColor("#5a6270"))
            short = label.split("-", 1)[-1]  # "2026-W47" → "W47"
            p.drawText(QRectF(x, base + 3, col_w, label_h), Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                       fm.elidedText(short, Qt.TextElideMode.ElideRight, int(col_w)))


class Tile(QFrame):
    """One big number with a caption."""

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet("Tile { background: white; border: 1px solid #d0d4da; border-radius: 4px; }")
        self.value = QLabel("—", self)
        self.value.setStyleSheet("font-size: 24pt; font-weight: 600; color: #2f6db5;")
        self.caption = QLabel(caption, self)
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: #5a6270;")
        layout = QVBoxLayout(self)
        layout.addWidget(self.value)
        layout.addWidget(self.caption)
        self.setAccessibleName(caption)

    def set_value(self, n: int) -> None:
        self.value.setText(f"{n:,}".replace(",", "."))
        self.setAccessibleDescription(self.value.text())


class DashboardView(QWidget):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.data: DashboardData | None = None
        title = QLabel(self.tr("Dasbor"), self)
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.refresh_button = QPushButton(self.tr("Segarkan"), self)
        self.refresh_button.setToolTip("F5")
        self.refresh_button.setAccessibleName(self.tr("Segarkan dasbor"))
        self.refresh_button.clicked.connect(self.reload)
        self.total = Tile(self.tr("Berkas tersimpan di perangkat ini"), self)
        self.pending = Tile(self.tr("Menunggu tanda tangan"), self)
        self.overdue_total = Tile(self.tr("Berkas terbuka lewat tenggat"), self)
        self.per_status = BarChart(self.tr("Berkas per status"), parent=self)
        self.per_service = BarChart(self.tr("Berkas per layanan"), color="#3a9a6a", parent=self)
        self.overdue = BarChart(self.tr("Lewat tenggat per kantor"), color="#c0483f", parent=self)
        self.per_week = BarChart(self.tr("Aktivitas per minggu (Senin–Minggu)"), vertical=True, parent=self)
        head = QHBoxLayout()
        head.addWidget(title)
        head.addStretch(1)
        head.addWidget(self.refresh_button)
        tiles = QHBoxLayout()
        for t in (self.total, self.pending, self.overdue_total):
            tiles.addWidget(t)
        grid = QGridLayout()
        grid.addWidget(self.per_status, 0, 0)
        grid.addWidget(self.per_service, 0, 1)
        grid.addWidget(self.per_week, 1, 0)
        grid.addWidget(self.overdue, 1, 1)
        grid.setRowStretch(0, 3)
        grid.setRowStretch(1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addLayout(tiles)
        layout.addLayout(grid, 1)

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        ws = self.ws
        op(lambda: dashboard.snapshot(ws)).success(self.show_data).failure(errors.failure_handler(self)) \
            .run_in_background()

    def show_data(self, data: DashboardData) -> None:
        self.data = data
        self.total.set_value(data.total)
        self.pending.set_value(data.pending_signatures)
        self.overdue_total.set_value(sum(n for _, n in data.overdue_per_office))
        self.per_status.set_items(data.per_status)
        self.per_service.set_items(data.per_service)
        self.overdue.set_items(data.overdue_per_office[:8])
        self.per_week.set_items([(week_label(key), n) for key, n in data.per_week])
