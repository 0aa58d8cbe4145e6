"""*Register*: the outgoing-letter book (buku agenda surat keluar) and the incoming requests, for a day, a
month or a range of dates, filtered by office and service; on screen and exported to XLSX or PDF."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.letters.model import today_wib
from app.services import registers
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.tasks import op


def _qdate(day: dt.date) -> QDate:
    return QDate(day.year, day.month, day.day)


def _pydate(day: QDate) -> dt.date:
    return dt.date(day.year(), day.month(), day.day())


class RegisterView(QWidget):
    loaded = Signal()

    def __init__(self, ws: Workspace, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.actor = ws, actor
        self.register: registers.Register | None = None
        self.setAccessibleName(self.tr("Register"))
        title = QLabel("<h2>" + self.tr("Register") + "</h2>", self)
        self.kind = QComboBox(self)
        self.kind.addItem(self.tr("Buku agenda surat keluar"), registers.Kind.KELUAR.value)
        self.kind.addItem(self.tr("Permohonan masuk"), registers.Kind.MASUK.value)
        self.period = QComboBox(self)
        for text, key in ((self.tr("Hari ini"), "day"), (self.tr("Bulan ini"), "month"),
                          (self.tr("Rentang tanggal"), "range")):
            self.period.addItem(text, key)
        today = today_wib()
        self.start, self.end = QDateEdit(_qdate(today), self), QDateEdit(_qdate(today), self)
        for edit, name in ((self.start, self.tr("Dari tanggal")), (self.end, self.tr("Sampai tanggal"))):
            edit.setDisplayFormat("dd/MM/yyyy")
            edit.setCalendarPopup(True)
            edit.setAccessibleName(name)
        self.office = QComboBox(self)
        self.office.addItem(self.tr("Semua kantor"), None)
        own = ws.offices.get(actor.office)
        if own is not None:
            self.office.addItem(own.display_name, own.code)
            self.office.setCurrentIndex(1)
        self.service = QComboBox(self)
        self.service.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.service.setMinimumContentsLength(22)
        self.service.addItem(self.tr("Semua layanan"), None)
        for service in ws.catalog:
            self.service.addItem(f"{service.code} — {service.name}", service.code)
        self.show_button = QPushButton(self.tr("Perbar&ui"), self)
        self.xlsx_button = QPushButton(self.tr("Ekspor &XLSX…"), self)
        self.pdf_button = QPushButton(self.tr("Ekspor P&DF…"), self)
        filters = QGridLayout()
        for i, (caption, widget) in enumerate(((self.tr("&Jenis:"), self.kind), (self.tr("&Periode:"), self.period),
                                             (self.tr("Dari:"), self.start), (self.tr("&Kantor:"), self.office),
                                             (self.tr("&Layanan:"), self.service), (self.tr("s.d.:"), self.end))):
            buddy = QLabel(caption, self)
            buddy.setBuddy(widget)
            filters.addWidget(buddy, i // 3, 2 * (i % 3))
            filters.addWidget(widget, i // 3, 2 * (i % 3) + 1)
        filters.setColumnStretch(6, 1)
        self.summary = QLabel(self)
        self.table = QTableWidget(0, 0, self)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setAccessibleName(self.tr("Isi register"))
        buttons = QHBoxLayout()
        buttons.addWidget(self.summary, 1)
        for b in (self.show_button, self.xlsx_button, self.pdf_button):
            b.setAutoDefault(False)
            buttons.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.period.currentIndexChanged.connect(self._period_changed)
        self.show_button.clicked.connect(self.reload)
        self.xlsx_button.clicked.connect(lambda: self.export(".xlsx"))
        self.pdf_button.clicked.connect(lambda: self.export(".pdf"))
        for combo in (self.kind, self.office, self.service):
            combo.currentIndexChanged.connect(self.reload)
        self._period_changed()

    def activate(self) -> None:
        self.reload()

    def _period_changed(self) -> None:
        key = self.period.currentData()
        today = today_wib()
        if key == "day":
            first = last = today
        elif key == "month":
            first, last = registers.month_bounds(today)
        else:
            first, last = _pydate(self.start.date()), _pydate(self.end.date())
        self.start.setDate(_qdate(first))
        self.end.setDate(_qdate(last))
        for edit in (self.start, self.end):
            edit.setEnabled(key == "range")

    def reload(self) -> None:
        ws, kind = self.ws, str(self.kind.currentData())
        start, end = _pydate(self.start.date()), _pydate(self.end.date())
        office, service = self.office.currentData(), self.service.currentData()
        op(lambda: registers.build(ws, kind, start, end, office=office, service=service)) \
            .success(self.show_register).failure(errors.failure_handler(self)).run_in_background()

    def show_register(self, reg: registers.Register) -> None:
        self.register = reg
        self.table.clear()
        self.table.setColumnCount(len(reg.headers))
        self.table.setHorizontalHeaderLabels(reg.headers)
        self.table.setRowCount(len(reg.rows))
        for r, row in enumerate(reg.rows):
            for c, value in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(registers.shown(value)))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.summary.setText(self.tr("{title} · {period} · {n} baris").format(
            title=reg.title, period=reg.period, n=len(reg.rows)))
        self.loaded.emit()

    def default_name(self, suffix: str) -> str:
        reg = self.register
        if reg is None:
            return f"register{suffix}"
        span = f"{reg.start:%Y-%m-%d}" + ("" if reg.start == reg.end else f"_{reg.end:%Y-%m-%d}")
        return f"register-{reg.kind.value}-{span}{suffix}"

    def export(self, suffix: str, path: Path | None = None) -> Path | None:
        """Save the shown register; ``path`` skips the file dialog (tests, scripts)."""
        reg = self.register
        if reg is None:
            return None
        if path is None:
            kind = "Excel (*.xlsx)" if suffix == ".xlsx" else "PDF (*.pdf)"
            name, _f = QFileDialog.getSaveFileName(self, self.tr("Ekspor register"), self.default_name(suffix), kind)
            if not name:
                return None
            path = Path(name if name.lower().endswith(suffix) else name + suffix)
        try:
            registers.export(reg, path)
        except Exception as err:
            errors.report(err, self)
            return None
        self.summary.setText(self.tr("Disimpan: {path}").format(path=path))
        return path
