"""One case: its data, attachments (image or PDF first-page preview), the full timeline (who, when, from which
device) and a button for each step the current user may take now (``lifecycle.next_actions``)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import clock, timefmt
from app.domain import lifecycle
from app.domain.lifecycle import Action, CaseStatus
from app.domain.roles import Role
from app.errors import LoketError, UserFacingError
from app.services import cases
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.actions import Engines, action_text, approve_cases, run_step, step_done_text
from ui.letter_preview import PagedPreview, render_pages
from ui.models.case_table import local_time
from ui.tasks import op

DRAFT_LETTER = "draft-letter"  # the docs list's item for the letter as it will be signed (not a blob)


def _handover_text(event: dict[str, Any]) -> str:
    """"Diambil oleh Budi Santoso (keluarga), KTP-el 3573…" for an issue step that recorded the hand-over."""
    record = event.get("handover")
    if not isinstance(record, dict):
        return ""
    return str(QCoreApplication.translate("CaseDetail", "Diambil oleh {name} ({relation}), {id}")).format(
        name=record.get("name", ""), relation=record.get("relation", ""), id=record.get("id_shown", ""))

class CaseDetailView(QWidget):
    changed = Signal()

    def __init__(self, ws: Workspace, actor: Actor, case_id: str, engines: Engines | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws, self.actor, self.case_id = ws, actor, case_id
        self.engines = engines or Engines.for_actor(ws, actor)
        self.data: dict[str, Any] | None = None
        self.title = QLabel(self)
        self.title.setStyleSheet("font-size: 15pt; font-weight: 600;")
        self.title.setWordWrap(True)
        self.subtitle = QLabel(self)
        self.subtitle.setWordWrap(True)
        self.fields_box = QGroupBox(self.tr("Data pemohon dan isian"), self)
        self.fields = QFormLayout(self.fields_box)
        fields_scroll = QScrollArea(self)
        fields_scroll.setWidgetResizable(True)
        fields_scroll.setWidget(self.fields_box)

        self.docs = QListWidget(self)
        self.docs.setAccessibleName(self.tr("Lampiran"))
        self.preview = PagedPreview(self.tr("Pilih lampiran untuk melihat pratinjau"), self)
        self.preview.setAccessibleName(self.tr("Pratinjau lampiran"))
        self.docs.currentItemChanged.connect(lambda cur, _prev: self._preview(cur))
        docs_box = QGroupBox(self.tr("Lampiran"), self)
        dl = QVBoxLayout(docs_box)
        self.docs.setMinimumHeight(self.fontMetrics().height() * 6)
        dl.addWidget(self.docs, 2)
        dl.addWidget(self.preview, 3)

        self.timeline = QTreeWidget(self)
        self.timeline.setAccessibleName(self.tr("Riwayat berkas"))
        self.timeline.setHeaderLabels([self.tr("Waktu perangkat (WIB)"), self.tr("Diterima server (WIB)"),
                                       self.tr("Oleh"), self.tr("Perangkat"), self.tr("Langkah"), self.tr("Status"),
                                       self.tr("Alasan")])
        self.timeline.headerItem().setToolTip(0, self.tr("Saat orangnya bertindak, menurut jam perangkat"))
        self.timeline.headerItem().setToolTip(1, self.tr("Saat server menerima langkah ini"))
        self.timeline.setRootIsDecorated(False)
        self.timeline.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        for col, width in enumerate((165, 165, 170, 130, 150, 100)):
            self.timeline.setColumnWidth(col, width)
        time_box = QGroupBox(self.tr("Riwayat"), self)
        tl = QVBoxLayout(time_box)
        tl.addWidget(self.timeline)

        upper = QSplitter(self)
        upper.addWidget(fields_scroll)
        upper.addWidget(docs_box)
        upper.setSizes([520, 420])
        main = QSplitter(Qt.Orientation.Vertical, self)
        main.addWidget(upper)
        main.addWidget(time_box)
        main.setSizes([400, 230])
        self.buttons = QHBoxLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        layout.addWidget(main, 1)
        layout.addLayout(self.buttons)
        self.action_buttons: dict[Action, QPushButton] = {}
        self.save_options: dict[str, Any] = {}  # tests: ``ask`` instead of the file dialog
        self.confirm_nik = self._confirm_nik  # tests: an answer instead of the dialog
        self.reload()

    def reload(self) -> None:
        ws, ident, actor = self.ws, self.case_id, self.actor

        def load() -> tuple[dict[str, Any], dict[str, str]]:
            data = cases.show(ws, ident)
            names = {u.username: u.full_name for u in ws.users()}
            if data.get("next_step") and actor.role is Role.PENANDATANGAN:
                from app.services.approvals import check_turn

                try:  # whose signing step the case waits for (a Lurah's before a Camat's, say)
                    check_turn(ws, actor, [data["id"]])
                    data["my_turn"] = True
                except LoketError as err:
                    data["my_turn"], data["not_my_turn"] = False, err.message
            return data, names

        op(load).success(lambda r: self._show(*r)).failure(errors.failure_handler(self)).run_in_background()

    def _show(self, data: dict[str, Any], names: dict[str, str]) -> None:
        self.data = data
        service = self.ws.catalog.services.get(data["service"])
        status = CaseStatus(data["status"])
        self.title.setText(f"{service.name if service else data['service']} — {data['name']}")
        overdue = status.is_open and data["due_date"] < clock.today().isoformat()
        due = timefmt.date_short(data["due_date"])
        parts = [self.tr("Berkas {id}").format(id=data.get("reg_no") or data["id"][:8]),
                 self.tr("Status: {s}").format(s=status.label),
                 self.tr("Tenggat: {d}").format(d=due)]
        if overdue:
            parts.append("<b style='color:#b3261e'>" + self.tr("lewat tenggat") + "</b>")
        if data.get("letter_number"):
            parts.append(self.tr("Nomor surat: {n}").format(n=data["letter_number"]))
        self.subtitle.setText("  ·  ".join(parts))
        self.subtitle.setAccessibleName(self.subtitle.text())

        while self.fields.rowCount():
            self.fields.removeRow(0)

        def add(label: str, value: str) -> None:
            v = QLabel(value or "—", self.fields_box)
            v.setWordWrap(True)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields.addRow(QLabel(label + ":", self.fields_box), v)

        add(self.tr("NIK"), data.get("nik") or "")
        add(self.tr("Nama"), data["name"])
        for spec in service.fields if service else ():
            value = data["fields"].get(spec.key)
            if value and spec.type == "choice":
                value = next((c.label for c in spec.choices if c.key == value), value)
            elif value and spec.type == "date":
                value = timefmt.date_short(value)
            elif value and spec.type == "money" and value.isdigit():
                value = "Rp " + f"{int(value):,}".replace(",", ".")
            add(spec.label, value or "")
        if data.get("reason"):
            add(self.tr("Alasan terakhir"), data["reason"])

        self.docs.clear()
        letter = data.get("letter")
        if letter:
            item = QListWidgetItem(self.tr("Surat bertanda tangan — {n}").format(n=letter["number"]))
            item.setData(Qt.ItemDataRole.UserRole, (letter["sha256"], "application/pdf"))
            self.docs.addItem(item)
        doc_names = {d.code: d.name for d in service.documents} if service else {}
        for doc in data["documents"]:
            item = QListWidgetItem(f"{doc_names.get(doc['doc_code'], doc['doc_code'])} — {doc['filename']}")
            item.setData(Qt.ItemDataRole.UserRole, (doc["sha256"], doc["mime"]))
            self.docs.addItem(item)
        if not letter and self.engines.render_preview is not None and status in (CaseStatus.SUBMITTED,
                                                                                CaseStatus.VERIFIED):
            item = QListWidgetItem(self.tr("Pratinjau surat (belum ditandatangani)"))
            item.setData(Qt.ItemDataRole.UserRole, (DRAFT_LETTER, "application/pdf"))
            self.docs.insertItem(0, item)
        if not self.docs.count():
            self.docs.addItem(self.tr("Belum ada lampiran"))
        else:
            self.docs.setCurrentRow(0)

        self._show_timeline(data, names)
        self._build_buttons(status)

    def _device_text(self, e: dict[str, Any]) -> str:
        if e.get("device_name"):
            name = str(e["device_name"])
        elif e.get("this_device") or e.get("device") == self.ws.device_id:
            name = self.tr("perangkat ini")
        else:
            name = self.tr("perangkat lain")
        if e.get("this_device") and e.get("device_name"):
            name += " " + self.tr("(perangkat ini)")
        return name

    def _show_timeline(self, data: dict[str, Any], names: dict[str, str]) -> None:
        self.timeline.clear()
        rows: list[tuple[str, QTreeWidgetItem]] = []
        for e in data["events"]:
            action = Action(e["action"]) if e["action"] in Action._value2member_map_ else None
            step = action.label if action else e["action"]
            target = CaseStatus(e["to"]).label if e["to"] in CaseStatus._value2member_map_ else (e["to"] or "")
            who = names.get(e["actor"], e["actor"])
            received = (local_time(e["received_at"]) if e.get("received_at") else "—" if e.get("on_server")
                        else self.tr("belum terkirim"))
            row = QTreeWidgetItem([local_time(e["at"]), received, who, self._device_text(e),
                                   step[:1].upper() + step[1:], target, e["reason"] or _handover_text(e)])
            row.setToolTip(3, e["device"] or "")
            row.setToolTip(6, e["reason"] or "")
            rows.append((e["at"], row))
        for r in data.get("refusals", ()):
            step = self.tr("Ditolak server: {what}").format(what=r["what"])
            row = QTreeWidgetItem([local_time(r["made_at"]), local_time(r["refused_at"] or r["made_at"]),
                                   names.get(r["actor"], r["actor"]), self.tr("perangkat ini"), step,
                                   self.tr("ditangani") if r["handled"] else r["todo_text"], r["reason"]])
            tip = self.tr("{reason}\nPesan server: {detail} (kode {errno})").format(
                reason=r["reason"], detail=r["detail"] or "-", errno=r["errno"])
            for col in range(7):
                row.setToolTip(col, tip)
                if not r["handled"]:
                    row.setForeground(col, Qt.GlobalColor.darkRed)
            # after the last step made before it (the history keeps its own order, whatever the clocks say)
            at = next((i for i, (when, _row) in enumerate(rows) if when > r["made_at"]), len(rows))
            rows.insert(at, (r["made_at"], row))
        for _at, row in rows:
            self.timeline.addTopLevelItem(row)
        if data.get("history_coming"):  # after a first pull, before the history pass reached this case
            note = QTreeWidgetItem([self.tr("Riwayat dan dokumen masih diunduh dari server…")])
            font = note.font(0)
            font.setItalic(True)
            note.setFont(0, font)
            self.timeline.addTopLevelItem(note)
            note.setFirstColumnSpanned(True)  # a line across the table, not a step in one narrow column

    def _build_buttons(self, status: CaseStatus) -> None:
        while self.buttons.count():
            taken = self.buttons.takeAt(0)
            w = taken.widget() if taken is not None else None
            if w is not None:
                w.deleteLater()
        self.action_buttons.clear()
        waiting_other = self.data is not None and self.data.get("my_turn") is False
        for action in lifecycle.next_actions(status, self.actor.role):
            if waiting_other and action in (Action.APPROVE, Action.RETURN, Action.REJECT):
                continue  # another signer's step: nothing here would be accepted
            button = QPushButton(action_text(action), self)
            button.setAutoDefault(False)
            button.setAccessibleName(action_text(action).replace("&&", "&").replace("&", "").rstrip("…"))
            if action is Action.APPROVE and self.engines.approve_batch is None:
                button.setEnabled(False)
                button.setToolTip(self.tr("Penandatanganan belum disiapkan di perangkat ini."))
            button.clicked.connect(lambda _c=False, a=action: self.take(a))
            self.buttons.addWidget(button)
            self.action_buttons[action] = button
        if self.data is not None and self.data.get("letter"):
            for text, handler in ((self.tr("&Simpan surat (PDF)…"), self.save_letter),
                                  (self.tr("&Cetak surat…"), self.print_letter)):
                extra = QPushButton(text, self)
                extra.setAutoDefault(False)
                extra.setAccessibleName(text.replace("&", "").rstrip("…"))
                extra.clicked.connect(handler)
                self.buttons.addWidget(extra)
        if self.data is not None and self.data.get("reg_no"):
            receipt = QPushButton(self.tr("Tanda te&rima…"), self)
            receipt.setAutoDefault(False)
            receipt.clicked.connect(self.show_receipt)
            self.buttons.addWidget(receipt)
        if waiting_other and self.data is not None:
            note = QLabel(str(self.data.get("not_my_turn") or ""), self)
            note.setWordWrap(True)
            note.setStyleSheet("color: #5a6270;")
            self.buttons.addWidget(note)
        elif not self.action_buttons and not (self.data and self.data.get("letter")):
            note = QLabel(self.tr("Tidak ada langkah yang bisa Anda lakukan pada berkas ini."), self)
            note.setStyleSheet("color: #5a6270;")
            self.buttons.addWidget(note)
        self.buttons.addStretch(1)

    def take(self, action: Action) -> None:
        if self.data is None:
            return
        if action is Action.EDIT:
            from ui.dialogs.intake import IntakeDialog

            dialog = IntakeDialog(self.ws, self.actor, self, existing=self.data)
            dialog.saved.connect(lambda _id: self._after())
            dialog.open()
        elif action is Action.ISSUE:
            from ui.dialogs.handover import ask_handover

            ask_handover(self, self.ws, self.actor, self.data, self._after)
        elif action is Action.APPROVE:
            approve_cases(self, self.engines, [self.case_id], self._after)
        elif action is Action.SUBMIT and self._nik_contradictions():
            self._submit_confirmed()
        else:
            run_step(self, self.ws, self.actor, [self.case_id], action, self._after)

    def show_receipt(self) -> None:
        from ui.dialogs.receipt import show_receipt

        show_receipt(self, self.ws, self.case_id)

    def _nik_contradictions(self) -> list[Any]:
        from app.domain import nik as niks

        info = niks.try_decode((self.data or {}).get("nik"), self.ws.offices)
        return niks.contradictions(info, (self.data or {}).get("fields") or {}) if info else []

    def _submit_confirmed(self) -> None:
        """A draft whose birth date or sex differs from its NIK is submitted only with a confirmed reason."""
        from app.domain import nik as niks

        found = self._nik_contradictions()
        reason = self.confirm_nik(found)
        if not reason:
            return
        ws, actor, case_id = self.ws, self.actor, self.case_id
        confirmed = {"fields": [c.field for c in found], "reason": reason}

        def work() -> int:
            cases.transition(ws, actor, case_id, Action.SUBMIT, niks.history_note(found, reason),
                             nik_confirmed=confirmed)
            return 1

        def done(count: int) -> None:
            from ui.notice import confirm

            confirm(self, step_done_text(Action.SUBMIT, count))
            self._after()

        op(work).success(done).failure(errors.failure_handler(self)).run_in_background()

    def _confirm_nik(self, found: list[Any]) -> str | None:
        from ui.dialogs.nik_confirm import NikConfirmDialog

        dialog = NikConfirmDialog(found, self)
        return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _letter_bytes(self) -> bytes | None:
        import app.services.letters  # noqa: F401 - its messages ("letter.missing")

        letter = (self.data or {}).get("letter")
        if not letter or not self.ws.blobs.has(letter["sha256"]):
            errors.report(UserFacingError("letter.missing", sha=(letter or {}).get("sha256", "-")[:12]), self)
            return None
        return self.ws.blobs.read(letter["sha256"])

    def save_letter(self) -> None:
        from ui.printing import save_pdf

        pdf = self._letter_bytes()
        if pdf is not None and self.data is not None:
            from ui.printing import suggested_path

            save_pdf(self, pdf, suggested_path(self.data["letter"]["number"]), **self.save_options)

    def print_letter(self) -> None:
        from ui.printing import print_pdf

        pdf = self._letter_bytes()
        if pdf is not None and self.data is not None:
            print_pdf(self, pdf, self.data["letter"]["number"])

    def _after(self) -> None:
        self.reload()
        self.changed.emit()

    def _preview(self, item: QListWidgetItem | None) -> None:
        info = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not info:
            self.preview.clear()
            return
        sha, _mime = info
        blobs, draft, case_id = self.ws.blobs, self.engines.render_preview, self.case_id

        def render() -> Any:
            if sha == DRAFT_LETTER:
                data = draft(case_id) if draft is not None else None
                return render_pages(data) if data else []
            if not blobs.has(sha):
                return []
            return render_pages(blobs.read(sha))

        self.preview.clear(self.tr("Memuat pratinjau…"))
        missing = self.tr("Surat belum bisa dibuat.") if sha == DRAFT_LETTER else \
            self.tr("Berkas belum diunduh dari server")
        op(render).success(lambda pages: self.preview.show_pages(pages, missing)).run_in_background()


class CaseDetailDialog(QDialog):
    def __init__(self, ws: Workspace, actor: Actor, case_id: str, engines: Engines | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Berkas"))
        self.setAccessibleName(self.tr("Rincian berkas"))
        self.view = CaseDetailView(ws, actor, case_id, engines, self)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Tutup"))
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(close)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(1000, 720)
