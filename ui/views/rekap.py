"""Rekap: what reaches this office from many others — the kecamatan's musrenbang proposals and Dinas
Pendidikan's school reports — as a table, bar charts (QPainter, as the dashboard) and XLSX/PDF exports.

Computed from this laptop's store on the DB lane (``app.services.rekaps``), so it works offline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app import clock
from app.domain.offices import OfficeLevel
from app.domain.roles import Role
from app.reports import berita_acara, export
from app.reports.musrenbang import MusrenbangRekap
from app.reports.sekolah import SekolahRekap, Semester
from app.reports.xlsx import Sheet
from app.services import rekaps
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.tasks import op
from ui.views.dashboard import BarChart, Tile

_Index = QModelIndex | QPersistentModelIndex
FLAG_BRUSH = QBrush(QColor("#fde2df"))


class SheetModel(QAbstractTableModel):
    """One export sheet shown as it will be written: money as rupiah, changes with their sign."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sheet = Sheet("", (), ())
        self.flag_column: int | None = None
        self._cached: tuple[int, Sequence[object]] = (-1, ())

    def set_sheet(self, sheet: Sheet, flag_column: int | None = None) -> None:
        self.beginResetModel()
        self.sheet, self.flag_column = sheet, flag_column
        self._cached = (-1, ())
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sheet.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.sheet.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation is Qt.Orientation.Horizontal:
            return self.sheet.headers[section]
        return None

    def _row(self, number: int) -> Sequence[object]:
        """The sheet's row ``number``, made once for the several roles Qt asks of each of its cells (the rows
        of a rekap are made when shown, see ``export.Rows``)."""
        if self._cached[0] != number:
            self._cached = (number, self.sheet.rows[number])
        return self._cached[1]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self._row(index.row())
        value = row[index.column()] if index.column() < len(row) else None
        header = self.sheet.headers[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            if isinstance(value, int) and "(Rp)" in header:
                return export.rupiah(value)
            if isinstance(value, int) and header.startswith("Δ"):
                return f"{value:+d}"
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.TextAlignmentRole and isinstance(value, int):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and self.flag_column is not None and row[self.flag_column]:
            return FLAG_BRUSH
        return None


def _table(parent: QWidget, model: SheetModel, name: str) -> QTableView:
    view = QTableView(parent)
    view.setModel(model)
    view.setAccessibleName(name)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.horizontalHeader().setResizeContentsPrecision(20)  # fit columns to the rows in sight, not all 10,000
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() * 2 + 6)
    return view


def _fit(view: QTableView, widest: int = 220) -> None:
    """Columns fit their contents, but no long description pushes the last columns out of sight."""
    view.resizeColumnsToContents()
    for column in range(view.model().columnCount()):
        view.setColumnWidth(column, min(view.columnWidth(column), widest))


def _juta(amount: int) -> int:
    return round(amount / 1_000_000)


class _RekapPage(QWidget):
    """Filters on top, tiles and charts, the table, and the export buttons."""

    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.filters = QHBoxLayout()
        self.model = SheetModel(self)
        self.export_xlsx = QPushButton(self.tr("Ekspor XLSX…"), self)
        self.export_pdf = QPushButton(self.tr("Ekspor PDF…"), self)
        self.export_xlsx.clicked.connect(lambda _c=False: self.ask_export(".xlsx"))
        self.export_pdf.clicked.connect(lambda _c=False: self.ask_export(".pdf"))
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.filters.addStretch(1)
        self.filters.addWidget(self.export_xlsx)
        self.filters.addWidget(self.export_pdf)

    # the subclass says what is exported
    def sheets(self) -> Sequence[Sheet]:
        raise NotImplementedError

    def titles(self) -> tuple[str, str, str]:
        """(document title, subtitle, suggested file name without suffix)."""
        raise NotImplementedError

    def ask_export(self, suffix: str) -> None:
        title, subtitle, stem = self.titles()
        kind = "Excel (*.xlsx)" if suffix == ".xlsx" else "PDF (*.pdf)"
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Simpan rekap"), stem + suffix, kind)
        if not name:
            return
        path = Path(name) if name.lower().endswith(suffix) else Path(name + suffix)
        sheets = list(self.sheets())
        op(lambda: export.write(path, sheets, title, subtitle)).success(lambda _r: self._saved(path)) \
            .failure(errors.failure_handler(self)).run_in_background()

    def export_to(self, path: Path) -> None:
        """Write the shown rekap to ``path`` now (.xlsx or .pdf)."""
        title, subtitle, _stem = self.titles()
        export.write(path, self.sheets(), title, subtitle)

    def _saved(self, path: Path) -> None:
        QMessageBox.information(self, self.tr("Rekap tersimpan"), self.tr("Rekap disimpan di {path}").format(
            path=str(path)))


