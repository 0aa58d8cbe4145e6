"""Keeping a birth date or sex that differs from the NIK: the counter confirms with a reason."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QDialog, QHBoxLayout, QLabel, QPlainTextEdit, QPushButton, QVBoxLayout, QWidget

from app.domain import nik as niks


class NikConfirmDialog(QDialog):
    """Keeping a birth date or sex that differs from the NIK: a tick that the documents were checked and a
    reason, both required (the case's history keeps the reason)."""

    def __init__(self, found: list[niks.Contradiction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Data berbeda dengan NIK"))
        self.setAccessibleName(self.windowTitle())
        lines = "\n".join("• " + c.message for c in found)
        info = QLabel(self.tr("{lines}\n\nNIK yang tanggal lahirnya sudah dikoreksi memang ada. Periksa KTP dan KK "
                              "pemohon; lanjutkan hanya bila data yang diketik benar.").format(lines=lines), self)
        info.setWordWrap(True)
        self.checked = QCheckBox(self.tr("Saya sudah &memeriksa dokumen pemohon; data yang diketik benar."), self)
        self.reason = QPlainTextEdit(self)
        self.reason.setTabChangesFocus(True)
        self.reason.setAccessibleName(self.tr("Alasan"))
        self.reason.setPlaceholderText(self.tr("Misalnya: tanggal lahir sudah dikoreksi Dukcapil, lihat KK terbaru."))
        self.reason.setFixedHeight(70)
        label = QLabel(self.tr("&Alasan (wajib, dicatat di riwayat berkas):"), self)
        label.setBuddy(self.reason)
        self.ok = QPushButton(self.tr("Tetap gunakan data ini"), self)
        cancel = QPushButton(self.tr("Perbaiki dulu"), self)
        self.ok.setEnabled(False)
        cancel.setDefault(True)
        self.ok.clicked.connect(self.accept)
        cancel.clicked.connect(self.reject)
        self.checked.toggled.connect(lambda _b: self._update())
        self.reason.textChanged.connect(self._update)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.ok)
        row.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addWidget(self.checked)
        layout.addWidget(label)
        layout.addWidget(self.reason)
        layout.addLayout(row)
        self.resize(500, 300)

    def text(self) -> str:
        return self.reason.toPlainText().strip()

    def _update(self) -> None:
        self.ok.setEnabled(self.checked.isChecked() and niks.REASON_MIN <= len(self.text()) <= niks.REASON_MAX)
