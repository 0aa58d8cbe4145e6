"""The main window: navigation, the case list (windowed model), queues, dashboard, conflicts, status bar.

Keyboard first: every action has a shortcut (listed in the menus), the search box is Ctrl+F, Enter on a row
opens it, F5 refreshes (and asks the sync engine for a run when one is wired).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QItemSelectionModel, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app import clock
from app.domain.lifecycle import CaseStatus
from app.domain.roles import Role
from app.events import Changes
from app.services import queries
from app.services.queries import CaseQuery
from app.services.workspace import Actor, Workspace
from app.storage import meta
from ui import errors
from ui.actions import Engines, services_for
from ui.bridge import EventBridge
from ui.models.case_table import COLUMNS, CaseTableModel
from ui.tasks import op

_COLUMN_WIDTHS = (90, 80, 150, 0, 110, 95, 130, 170)


def role_label(role: Role) -> str:
    return {
        Role.PETUGAS: QCoreApplication.translate("MainWindow", "Petugas loket"),
        Role.VERIFIKATOR: QCoreApplication.translate("MainWindow", "Verifikator"),
        Role.PENANDATANGAN: QCoreApplication.translate("MainWindow", "Penandatangan"),
        Role.ADMIN: QCoreApplication.translate("MainWindow", "Admin TI"),
    }[role]


class CaseListPage(QWidget):
    open_case = Signal(str)
    new_case = Signal()

    def __init__(self, ws: Workspace, actor: Actor, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.actor = ws, actor
        self.model = CaseTableModel(ws, CaseQuery(office=actor.office), parent=self)
        self.search = QLineEdit(self)
        self.search.setPlaceholderText(self.tr("Cari NIK, nama, atau nomor berkas/surat…  (Ctrl+F)"))
        self.search.setAccessibleName(self.tr("Cari berkas"))
        self.search.setClearButtonEnabled(True)
        self.status = QComboBox(self)
        self.status.setAccessibleName(self.tr("Saring menurut status"))
        self.status.addItem(self.tr("Semua status"), None)
        for st in CaseStatus:
            self.status.addItem(st.label, st.value)
        self.service = QComboBox(self)
        self.service.setAccessibleName(self.tr("Saring menurut layanan"))
        self.service.addItem(self.tr("Semua layanan"), None)
        for code, name in services_for(ws, actor):
            self.service.addItem(f"{code} — {name}", code)
        self.overdue = QCheckBox(self.tr("Hanya lewat tenggat"), self)
        self.overdue.setAccessibleName(self.tr("Hanya berkas lewat tenggat"))
        self.new_button = QPushButton(self.tr("Berkas baru"), self)
        self.new_button.setAccessibleName(self.tr("Daftarkan berkas baru"))
        self.new_button.setToolTip("Ctrl+N")
        self.new_button.setEnabled(actor.role is Role.PETUGAS)
        self.new_button.clicked.connect(self.new_case)
        self.count = QLabel(self)
        self.count.setAccessibleName(self.tr("Jumlah berkas"))

        self.table = QTableView(self)
        self.table.setAccessibleName(self.tr("Daftar berkas"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.table.horizontalHeader()
        header.setSortIndicator(self.model.sort_column(), Qt.SortOrder.DescendingOrder)
        header.setSortIndicatorShown(True)
        header.setSectionsClickable(True)
        header.sortIndicatorChanged.connect(self.model.sort)
        for i, width in enumerate(_COLUMN_WIDTHS):
            if width:
                header.resizeSection(i, width)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.activated.connect(self._activated)
        self.model.loaded.connect(self._loaded)
        self.model.counted.connect(self._counted)

        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.status, 1)
        top.addWidget(self.service, 2)
        top.addWidget(self.overdue)
        top.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count)
        self.setTabOrder(self.search, self.status)
        self.setTabOrder(self.status, self.service)
        self.setTabOrder(self.service, self.overdue)
        self.setTabOrder(self.overdue, self.new_button)
        self.setTabOrder(self.new_button, self.table)

        self._debounce = QTimer(self, singleShot=True, interval=250)
        self._debounce.timeout.connect(self.apply_filters)
        self.search.textChanged.connect(lambda _t: self._debounce.start())
        self.search.returnPressed.connect(self._search_now)
        self.status.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.service.currentIndexChanged.connect(lambda _i: self.apply_filters())
        self.overdue.toggled.connect(lambda _b: self.apply_filters())
        self.model.refresh(reset=True)

    def _search_now(self) -> None:
        self._debounce.stop()
        self.apply_filters()
        if self.model.rowCount():
            self.table.setFocus()
            self.table.selectRow(0)

    def apply_filters(self) -> None:
        self.model.update_query(search=self.search.text().strip() or None, status=self.status.currentData(),
                                service=self.service.currentData(),
                                overdue_before=clock.today().isoformat() if self.overdue.isChecked() else None)

    def _counted(self) -> None:
        self.count.setText(self.tr("%n berkas", "", self.model.rowCount()))

    def _loaded(self) -> None:
        n = self.model.rowCount()
        if self.model.counting:
            self.count.setText(self.tr("Menghitung berkas…"))
        else:
            self._counted()
        if n and not self.table.selectionModel().hasSelection():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _activated(self, index: QModelIndex) -> None:
        case_id = self.model.case_id(index.row())
        if case_id:
            self.open_case.emit(case_id)

    def current_case(self) -> str | None:
        index = self.table.currentIndex()
        return self.model.case_id(index.row()) if index.isValid() else None


class SyncState(QObject):
    """What the status bar shows about sync, fed by ``ui.app.BackgroundSync`` (``update(...)`` on the GUI thread).
    ``online`` None means "not known yet"; ``sync_now`` starts one run (F5), None while no sync runs."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.online: bool | None = None
        self.running = False
        self.last_sync: str | None = None  # ISO time of the last completed run
        self.message = ""
        self.history_pending = False  # cases' history and documents still coming after a first pull
        self.sync_now: Callable[[], None] | None = None

    def update(self, **values: Any) -> None:
        """Change any of the attributes above and repaint who listens (GUI thread)."""
        for key, value in values.items():
            if not hasattr(self, key):
                raise AttributeError(key)
            setattr(self, key, value)
        self.changed.emit()