class MusrenbangView(_RekapPage):
    def __init__(self, ws: Workspace, actor: Actor | None, parent: QWidget | None = None) -> None:
        super().__init__(ws, parent)
        self.actor = actor
        self.rekap: MusrenbangRekap | None = None
        self.set_pagu = QPushButton(self.tr("Atur pagu…"), self)
        self.set_pagu.setToolTip(self.tr("Pagu indikatif kelurahan terpilih untuk tahun anggaran ini (staf "
                                         "kecamatannya)"))
        self.set_pagu.clicked.connect(lambda _c=False: self.ask_ceiling())
        self.make_ba = QPushButton(self.tr("Buat berita acara"), self)
        self.make_ba.setToolTip(self.tr("Berita acara musrenbang kecamatan: usulan yang disetujui Camat tahun "
                                        "anggaran ini, diajukan untuk ditandatangani Camat"))
        self.make_ba.setVisible(self.may_make_berita_acara())
        self.make_ba.clicked.connect(lambda _c=False: self.ask_berita_acara())
        self.year = QSpinBox(self)
        self.year.setRange(rekaps.MIN_YEAR, rekaps.MAX_YEAR)
        self.year.setValue(clock.today().year + 1)  # the musrenbang plans next year's budget
        self.year.setAccessibleName(self.tr("Tahun anggaran"))
        self.kecamatan = QComboBox(self)
        self.kecamatan.setAccessibleName(self.tr("Kecamatan"))
        self.kecamatan.addItem(self.tr("Seluruh kota"), None)
        for office in sorted(ws.offices.of_level(OfficeLevel.KECAMATAN), key=lambda o: o.name):
            self.kecamatan.addItem(office.display_name, office.code)
        home = rekaps.home_kecamatan(ws, actor)
        self.kecamatan.setCurrentIndex(max(0, self.kecamatan.findData(home)))
        self.kelurahan = QComboBox(self)
        self.kelurahan.setAccessibleName(self.tr("Kelurahan"))
        self.kelurahan.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for label, widget in ((self.tr("Tahun anggaran"), self.year), (self.tr("Wilayah"), self.kecamatan),
                              (self.tr("Kelurahan"), self.kelurahan)):
            self.filters.insertWidget(self.filters.count() - 3, QLabel(label, self))
            self.filters.insertWidget(self.filters.count() - 3, widget)
        self.filters.insertWidget(self.filters.count() - 3, self.set_pagu)
        self.filters.insertWidget(self.filters.count() - 3, self.make_ba)
        self.count = Tile(self.tr("Usulan aktif"), self)
        self.cost = Tile(self.tr("Perkiraan biaya (juta Rp)"), self)
        self.over = Tile(self.tr("Usulan melebihi pagu indikatif"), self)
        self.over.value.setStyleSheet("font-size: 24pt; font-weight: 600; color: #c0483f;")
        self.per_kelurahan = BarChart(self.tr("Biaya per kelurahan (juta Rp)"), parent=self)
        self.per_bidang = BarChart(self.tr("Biaya per bidang (juta Rp)"), color="#3a9a6a", parent=self)
        self.table = _table(self, self.model, self.tr("Usulan menurut peringkat prioritas"))
        tiles = QHBoxLayout()
        for t in (self.count, self.cost, self.over):
            tiles.addWidget(t)
        charts = QHBoxLayout()
        charts.addWidget(self.per_kelurahan)
        charts.addWidget(self.per_bidang)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filters)
        layout.addLayout(tiles)
        layout.addLayout(charts, 2)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 3)
        self.year.valueChanged.connect(lambda _v: self.reload())
        self.kecamatan.currentIndexChanged.connect(lambda _i: self.reload())
        self.kelurahan.currentIndexChanged.connect(lambda _i: self._show_rows())

    def may_set_ceiling(self, kelurahan: str | None) -> bool:
        office = self.ws.offices.get(kelurahan) if kelurahan else None
        mine = self.ws.offices.get(self.actor.office) if self.actor else None
        return office is not None and mine is not None and (
            mine.code == office.parent or mine.level is OfficeLevel.CITY)

    def ask_ceiling(self) -> None:
        code = self.kelurahan.currentData()
        if self.actor is None or not self.may_set_ceiling(code):
            return
        current = next((k.ceiling for k in self.rekap.per_kelurahan if k.code == code), None) if self.rekap else None
        text, ok = QInputDialog.getText(
            self, self.tr("Pagu indikatif"), self.tr("Pagu indikatif Kelurahan {name}, tahun anggaran {year} (Rp; "
                                                     "kosongkan untuk menghapus):").format(
                name=self.kelurahan.currentText(), year=self.year.value()),
            text="" if current is None else str(current))
        if ok:
            self.save_ceiling(code, text)

    def save_ceiling(self, code: str, text: str) -> None:
        digits = text.strip().removeprefix("Rp").replace(".", "").replace(" ", "")
        if digits and not (digits.isascii() and digits.isdigit() and len(digits) <= 16):
            QMessageBox.warning(self, self.tr("Pagu indikatif"), self.tr("Tulis pagu sebagai angka rupiah, "
                                                                         "misalnya 450.000.000."))
            return
        ws, actor, year = self.ws, self.actor, self.year.value()
        assert actor is not None
        amount = int(digits) if digits else None
        op(lambda: rekaps.set_ceiling(ws, actor, year, code, amount)).success(lambda _r: self.reload()) \
            .failure(errors.failure_handler(self)).run_in_background()

    def may_make_berita_acara(self) -> bool:
        """The kecamatan's registering staff make its berita acara (the Camat signs it from his queue)."""
        mine = self.ws.offices.get(self.actor.office) if self.actor else None
        return (self.actor is not None and self.actor.role is Role.PETUGAS and mine is not None
                and mine.level is OfficeLevel.KECAMATAN)

    def ask_berita_acara(self) -> None:
        if self.actor is None or self.rekap is None or not self.may_make_berita_acara():
            return
        year = self.year.value()
        if QMessageBox.question(self, self.tr("Buat berita acara"), self.tr(
                "Buat berita acara Musrenbang {area} tahun anggaran {year} dari usulan yang telah disetujui Camat? "
                "Isinya dibekukan sekarang dan diajukan untuk diverifikasi dan ditandatangani.").format(
                area=self.rekap.area_name, year=year)) != QMessageBox.StandardButton.Yes:
            return
        ws, actor = self.ws, self.actor
        op(lambda: rekaps.make_berita_acara(ws, actor, year)).success(self._berita_acara_made) \
            .failure(errors.failure_handler(self)).run_in_background()

    def _berita_acara_made(self, made: dict[str, object]) -> None:
        QMessageBox.information(self, self.tr("Berita acara dibuat"), self.tr(
            "Berita acara {reg_no} ({n} usulan, {cost}) telah diajukan; menunggu verifikasi dan tanda tangan "
            "Camat.").format(reg_no=berita_acara.reference(str(made["reg_no"] or "")), n=made["proposals"],
                             cost=export.rupiah(int(str(made["total_cost"])))))

    def compute(self) -> MusrenbangRekap:
        return rekaps.musrenbang_rekap(self.ws, self.year.value(), self.kecamatan.currentData())

    def reload(self) -> None:
        op(self.compute).success(self.show_data).failure(errors.failure_handler(self)).run_in_background()

    def show_data(self, rekap: MusrenbangRekap) -> None:
        self.rekap = rekap
        chosen = self.kelurahan.currentData()
        self.kelurahan.blockSignals(True)
        self.kelurahan.clear()
        self.kelurahan.addItem(self.tr("Semua kelurahan"), None)
        for k in rekap.per_kelurahan:
            self.kelurahan.addItem(k.name, k.code)
        self.kelurahan.setCurrentIndex(max(0, self.kelurahan.findData(chosen)))
        self.kelurahan.blockSignals(False)
        self.count.set_value(rekap.total_count)
        self.cost.set_value(_juta(rekap.total_cost))
        self.over.set_value(rekap.over_count)
        self.per_kelurahan.set_items([(k.name, _juta(k.cost)) for k in rekap.per_kelurahan][:12])
        self.per_bidang.set_items([(b.label, _juta(b.cost)) for b in rekap.per_bidang])
        self._show_rows()

    def _show_rows(self) -> None:
        if self.rekap is None:
            return
        sheet = self.sheets()[0]
        self.set_pagu.setEnabled(self.may_set_ceiling(self.kelurahan.currentData()))
        self.model.set_sheet(sheet, flag_column=len(sheet.headers) - 1)
        _fit(self.table)
        over = [k for k in self.rekap.per_kelurahan if k.ceiling is not None and k.cost > k.ceiling]
        self.summary.setText(self.tr("{area}, tahun anggaran {year}: {n} usulan aktif, {cost}. Baris merah "
                                     "melewati pagu indikatif kelurahannya ({kel}).").format(
            area=self.rekap.area_name, year=self.rekap.year, n=self.rekap.total_count,
            cost=export.rupiah(self.rekap.total_cost), kel=", ".join(k.name for k in over) or "—"))

    def sheets(self) -> Sequence[Sheet]:
        assert self.rekap is not None
        chosen = self.kelurahan.currentData()
        if chosen is None:
            return export.musrenbang_sheets(self.rekap)
        return export.musrenbang_sheets(self.rekap, [p for p in self.rekap.proposals if p.kelurahan == chosen])

    def titles(self) -> tuple[str, str, str]:
        assert self.rekap is not None
        area = self.rekap.area_name
        if self.kelurahan.currentData() is not None:
            area += " — Kelurahan " + self.kelurahan.currentText()
        return (f"Rekapitulasi Usulan Musrenbang Tahun Anggaran {self.rekap.year}", area,
                f"rekap-musrenbang-{self.rekap.year}")


