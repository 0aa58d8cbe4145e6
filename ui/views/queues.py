"""Work queues: the verifier's (submitted cases of the office) and the signer's (verified cases whose next
signing step is this person's: the case's approval chain decides, see ``app.domain.chain``).

Multi-select rows; the signer previews the letter (``render_preview`` seam), then "Setujui & tandatangani"
asks for the PIN once for the whole batch and runs ``approve_batch`` on the DB lane with a progress dialog.
Refused or stale results stay listed with their reason until the next batch.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.lifecycle import Action
from app.services import queries
from app.services.workspace import Actor, Workspace
from app.storage.repo import CaseQuery
from ui.actions import ApprovalOutcome, Engines, approve_cases, run_step
from ui.letter_preview import PagedPreview, render_pages
from ui.models.case_table import CaseTableModel
from ui.tasks import op


class QueueView(QWidget):
    """``kind`` "verify": submitted cases of the office; "sign": verified cases the signer may approve."""

    def __init__(self, ws: Workspace, actor: Actor, kind: str, engines: Engines | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.actor, self.kind = ws, actor, kind
        self.engines = engines or Engines.for_actor(ws, actor)
        self.results: list[ApprovalOutcome] = []
        self.progress_seen: list[tuple[int, int]] = []  # (done, total) as the progress dialog showed them
        self.model = CaseTableModel(ws, self._query(), parent=self)
        self.title = QLabel(self.tr("Antrean verifikasi") if kind == "verify" else self.tr("Antrean tanda tangan"),
                            self)
        self.title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.table = QTableView(self)
        self.table.setAccessibleName(self.title.text())
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        for col in (4, 6, 7):
            self.table.hideColumn(col)
        header = self.table.horizontalHeader()
        for i, width in ((0, 80), (1, 70), (2, 140), (5, 90)):
            header.resizeSection(i, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(5, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort)
        self.table.activated.connect(lambda idx: self._open(idx.row()))

        none_yet = (self.tr("Pratinjau surat belum tersedia di perangkat ini.") if self.engines.render_preview is None
                    else self.tr("Pilih berkas untuk pratinjau surat."))
        self.preview = PagedPreview(none_yet, self)
        self.preview.setAccessibleName(self.tr("Pratinjau surat"))
        self.result_list = QListWidget(self)
        self.result_list.setAccessibleName(self.tr("Hasil penandatanganan"))
        self.result_summary = QLabel(self)
        self.result_summary.setWordWrap(True)
        results_box = QGroupBox(self.tr("Hasil terakhir"), self)
        rl = QVBoxLayout(results_box)
        rl.addWidget(self.result_summary)
        rl.addWidget(self.result_list)
        results_box.setMaximumHeight(190)

        self.buttons: dict[str, QPushButton] = {}
        row = QHBoxLayout()
        if kind == "verify":
            self._button(row, "verify", self.tr("&Verifikasi (paraf) terpilih"), "Ctrl+Shift+V",
                         lambda: self._step(Action.VERIFY))
        else:
            approve = self._button(row, "approve", self.tr("&Setujui && tandatangani"), "Ctrl+Shift+S",
                                   self._approve_clicked)
            approve.setStyleSheet("QPushButton:enabled { background: #2f6db5; color: white; font-weight: 600; "
                                  "padding: 4px 12px; }")
            if self.engines.approve_batch is None:
                approve.setEnabled(False)
                approve.setToolTip(self.tr("Penandatanganan belum disiapkan di perangkat ini."))
        self._button(row, "return", self.tr("&Kembalikan…"), "Ctrl+Shift+K", lambda: self._step(Action.RETURN))
        self._button(row, "reject", self.tr("&Tolak…"), "Ctrl+Shift+T", lambda: self._step(Action.REJECT))
        self._button(row, "open", self.tr("&Buka"), "", lambda: self._open(self.table.currentIndex().row()))
        row.addStretch(1)
        self.selection_label = QLabel(self)
        row.addWidget(self.selection_label)

        left = QWidget(self)
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.title)
        ll.addWidget(self.table, 3)
        ll.addLayout(row)
        ll.addWidget(results_box, 1)
        split = QSplitter(self)
        split.addWidget(left)
        split.addWidget(self.preview)
        split.setSizes([640, 420])
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _p: self._show_preview(cur.row()))
        self.model.loaded.connect(self._selection_changed)
        self.model.loaded.connect(self._follow_current)
        self._preview_for: str | None = None
        self.model.refresh(reset=True)

    def _button(self, row: QHBoxLayout, key: str, text: str, keys: str, slot: Callable[[], None]) -> QPushButton:
        b = QPushButton(text, self)
        b.setAutoDefault(False)
        b.setAccessibleName(text.replace("&&", "\0").replace("&", "").replace("\0", "&"))
        if keys:
            b.setToolTip(keys)
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda: b.click() if b.isEnabled() else None)
        b.clicked.connect(lambda _c=False: slot())
        row.addWidget(b)
        self.buttons[key] = b
        return b

    def _query(self) -> CaseQuery:
        """Verify: the office's submitted cases. Sign: verified cases whose next signing step is this person's
        (own office, or one delegated to them) — a Lurah's endorsement before the Camat's letter included.
        Neither lists a case separation of duties keeps from this person (registered or verified by them)."""
        from app.services.approvals import signing_queue, verification_queue

        return verification_queue(self.ws, self.actor) if self.kind == "verify" else signing_queue(self.ws, self.actor)

    def activate(self) -> None:
        self.model.set_query(self._query())  # delegations may have begun or ended since
        self.model.refresh()
        self.table.setFocus()

    def reload(self) -> None:
        self.model.refresh()

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [cid for cid in (self.model.case_id(r) for r in rows) if cid]

    def current_case(self) -> str | None:
        idx = self.table.currentIndex()
        return self.model.case_id(idx.row()) if idx.isValid() else None

    def _selection_changed(self) -> None:
        n = len(self.table.selectionModel().selectedRows())
        self.selection_label.setText(self.tr("%n dipilih", "", n) + "  ·  " + self.tr("%n dalam antrean", "",
                                                                                       self.model.rowCount()))

    def _open(self, row: int) -> None:
        case_id = self.model.case_id(row) if row >= 0 else None
        if case_id:
            from ui.views.case_detail import CaseDetailDialog

            dialog = CaseDetailDialog(self.ws, self.actor, case_id, self.engines, self)
            dialog.view.changed.connect(self.model.refresh)
            dialog.open()

    def _step(self, action: Action) -> None:
        ids = self.selected_ids()
        if ids:
            run_step(self, self.ws, self.actor, ids, action, self.model.refresh)

    def _approve_clicked(self) -> None:
        self.approve_selected()

    def approve_selected(self, ask_pin: Callable[[int], str | None] | None = None) -> bool:
        self.progress_seen.clear()
        return approve_cases(self, self.engines, self.selected_ids(), self.model.refresh, self.show_results,
                             ask_pin, lambda done, total: self.progress_seen.append((done, total)))

    def show_results(self, results: Sequence[ApprovalOutcome]) -> None:
        self.results = list(results)
        # an accepted step without a letter number is a recommendation: the case goes on to the next signer
        ok = sum(1 for r in results if r.ok and r.letter_number)
        recommended = sum(1 for r in results if r.ok and not r.letter_number)
        refused = [r for r in results if not r.ok]
        summary = self.tr("{ok} disetujui, {bad} ditolak atau kedaluwarsa.").format(ok=ok, bad=len(refused))
        if recommended:
            summary = self.tr("{n} direkomendasikan ke penandatangan berikutnya.").format(n=recommended) + " " + (
                summary if ok or refused else "")
        self.result_summary.setText(summary.strip())
        from ui.notice import confirm

        confirm(self, self.result_summary.text())
        self.result_list.clear()
        named = queries.shown_ids(self.ws, (r.case_id for r in results))  # as people name the cases
        for r in refused:
            reason = r.reason or self.tr("tanpa alasan")
            self.result_list.addItem(f"{named[r.case_id]} — {reason}")
        for r in results:
            if r.ok and r.letter_number:
                self.result_list.addItem(f"{named[r.case_id]} — " + self.tr("disetujui")
                                         + f" ({r.letter_number})")
            elif r.ok:
                self.result_list.addItem(f"{named[r.case_id]} — " + self.tr("direkomendasikan"))

    def _follow_current(self) -> None:
        """After the list changed (a case verified, signed or returned left it), the preview shows the case
        now current, or nothing: never a case that is no longer in the queue."""
        index = self.table.currentIndex()
        case_id = self.model.case_id(index.row()) if index.isValid() else None
        if case_id is None and self.model.rowCount():
            self.table.selectRow(0)
            return  # currentRowChanged shows it
        if case_id is None:
            self._preview_for = None
            self.preview.clear(self.tr("Antrean kosong: tidak ada surat untuk dipratinjau."))
        elif case_id != self._preview_for:
            self._show_preview(index.row())

    def _show_preview(self, row: int) -> None:
        render = self.engines.render_preview
        case_id = self.model.case_id(row) if row >= 0 else None
        if render is None or case_id is None or case_id == self._preview_for:
            return
        self._preview_for = case_id
        self.preview.clear(self.tr("Menyiapkan pratinjau surat…"))

        def work() -> list[QImage]:
            data = render(case_id)
            return render_pages(data) if data else []

        def shown(pages: Any) -> None:
            if self._preview_for == case_id:
                self.preview.show_pages(pages, self.tr("Surat untuk berkas ini belum bisa dibuat."))

        op(work).success(shown).failure(lambda exc: shown([])).run_in_background()