class MainWindow(QMainWindow):
    """Built by ``ui.app`` with the person's engines (:class:`ui.actions.Engines`, the real ones when none are
    given) and the session's sync state; ``on_switch_user`` and ``on_language`` rebuild the window."""

    def __init__(self, ws: Workspace, actor: Actor, engines: Engines | None = None, *,
                 sync_state: SyncState | None = None, on_switch_user: Callable[[], None] | None = None,
                 on_language: Callable[[str], None] | None = None) -> None:
        super().__init__()
        self.ws, self.actor = ws, actor
        self.engines = engines or Engines.for_actor(ws, actor)
        self.sync_state = sync_state or SyncState(self)
        self._on_switch_user, self._on_language = on_switch_user, on_language
        self.bridge = EventBridge(ws.events, self)
        office = ws.offices.get(actor.office)
        self.office_name = office.display_name if office else actor.office
        self.setWindowTitle(self.office_name)  # the system adds the application's name: "Kelurahan X — Loket"
        self.setAccessibleName(self.tr("Jendela utama Loket"))

        from ui.views.conflicts import ConflictsView
        from ui.views.dashboard import DashboardView
        from ui.views.queues import QueueView

        self.cases = CaseListPage(ws, actor, self)
        self.nav = QListWidget(self)
        self.nav.setAccessibleName(self.tr("Navigasi"))
        self.nav.setFixedWidth(220)
        self.nav.setStyleSheet(
            "QListWidget { background: #1f3b5c; color: #e8eef5; border: none; padding-top: 8px; font-size: 11pt; }"
            "QListWidget::item { padding: 9px 14px; }"
            "QListWidget::item:selected { background: #2f6db5; color: white; }")
        self.stack = QStackedWidget(self)
        self._pages: list[QWidget] = []
        self._add_page(self.tr("Berkas"), self.cases)
        self.verify_queue: QueueView | None = None
        self.sign_queue: QueueView | None = None
        if actor.role is Role.VERIFIKATOR:
            self.verify_queue = QueueView(ws, actor, "verify", self.engines, self)
            self._add_page(self.tr("Antrean verifikasi"), self.verify_queue)
        if actor.role is Role.PENANDATANGAN:
            self.sign_queue = QueueView(ws, actor, "sign", self.engines, self)
            self._add_page(self.tr("Antrean tanda tangan"), self.sign_queue)
        self.dashboard = DashboardView(ws, self)
        self._add_page(self.tr("Dasbor"), self.dashboard)
        from ui.views.rekap import RekapView

        self.rekap = RekapView(ws, actor, self)
        self._add_page(self.tr("Rekap"), self.rekap)
        self.conflicts = ConflictsView(self.engines.conflicts, self)
        self._add_page(self.tr("Konflik sinkronisasi"), self.conflicts)
        from ui.views.register import RegisterView

        self.register_view = RegisterView(ws, actor, self)
        self._add_page(self.tr("Register"), self.register_view)
        self.nav.currentRowChanged.connect(self._page_changed)
        self.nav.setCurrentRow(0)

        central = QWidget(self)
        row = QHBoxLayout(central)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_status_bar()
        self._build_actions()
        self.cases.open_case.connect(self.open_case)
        self.cases.new_case.connect(self.new_case)
        self.bridge.changes.connect(self._changed)
        self.sync_state.changed.connect(self._sync_changed)
        self._outbox_timer = QTimer(self, singleShot=True, interval=300)
        self._outbox_timer.timeout.connect(self.refresh_outbox)
        self.refresh_outbox()
        self._sync_changed()
        self.resize(1200, 720)
        self.cases.search.setFocus()

    # ---- layout ------------------------------------------------------------------------------------
    def _add_page(self, title: str, widget: QWidget) -> None:
        n = len(self._pages) + 1
        item = QListWidgetItem(f"{title}\tCtrl+{n}")
        item.setData(Qt.ItemDataRole.AccessibleTextRole, title)
        item.setText(title)
        item.setToolTip(f"Ctrl+{n}")
        self.nav.addItem(item)
        self.stack.addWidget(widget)
        self._pages.append(widget)

    def _page_changed(self, row: int) -> None:
        self.stack.setCurrentIndex(row)
        page = self._pages[row] if 0 <= row < len(self._pages) else None
        activate = getattr(page, "activate", None)
        if callable(activate):
            activate()

    def show_page(self, widget: QWidget) -> None:
        if widget in self._pages:
            self.nav.setCurrentRow(self._pages.index(widget))

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.user_label = QLabel(self.tr("{name} · {role} · {office}").format(
            name=self.actor.full_name, role=role_label(self.actor.role), office=self.office_name))
        self.user_label.setAccessibleName(self.tr("Pengguna yang masuk"))
        self.user_label.setStyleSheet("font-weight: 600;")
        self.sync_label = QLabel()
        self.sync_label.setAccessibleName(self.tr("Status sinkronisasi"))
        self.outbox_label = QLabel()
        self.outbox_label.setAccessibleName(self.tr("Antrean kirim"))
        self.refused_button = QPushButton()
        self.refused_button.setFlat(True)
        self.refused_button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.refused_button.setStyleSheet("QPushButton { color: #b3261e; font-weight: 600; border: none; "
                                          "text-decoration: underline; padding: 0 4px; }")
        self.refused_button.setToolTip(self.tr("Langkah yang ditolak server: klik untuk melihat alasannya dan "
                                               "apa yang perlu dilakukan (Ctrl+Shift+R)."))
        self.refused_button.setAccessibleName(self.tr("Buka daftar Ditolak server"))
        self.refused_button.clicked.connect(lambda _c=False: self.open_refusals())
        self.refused_button.hide()
        bar.addWidget(self.user_label, 1)
        bar.addPermanentWidget(self.outbox_label)
        bar.addPermanentWidget(self.refused_button)
        bar.addPermanentWidget(self.sync_label)

    def _build_actions(self) -> None:
        menu_case = self.menuBar().addMenu(self.tr("&Berkas"))
        menu_view = self.menuBar().addMenu(self.tr("&Tampilan"))
        menu_user = self.menuBar().addMenu(self.tr("&Pengguna"))
        menu_help = self.menuBar().addMenu(self.tr("Ba&ntuan"))

        def action(menu: QMenu, text: str, keys: QKeySequence | str, slot: Callable[[], object],
                   enabled: bool = True) -> QAction:
            act = QAction(text, self)
            act.setShortcut(QKeySequence(keys))
            act.setEnabled(enabled)
            act.triggered.connect(lambda _checked=False: slot())
            menu.addAction(act)
            self.addAction(act)
            return act

        self.act_new = action(menu_case, self.tr("Berkas &baru…"), "Ctrl+N", self.new_case,
                              self.actor.role is Role.PETUGAS)
        self.act_open = action(menu_case, self.tr("B&uka berkas terpilih"), "Ctrl+O", self._open_current)
        self.act_search = action(menu_case, self.tr("&Cari…"), "Ctrl+F", self.focus_search)
        self.act_refresh = action(menu_case, self.tr("&Segarkan / sinkronkan"), "F5", self.refresh)
        self.act_refusals = action(menu_case, self.tr("&Ditolak server…"), "Ctrl+Shift+R", self.open_refusals)
        menu_case.addSeparator()
        self.act_quit = action(menu_case, self.tr("&Keluar"), "Ctrl+Q", self.close)
        for i in range(len(self._pages)):
            action(menu_view, self.nav.item(i).text(), f"Ctrl+{i + 1}", self._go_to(i))
        self.act_switch = action(menu_user, self.tr("&Ganti pengguna…"), "Ctrl+Shift+U", self._switch_user,
                                 self._on_switch_user is not None)
        menu_lang = menu_user.addMenu(self.tr("&Bahasa"))
        action(menu_lang, "Bahasa Indonesia", "Ctrl+Shift+I", lambda: self._language("id"),
               self._on_language is not None)
        action(menu_lang, "English", "Ctrl+Shift+E", lambda: self._language("en"), self._on_language is not None)
        self.act_guide = action(menu_help, self.tr("&Panduan"), "F1", self.open_guide)
        self.act_shortcuts = action(menu_help, self.tr("Pintasan &keyboard"), "Ctrl+F1", self.open_shortcuts)
        self.act_support = action(menu_help, self.tr("Pemeriksaan perangkat dan paket &dukungan…"), "Shift+F1",
                                  self.open_support)
        menu_help.addSeparator()
        self.act_about = action(menu_help, self.tr("&Tentang Loket"), "Ctrl+Shift+F1", self.open_about)

    def _go_to(self, row: int) -> Callable[[], None]:
        return lambda: self.nav.setCurrentRow(row)

    # ---- actions -----------------------------------------------------------------------------------
    def open_refusals(self) -> None:
        from ui.views.refusals import RefusalsDialog

        dialog = RefusalsDialog(self.ws, self.actor, self.engines, self.open_case, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.refresh_outbox)
        self.refusals_dialog = dialog
        dialog.open()

    def open_guide(self) -> None:
        from ui.dialogs.help import GuideDialog

        self.help_dialog = GuideDialog(self)
        self.help_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.help_dialog.show()  # beside the work, not in its way

    def open_shortcuts(self) -> None:
        from ui.dialogs.help import ShortcutsDialog

        dialog = ShortcutsDialog(self.actions(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_about(self) -> None:
        from ui.dialogs.help import AboutDialog

        with self.ws.db.read() as s:
            url = meta.server_url(s)
        dialog = AboutDialog(url, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def open_support(self) -> None:
        from ui.dialogs.support import SupportDialog

        dialog = SupportDialog(self.ws, self)
        dialog.setModal(True)
        dialog.open()

    def focus_search(self) -> None:
        self.show_page(self.cases)
        self.cases.search.setFocus()
        self.cases.search.selectAll()

    def new_case(self) -> None:
        if self.actor.role is not Role.PETUGAS:
            return
        from ui.dialogs.intake import IntakeDialog

        dialog = IntakeDialog(self.ws, self.actor, self)
        dialog.saved.connect(self._case_saved)
        dialog.open()

    def _case_saved(self, case_id: str) -> None:
        self.cases.model.refresh()

    def _open_current(self) -> None:
        page = self.stack.currentWidget()
        current = getattr(page, "current_case", None)
        case_id = current() if callable(current) else None
        if case_id:
            self.open_case(case_id)

    def open_case(self, case_id: str) -> None:
        from ui.views.case_detail import CaseDetailDialog

        dialog = CaseDetailDialog(self.ws, self.actor, case_id, self.engines, self)
        dialog.open()

    def refresh(self) -> None:
        if self.sync_state.sync_now is not None and not self.sync_state.running:
            self.sync_state.sync_now()
        self.cases.model.refresh()
        page = self.stack.currentWidget()
        reload = getattr(page, "reload", None)
        if callable(reload) and page is not self.cases:
            reload()
        self.refresh_outbox()

    def _switch_user(self) -> None:
        if self._on_switch_user is not None:
            self._on_switch_user()

    def _language(self, lang: str) -> None:
        if self._on_language is not None:
            self._on_language(lang)

    def _changed(self, changes: Changes) -> None:
        if changes.cases:
            self.cases.model.refresh()
            for queue in (self.verify_queue, self.sign_queue):
                if queue is not None:
                    queue.model.refresh()
        if changes.outbox or changes.cases:
            self._outbox_timer.start()

    def refresh_outbox(self) -> None:
        def counts() -> dict[str, int]:
            return queries.outbox_counts(self.ws)

        op(counts).success(self._show_outbox).failure(lambda exc: None).run_in_background()

    def _show_outbox(self, counts: dict[str, int]) -> None:
        pending = counts.get("pending", 0) + counts.get("sending", 0)
        refused = counts.get("refused", 0) + counts.get("rejected", 0)
        self.outbox_label.setText(self.tr("Menunggu kirim: {n}").format(n=pending))
        self.refused_button.setText(self.tr("Ditolak server: {n}").format(n=refused))
        self.refused_button.setVisible(bool(refused))
        self.conflicts.set_refused(refused)

    def _sync_changed(self) -> None:
        st = self.sync_state
        if st.running:
            text = self.tr("Sinkronisasi berjalan…")
        elif st.online is None:
            text = self.tr("Sinkronisasi belum disiapkan")
        elif st.online:
            text = self.tr("Daring")
        else:
            text = self.tr("Luring — data tersimpan di perangkat ini")
        if st.message:
            text += f" — {st.message}"
        if st.history_pending:
            text += " — " + self.tr("riwayat berkas masih diunduh")
        self.sync_label.setText(text)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.bridge.close()
        super().closeEvent(event)


__all__ = ["COLUMNS", "CaseListPage", "MainWindow", "errors"]