class SekolahView(_RekapPage):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(ws, parent)
        self.rekap: SekolahRekap | None = None
        today = clock.today()
        current = Semester(today.year, 1) if today.month >= 7 else Semester(today.year - 1, 2)
        self.semester = QComboBox(self)
        self.semester.setAccessibleName(self.tr("Semester"))
        s = current
        for _ in range(8):
            self.semester.addItem(s.label, s.code)
            s = s.previous
        self.kecamatan = QComboBox(self)
        self.kecamatan.setAccessibleName(self.tr("Kecamatan"))
        self.kecamatan.addItem(self.tr("Semua kecamatan"), None)
        for office in sorted(ws.offices.of_level(OfficeLevel.KECAMATAN), key=lambda o: o.name):
            self.kecamatan.addItem(office.name, office.name)
        for label, widget in ((self.tr("Semester"), self.semester), (self.tr("Kecamatan"), self.kecamatan)):
            self.filters.insertWidget(self.filters.count() - 3, QLabel(label, self))
            self.filters.insertWidget(self.filters.count() - 3, widget)
        self.schools = Tile(self.tr("Sekolah sudah melapor"), self)
        self.missing = Tile(self.tr("Sekolah belum melapor"), self)
        self.missing.value.setStyleSheet("font-size: 24pt; font-weight: 600; color: #c0483f;")
        self.students = Tile(self.tr("Peserta didik"), self)
        self.dropouts = Tile(self.tr("Putus sekolah"), self)
        self.per_kecamatan = BarChart(self.tr("Peserta didik per kecamatan"), parent=self)
        self.per_level = BarChart(self.tr("Peserta didik per jenjang"), color="#8e5bb5", parent=self)
        self.table = _table(self, self.model, self.tr("Laporan sekolah yang diterima"))
        self.missing_model = SheetModel(self)
        self.missing_table = _table(self, self.missing_model, self.tr("Sekolah yang belum melapor"))
        tabs = QTabWidget(self)
        tabs.addTab(self.table, self.tr("Laporan diterima"))
        tabs.addTab(self.missing_table, self.tr("Belum melapor"))
        self.tabs = tabs
        tiles = QHBoxLayout()
        for t in (self.schools, self.missing, self.students, self.dropouts):
            tiles.addWidget(t)
        charts = QHBoxLayout()
        charts.addWidget(self.per_kecamatan)
        charts.addWidget(self.per_level)
        layout = QVBoxLayout(self)
        layout.addLayout(self.filters)
        layout.addLayout(tiles)
        layout.addLayout(charts, 2)
        layout.addWidget(self.summary)
        layout.addWidget(tabs, 3)
        self.semester.currentIndexChanged.connect(lambda _i: self.reload())
        self.kecamatan.currentIndexChanged.connect(lambda _i: self._show_rows())

    def compute(self) -> SekolahRekap:
        return rekaps.sekolah_rekap(self.ws, rekaps.parse_semester(self.semester.currentData()))

    def reload(self) -> None:
        op(self.compute).success(self.show_data).failure(errors.failure_handler(self)).run_in_background()

    def show_data(self, rekap: SekolahRekap) -> None:
        self.rekap = rekap
        self.schools.set_value(len(rekap.reports))
        self.missing.set_value(len(rekap.missing))
        self.students.set_value(rekap.total.students)
        self.dropouts.set_value(rekap.total.dropouts)
        self.per_kecamatan.set_items([(t.key, t.figures.students) for t in rekap.per_kecamatan])
        self.per_level.set_items([(t.key, t.figures.students) for t in rekap.per_level])
        self._show_rows()

    def _show_rows(self) -> None:
        if self.rekap is None:
            return
        sheets = self.sheets()
        self.model.set_sheet(sheets[0])
        self.missing_model.set_sheet(sheets[-1])
        _fit(self.table)
        _fit(self.missing_table)
        change = self.rekap.change
        self.summary.setText(self.tr("{semester}: {n} sekolah melapor, {m} belum. Dibanding semester lalu (sekolah "
                                     "yang melapor di kedua semester): peserta didik {ds:+d}, guru {dg:+d}, putus "
                                     "sekolah {dd:+d}.").format(
            semester=self.rekap.semester.label, n=len(self.rekap.reports), m=len(self.rekap.missing),
            ds=change.students, dg=change.teachers, dd=change.dropouts))

    def sheets(self) -> Sequence[Sheet]:
        assert self.rekap is not None
        chosen = self.kecamatan.currentData()
        if chosen is None:
            return export.sekolah_sheets(self.rekap)
        sheets = export.sekolah_sheets(self.rekap, [r for r in self.rekap.reports if r.kecamatan == chosen])
        return [sheets[0], sheets[1],
                Sheet(sheets[2].title, sheets[2].headers, [r for r in sheets[2].rows if r[0] == chosen]),
                Sheet(sheets[3].title, sheets[3].headers, [r for r in sheets[3].rows if r[3] == chosen])]

    def titles(self) -> tuple[str, str, str]:
        assert self.rekap is not None
        sub = "Dinas Pendidikan dan Kebudayaan Kota Malang"
        if self.kecamatan.currentData() is not None:
            sub += " — Kecamatan " + self.kecamatan.currentText()
        return (f"Rekapitulasi Laporan Semester Satuan Pendidikan — {self.rekap.semester.label}", sub,
                f"rekap-sekolah-{self.rekap.semester.code}")


class RekapView(QWidget):
    """The sidebar page: the musrenbang and the school reports, one tab each."""

    def __init__(self, ws: Workspace, actor: Actor | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        title = QLabel(self.tr("Rekap"), self)
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.musrenbang = MusrenbangView(ws, actor, self)
        self.sekolah = SekolahView(ws, self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.musrenbang, self.tr("Musrenbang"))
        self.tabs.addTab(self.sekolah, self.tr("Laporan sekolah"))
        self.tabs.currentChanged.connect(lambda _i: self.activate())
        office = ws.offices.get(actor.office) if actor else None
        if office is not None and office.level is OfficeLevel.OPD:
            self.tabs.setCurrentWidget(self.sekolah)  # Dinas Pendidikan starts on its schools
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.tabs, 1)

    def activate(self) -> None:
        page = self.tabs.currentWidget()
        if isinstance(page, MusrenbangView | SekolahView):
            page.reload()
