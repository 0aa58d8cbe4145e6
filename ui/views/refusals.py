"""*Ditolak server*: every step the server refused, opened from the status bar.

Per refusal: the case (registration name and number), what was refused, the server's reason in the
person's language (the server's own message as detail, for IT), and what to do — sign again (the ordinary
approval flow), open the case to correct it, send again (a step the server failed on), or discard (marked
handled; it stays in the case's history and the audit log).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import Role
from app.services import refusals
from app.services.refusals import Refusal
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.actions import ApprovalOutcome, Engines
from ui.models.case_table import local_time
from ui.tasks import op


class RefusalsDialog(QDialog):
    """The list; ``open_case(case_id)`` shows a case (the main window's case dialog)."""

    changed = Signal()

    def __init__(self, ws: Workspace, actor: Actor, engines: Engines | None = None,
                 open_case: Callable[[str], None] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.actor, self.engines = ws, actor, engines or Engines.for_actor(ws, actor)
        self._open_case = open_case
        self.items: list[Refusal] = []
        self.setWindowTitle(self.tr("Ditolak server"))
        self.setAccessibleName(self.tr("Daftar langkah yang ditolak server"))
        intro = QLabel(self.tr("Langkah berikut sudah tersimpan di perangkat ini tetapi ditolak server. "
                               "Pilih satu untuk melihat alasannya dan tindakan yang perlu dilakukan."), self)
        intro.setWordWrap(True)
        self.table = QTableWidget(0, 5, self)
        self.table.setAccessibleName(self.tr("Langkah yang ditolak server"))
        self.table.setHorizontalHeaderLabels([self.tr("Berkas"), self.tr("Yang ditolak"), self.tr("Alasan server"),
                                              self.tr("Ditolak pada"), self.tr("Yang perlu dilakukan")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        for col, width in enumerate((220, 230, 0, 120, 190)):
            if width:
                header.resizeSection(col, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._selected)
        self.table.itemActivated.connect(lambda _item: self.open_selected())
        self.detail = QLabel(self)
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setAccessibleName(self.tr("Rincian penolakan"))
        self.detail.setStyleSheet("background: #f6f7f9; padding: 8px; border: 1px solid #dde1e6;")

        self.sign_button = self._button(self.tr("&Tandatangani lagi…"), self.sign_again)
        self.open_button = self._button(self.tr("&Buka berkas"), self.open_selected)
        self.resend_button = self._button(self.tr("&Kirim ulang"), self.resend)
        self.discard_button = self._button(self.tr("&Abaikan…"), self.discard)
        self.discard_button.setToolTip(self.tr("Tandai sudah ditangani. Penolakan tetap tercatat di riwayat berkas."))
        row = QHBoxLayout()
        for b in (self.sign_button, self.open_button, self.resend_button, self.discard_button):
            row.addWidget(b)
        row.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Tutup"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.detail)
        layout.addLayout(row)
        layout.addWidget(close)
        self.resize(1060, 520)
        self._selected()
        self.reload()

    def _button(self, text: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setAutoDefault(False)
        button.setAccessibleName(text.replace("&", "").rstrip("…"))
        button.clicked.connect(lambda _c=False: slot())
        return button

    def reload(self) -> None:
        ws = self.ws
        op(lambda: refusals.waiting(ws)).success(self._show).failure(errors.failure_handler(self)) \
            .run_in_background()

    def _show(self, items: list[Refusal]) -> None:
        self.items = items
        self.table.setRowCount(len(items))
        for r, item in enumerate(items):
            cells = (item.case_label, item.what, item.reason, local_time(item.refused_at or item.made_at),
                     item.todo_text)
            for c, text in enumerate(cells):
                cell = QTableWidgetItem(text)
                cell.setToolTip(text)
                self.table.setItem(r, c, cell)
        self.table.resizeRowsToContents()
        if items:
            self.table.selectRow(0)
        self._selected()

    def current(self) -> Refusal | None:
        rows = self.table.selectionModel().selectedRows()
        return self.items[rows[0].row()] if rows and rows[0].row() < len(self.items) else None

    def _selected(self) -> None:
        item = self.current()
        if item is None:
            self.detail.setText(self.tr("Tidak ada langkah yang ditolak server.") if not self.items else "")
        else:
            self.detail.setText(self.tr("<b>{what}</b> — {case}<br>{reason}<br>"
                                        "<span style='color:#5a6270'>Pesan server (untuk TI): {detail} "
                                        "(kode {errno})</span>").format(
                what=item.what, case=item.case_label, reason=item.reason, detail=item.detail or "-",
                errno=item.errno if item.errno is not None else "-"))
        signer = self.actor.role is Role.PENANDATANGAN and self.engines.approve_batch is not None
        self.sign_button.setEnabled(item is not None and item.todo == "sign" and signer
                                    and item.actor == self.actor.username)
        self.open_button.setEnabled(item is not None and item.case_id is not None and self._open_case is not None)
        self.resend_button.setEnabled(item is not None and item.todo == "resend")
        self.discard_button.setEnabled(item is not None)

    def open_selected(self) -> None:
        item = self.current()
        if item is not None and item.case_id and self._open_case is not None:
            self._open_case(item.case_id)

    def sign_again(self) -> None:
        """The ordinary approval flow (PIN, progress); the old refusal is marked handled once it is signed."""
        item = self.current()
        if item is None or not item.case_id:
            return
        from ui.actions import approve_cases

        ws, actor = self.ws, self.actor

        def signed(outcomes: Sequence[ApprovalOutcome]) -> None:
            if any(o.ok for o in outcomes):
                op(lambda: refusals.dismiss(ws, actor, item.op_id)).success(lambda _r: self._after()) \
                    .failure(errors.failure_handler(self)).run_in_background()

        approve_cases(self, self.engines, [item.case_id], on_done=self._after, on_results=signed)

    def resend(self) -> None:
        item = self.current()
        if item is None:
            return
        ws, actor = self.ws, self.actor
        op(lambda: refusals.resend(ws, actor, item.op_id)).success(lambda _r: self._after()) \
            .failure(errors.failure_handler(self)).run_in_background()

    def discard(self, confirm: bool = True) -> None:
        item = self.current()
        if item is None:
            return
        if confirm:
            box = QMessageBox(QMessageBox.Icon.Question, self.tr("Abaikan penolakan"),
                              self.tr("Tandai penolakan ini sudah ditangani? Langkah ini tidak akan dikirim lagi; "
                                      "penolakannya tetap tercatat di riwayat berkas."),
                              QMessageBox.StandardButton.NoButton, self)
            yes = box.addButton(self.tr("Ya, abaikan"), QMessageBox.ButtonRole.YesRole)
            no = box.addButton(self.tr("Tidak"), QMessageBox.ButtonRole.NoRole)
            box.setDefaultButton(no)
            box.exec()
            if box.clickedButton() is not yes:
                return
        ws, actor = self.ws, self.actor
        op(lambda: refusals.dismiss(ws, actor, item.op_id)).success(lambda _r: self._after()) \
            .failure(errors.failure_handler(self)).run_in_background()

    def _after(self) -> None:
        self.reload()
        self.changed.emit()
