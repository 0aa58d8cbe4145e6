"""Help → device check: doctor's one-line verdicts, and a support bundle for IT, in the GUI."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.services import doctor
from app.services.doctor import Check
from app.services.workspace import Workspace
from ui import errors
from ui.tasks import Lane, op


def run_checks(ws: Workspace) -> list[Check]:
    """Doctor with the network checks (server reachable, clock skew). Network lane: it may wait on the server."""
    from sync.doctor_checks import network_checks

    return doctor.run(ws, extra=network_checks())


class SupportDialog(QDialog):
    def __init__(self, ws: Workspace, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.checks: list[Check] = []
        self.setWindowTitle(self.tr("Pemeriksaan perangkat"))
        self.setAccessibleName(self.tr("Pemeriksaan perangkat"))
        self.summary = QLabel(self.tr("Memeriksa…"), self)
        self.list = QTreeWidget(self)
        self.list.setAccessibleName(self.tr("Hasil pemeriksaan"))
        self.list.setHeaderLabels([self.tr("Hasil"), self.tr("Pemeriksaan"), self.tr("Keterangan")])
        self.list.setRootIsDecorated(False)
        self.list.setColumnWidth(0, 70)
        self.list.setColumnWidth(1, 150)
        self.bundle = QPushButton(self.tr("Buat paket &dukungan…"), self)
        self.bundle.setAccessibleName(self.tr("Buat paket dukungan untuk TI"))
        self.bundle.setEnabled(False)
        self.bundle.clicked.connect(self.save_bundle)
        again = QPushButton(self.tr("&Periksa lagi"), self)
        again.clicked.connect(self.refresh)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Tutup"))
        buttons.addButton(again, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.bundle, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        layout.addWidget(buttons)
        self.resize(820, 460)
        self.refresh()

    def refresh(self) -> None:
        ws = self.ws
        self.summary.setText(self.tr("Memeriksa…"))
        op(lambda: run_checks(ws)).success(self.show_checks).failure(errors.failure_handler(self)) \
            .on(Lane.NET).run_in_background()

    def show_checks(self, checks: list[Check]) -> None:
        self.checks = checks
        self.list.clear()
        for check in checks:
            warn = bool(getattr(check, "warn", False))
            word = self.tr("GAGAL") if not check.ok else (self.tr("AWAS") if warn else "OK")
            item = QTreeWidgetItem([word, check.name, check.detail])
            item.setToolTip(2, check.detail)
            if not check.ok:
                item.setForeground(0, QColor("#b3261e"))
            elif warn:
                item.setForeground(0, QColor("#8a5a00"))
            self.list.addTopLevelItem(item)
        failed = sum(1 for c in checks if not c.ok)
        self.summary.setText(self.tr("Semua pemeriksaan baik.") if not failed else
                             self.tr("{n} pemeriksaan gagal — lihat keterangannya.").format(n=failed))
        self.bundle.setEnabled(True)

    def save_bundle(self) -> None:
        from app.services.support import write_bundle

        name, _ = QFileDialog.getSaveFileName(self, self.tr("Simpan paket dukungan"), "loket-dukungan.zip",
                                              "Zip (*.zip)")
        if not name:
            return
        ws, checks, out = self.ws, list(self.checks), Path(name)
        op(lambda: write_bundle(ws, out, checks)).success(
            lambda _r: self.summary.setText(self.tr("Paket dukungan disimpan: {p}").format(p=out))
        ).failure(errors.failure_handler(self)).run_in_background()
