"""Intake: pick a service, type the NIK, fill the form generated from the catalogue, attach documents.

Fully usable with the keyboard (Tab order follows the form; Ctrl+S saves a draft, Ctrl+Enter submits, Esc
cancels). Each field shows its problem in Bahasa Indonesia (or English) under it as the person types, using
the core's validators, so the GUI, the CLI and the server refuse the same things with the same words.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app import clock, timefmt
from app.domain import intake
from app.domain import nik as niks
from app.domain.catalog import DocumentSpec, FieldSpec, ServiceType
from app.domain.lifecycle import Action
from app.domain.validation import Invalid, validate_nik
from app.errors import FieldProblem, ValidationError
from app.i18n import tr as core_tr
from app.services import cases, queries
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.actions import services_for
from ui.tasks import op
from ui.widgets import FieldError, Preview, image_from_bytes

_NUMERIC = {"number", "integer", "money", "year"}
_DIGITS16 = {"nik", "kk"}


class FieldRow:
    """One catalogue field: its input widget and the error label under it."""

    def __init__(self, spec: FieldSpec, parent: QWidget, on_change: Callable[[FieldRow], None]) -> None:
        self.spec = spec
        self.error = FieldError(parent)
        self.widget: QLineEdit | QComboBox | QPlainTextEdit | QCheckBox
        label = spec.label + (" *" if spec.required else "")
        if spec.type == "consent":  # the citizen's yes, ticked only when they say it (never by default)
            box = QCheckBox(QCoreApplication.translate("IntakeDialog", "Ya, pemohon setuju"), parent)
            box.toggled.connect(lambda _c: on_change(self))
            self.widget = box
        elif spec.type == "choice":
            combo = QComboBox(parent)
            combo.addItem(QCoreApplication.translate("IntakeDialog", "— pilih —"), "")
            for choice in spec.choices:
                combo.addItem(choice.label, choice.key)
            combo.currentIndexChanged.connect(lambda _i: on_change(self))
            self.widget = combo
        elif spec.type == "textarea":
            area = QPlainTextEdit(parent)
            area.setTabChangesFocus(True)
            area.setFixedHeight(64)
            area.textChanged.connect(lambda: on_change(self))
            self.widget = area
        else:
            edit = QLineEdit(parent)
            if spec.type == "date":
                edit.setPlaceholderText(QCoreApplication.translate("IntakeDialog", "hh/bb/tttt"))
                edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"[0-9/\-]{0,10}"), edit))
            elif spec.type in _NUMERIC:
                edit.setValidator(QRegularExpressionValidator(QRegularExpression(r"(Rp)?[0-9., ]{0,20}"), edit))
                if spec.type == "money":
                    edit.setPlaceholderText("Rp")
            elif spec.type in _DIGITS16:
                edit.setMaxLength(20)
                edit.setPlaceholderText(QCoreApplication.translate("IntakeDialog", "16 digit"))
            elif spec.type == "phone":
                edit.setPlaceholderText("08…")
            elif spec.type == "email":
                edit.setPlaceholderText(QCoreApplication.translate("IntakeDialog", "nama@contoh.id"))
            if spec.max_length:
                edit.setMaxLength(spec.max_length + 5)
            edit.textChanged.connect(lambda _t: on_change(self))
            self.widget = edit
        self.widget.setAccessibleName(spec.label)
        help_text = spec.help.get("id") if spec.help else None
        if spec.help:
            from app.i18n import pick

            help_text = pick(spec.help)
            self.widget.setToolTip(help_text)
            self.widget.setAccessibleDescription(help_text)
        self.label = QLabel(label, parent)
        self.label.setBuddy(self.widget)

    def value(self) -> str:
        w = self.widget
        if isinstance(w, QComboBox):
            return str(w.currentData() or "")
        if isinstance(w, QCheckBox):
            return "ya" if w.isChecked() else ""
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        return w.text()

    def set_value(self, value: str | None) -> None:
        w, value = self.widget, value or ""
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QCheckBox):
            w.setChecked(value == "ya")
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value)
        else:
            if self.spec.type == "date" and len(value) == 10 and value[4] == "-":
                value = timefmt.date_short(value)
            w.setText(value)

    def check(self) -> FieldProblem | None:
        from app.domain.validation import check_field

        _, problem = check_field(self.spec, self.value())
        self.error.set_message(self.message(problem))
        return problem

    def message(self, problem: FieldProblem | None) -> str | None:
        if problem is None:
            return None
        if self.spec.type == "date" and problem.key == "date.format":  # the form asks for dd/mm/yyyy
            return QCoreApplication.translate("IntakeDialog", "{label}: tanggal tidak sah; tulis hh/bb/tttt "
                                              "(misalnya 17/08/1990).").format(label=self.spec.label)
        if self.spec.type == "date" and problem.key == "date.range":  # as typed, never the ISO form
            from app.domain.validation import parse_date

            typed = self.value().strip()
            day = parse_date(typed)
            if self.spec.past_only and day > clock.today():
                text = QCoreApplication.translate("IntakeDialog", "{label}: tanggal {value} belum lewat; isi "
                                                  "tanggal hari ini atau sebelumnya.")
            elif self.spec.future_only and day < clock.today():
                text = QCoreApplication.translate("IntakeDialog", "{label}: tanggal {value} sudah lewat; isi "
                                                  "tanggal hari ini atau sesudahnya.")
            else:
                text = QCoreApplication.translate("IntakeDialog", "{label}: tanggal {value} di luar rentang "
                                                  "yang diizinkan.")
            return text.format(label=self.spec.label, value=typed)
        return problem.message


class DocumentRow:
    def __init__(self, spec: DocumentSpec, parent: QWidget, pick: Callable[[DocumentRow], None]) -> None:
        self.spec = spec
        self.path: Path | None = None
        self.existing: str | None = None  # filename already attached (edit mode)
        self.label = QLabel(spec.name + (" *" if spec.required else ""), parent)
        self.button = QPushButton(QCoreApplication.translate("IntakeDialog", "Pilih berkas…"), parent)
        self.button.setAutoDefault(False)
        self.button.setAccessibleName(
            QCoreApplication.translate("IntakeDialog", "Pilih berkas untuk {doc}").format(doc=spec.name))
        self.button.clicked.connect(lambda: pick(self))
        self.file = QLabel(QCoreApplication.translate("IntakeDialog", "belum ada"), parent)
        self.file.setStyleSheet("color: #5a6270;")
        self.preview = Preview(QCoreApplication.translate("IntakeDialog", "tanpa pratinjau"), parent)
        self.preview.setFixedSize(96, 96)
        self.preview.setMinimumSize(96, 96)
        self.preview.setAccessibleName(
            QCoreApplication.translate("IntakeDialog", "Pratinjau {doc}").format(doc=spec.name))
        self.error = FieldError(parent)

    def present(self) -> bool:
        return self.path is not None or self.existing is not None


class IntakeDialog(QDialog):
    """New case (``existing`` None) or edit of a draft/returned case (``existing`` = ``cases.show`` dict)."""

    saved = Signal(str)

    def __init__(self, ws: Workspace, actor: Actor, parent: QWidget | None = None,
                 existing: dict[str, Any] | None = None) -> None:
        super().__init__(parent)
        self.ws, self.actor, self.existing = ws, actor, existing
        self.pick_file: Callable[[str], str | None] = self._file_dialog
        # hooks for tests: ask before a filled form is thrown away; confirm data that differs from the NIK
        self.ask_discard: Callable[[], bool] = self._ask_discard
        self.confirm_nik: Callable[[list[niks.Contradiction]], str | None] = self._confirm_nik
        self.nik_info: niks.NikInfo | None = None
        self._prefilled: dict[str, str] = {}
        self._complete: bool | None = None  # the last save's kind, once its problems were shown
        self.rows: list[FieldRow] = []
        self.docs: list[DocumentRow] = []
        self.busy = False
        self.setWindowTitle(self.tr("Ubah berkas") if existing else self.tr("Berkas baru"))
        self.setAccessibleName(self.windowTitle())
        self.resize(760, 760)

        self.service = QComboBox(self)
        self.service.setAccessibleName(self.tr("Layanan"))
        for code, name in services_for(ws, actor):
            self.service.addItem(f"{name} ({code})", code)
        self.nik = QLineEdit(self)
        self.nik.setAccessibleName(self.tr("NIK pemohon"))
        self.nik.setPlaceholderText(self.tr("16 digit"))
        self.nik.setMaxLength(20)
        self.nik_error = FieldError(self)
        self.duplicate = QLabel(self)
        self.duplicate.setWordWrap(True)
        self.duplicate.setStyleSheet("color: #8a5300; background: #fff4d6; padding: 4px;")
        self.duplicate.hide()
        self.nik_note = QLabel(self)  # what the NIK says (birth date, sex) and where the form disagrees
        self.nik_note.setWordWrap(True)
        self.nik_note.setAccessibleName(self.tr("Data dari NIK"))
        self.nik_note.hide()
        self.name = QLineEdit(self)
        self.name.setAccessibleName(self.tr("Nama pemohon"))
        self.name.setMaxLength(intake.NAME_MAX + 5)
        self.name_error = FieldError(self)

        head = QFormLayout()
        head.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        head.addRow(self._buddy(self.tr("&Layanan"), self.service), self.service)
        head.addRow(self._buddy(self.tr("&NIK *"), self.nik), self._stack(self.nik, self.nik_error, self.nik_note,
                                                                              self.duplicate))
        head.addRow(self._buddy(self.tr("N&ama *"), self.name), self._stack(self.name, self.name_error))

        self.form_host = QWidget(self)
        self.form = QFormLayout(self.form_host)
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        self.docs_box = QGroupBox(self.tr("Dokumen persyaratan (PDF, JPG, PNG)"), self)
        self.docs_layout = QFormLayout(self.docs_box)
        self.docs_layout.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        inner = QWidget(self)
        inner_layout = QVBoxLayout(inner)
        inner_layout.addWidget(self.form_host)
        inner_layout.addWidget(self.docs_box)
        inner_layout.addStretch(1)
        self.scroller = QScrollArea(self)
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setWidget(inner)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setStyleSheet("color: #b3261e;")
        self.summary.hide()
        self.draft_button = QPushButton(self.tr("Simpan &draf"), self)
        self.draft_button.setToolTip("Ctrl+S")
        self.submit_button = QPushButton(self.tr("A&jukan"), self)
        self.submit_button.setToolTip("Ctrl+Enter")
        self.cancel_button = QPushButton(self.tr("Batal"), self)
        for b in (self.draft_button, self.submit_button, self.cancel_button):
            b.setAutoDefault(False)
            b.setAccessibleName(b.text().replace("&", ""))
        self.draft_button.clicked.connect(lambda: self.save(submit=False))
        self.submit_button.clicked.connect(lambda: self.save(submit=True))
        self.cancel_button.clicked.connect(self.leave)
        for keys, submit in (("Ctrl+S", False), ("Ctrl+Return", True), ("Ctrl+Enter", True)):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.activated.connect(lambda submit=submit: self.save(submit=submit))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.draft_button)
        buttons.addWidget(self.submit_button)
        buttons.addWidget(self.cancel_button)

        layout = QVBoxLayout(self)
        layout.addLayout(head)
        layout.addWidget(self.scroller, 1)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)

        self.service.currentIndexChanged.connect(lambda _i: self._build_form())
        self.nik.textChanged.connect(lambda _t: self._nik_changed())
        self.name.textChanged.connect(lambda _t: self._name_changed())
        from PySide6.QtWidgets import QApplication

        QApplication.instance().focusChanged.connect(self._focus_changed)  # type: ignore[union-attr]
        if existing:
            self.service.setCurrentIndex(max(0, self.service.findData(existing["service"])))
            self.service.setEnabled(False)
        self._build_form()
        if existing:
            self._fill(existing)
        self._initial = self._snapshot()
        self.service.setFocus()

    # ---- layout helpers ----------------------------------------------------------------------------
    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    def _stack(self, *widgets: QWidget) -> QWidget:
        box = QWidget(self)
        v = QVBoxLayout(box)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(2)
        for w in widgets:
            v.addWidget(w)
        return box

    @property
    def current_service(self) -> ServiceType | None:
        code = self.service.currentData()
        return self.ws.catalog.services.get(code) if code else None

    def _build_form(self) -> None:
        while self.form.rowCount():
            self.form.removeRow(0)
        while self.docs_layout.rowCount():
            self.docs_layout.removeRow(0)
        self.rows, self.docs = [], []
        service = self.current_service
        if service is None:
            return
        for spec in service.fields:
            row = FieldRow(spec, self.form_host, self._field_changed)
            self.rows.append(row)
            self.form.addRow(row.label, self._stack(row.widget, row.error))
        for doc in service.documents:
            d = DocumentRow(doc, self.docs_box, self._pick)
            self.docs.append(d)
            line = QWidget(self.docs_box)
            h = QHBoxLayout(line)
            h.setContentsMargins(0, 0, 0, 0)
            h.addWidget(d.preview)
            h.addWidget(self._stack(d.file, d.button, d.error), 1)
            self.docs_layout.addRow(d.label, line)
        chain: list[QWidget] = [self.service, self.nik, self.name, *(r.widget for r in self.rows),
                                *(d.button for d in self.docs), self.draft_button, self.submit_button,
                                self.cancel_button]
        for a, b in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(a, b)
        self._prefilled = {}
        if not self.existing:
            self._prefill_from_nik()
        self._show_nik_note()
        self._check_duplicate()

    def _fill(self, existing: dict[str, Any]) -> None:
        self.nik.setText(existing.get("nik") or "")
        self.name.setText(existing.get("name") or "")
        values = existing.get("fields") or {}
        for row in self.rows:
            row.set_value(values.get(row.spec.key))
        have = {d["doc_code"]: d["filename"] for d in existing.get("documents", [])}
        for d in self.docs:
            if d.spec.code in have:
                d.existing = have[d.spec.code]
                d.file.setText(d.existing)

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        inner = self.scroller.widget()
        if new is not None and inner is not None and self.isVisible() and inner.isAncestorOf(new):
            self.scroller.ensureWidgetVisible(new, 20, 40)

    # ---- live validation ---------------------------------------------------------------------------
    def _field_changed(self, row: FieldRow) -> None:
        row.check()
        if row.error.text() and row.widget.hasFocus():  # the whole message, not its first line
            QTimer.singleShot(0, lambda: self._reveal(row.error))
        if row.spec.key in (niks.BIRTH_DATE_FIELD, niks.SEX_FIELD):
            self._show_nik_note()
        self._recount()

    def _reveal(self, widget: QWidget) -> None:
        from PySide6.QtCore import QEvent
        from PySide6.QtWidgets import QApplication

        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest.value)  # the message's place, laid out
        self.scroller.ensureWidgetVisible(widget, 20, 12)

    def _recount(self) -> None:
        """Once a save showed what needs fixing, the count follows the fixes (focus stays where it is)."""
        if self._complete is None:
            return
        by_field = {p.field for p in self.problems(self._complete)}
        self.summary.setText(self.tr("{n} isian perlu diperbaiki.").format(n=len(by_field)) if by_field else "")
        self.summary.setVisible(bool(by_field))

    def row(self, key: str) -> FieldRow | None:
        return next((r for r in self.rows if r.spec.key == key), None)

    def contradictions(self) -> list[niks.Contradiction]:
        if self.nik_info is None:
            return []
        return niks.contradictions(self.nik_info, {r.spec.key: r.value() for r in self.rows})

    def _prefill_from_nik(self) -> None:
        """Birth date and sex from the NIK, in fields still empty or still holding the last prefill."""
        info = self.nik_info
        values = {} if info is None else {niks.BIRTH_DATE_FIELD: timefmt.date_short(info.birth_date),
                                          niks.SEX_FIELD: info.sex}
        for key, value in values.items():
            row = self.row(key)
            if row is not None and row.value().strip() in ("", self._prefilled.get(key, "")):
                row.set_value(value)
                self._prefilled[key] = value

    def _show_nik_note(self) -> None:
        info = self.nik_info
        if info is None:
            self.nik_note.hide()
            return
        found = self.contradictions()
        if found:
            self.nik_note.setStyleSheet("color: #8a5300; background: #fff4d6; padding: 4px;")
            self.nik_note.setText("⚠ " + " ".join(c.message for c in found) + " " +
                                  self.tr("Perbaiki, atau konfirmasi dengan alasan saat mengajukan."))
        else:
            self.nik_note.setStyleSheet("color: #1e6b35;")
            self.nik_note.setText(self.tr("Dari NIK: {sex}, lahir {date}.").format(
                sex=niks.sex_label(info.sex), date=timefmt.date_short(info.birth_date)))
        self.nik_note.setAccessibleDescription(self.nik_note.text())
        self.nik_note.show()

    def nik_problem(self) -> FieldProblem | None:
        text = self.nik.text()
        service = self.current_service
        if not text.strip():
            return None
        try:
            validate_nik(text)
        except Invalid as bad:
            return FieldProblem("nik", bad.key, label="NIK", **bad.params)
        del service
        return None

    def _nik_changed(self) -> None:
        problem = self.nik_problem()
        self.nik_error.set_message(problem.message if problem else None)
        self.nik_info = niks.try_decode(self.nik.text(), self.ws.offices) if problem is None else None
        self._prefill_from_nik()
        self._show_nik_note()
        self._check_duplicate()
        self._recount()

    def _name_changed(self) -> None:
        if len(self.name.text().strip()) > intake.NAME_MAX:
            self.name_error.set_message(core_tr("text.length", label=self.tr("Nama"), max=intake.NAME_MAX))
        else:
            self.name_error.set_message(None)
        self._recount()

    def _check_duplicate(self) -> None:
        service = self.current_service
        text = self.nik.text().strip()
        self.duplicate.hide()
        if service is None or self.nik_problem() is not None or len(text) != 16:
            return
        own = self.existing["id"] if self.existing else None

        def lookup() -> int:
            return queries.open_duplicates(self.ws, text, service.code, besides=own)

        def show(n: int) -> None:
            if n and self.nik.text().strip() == text and self.current_service is service:
                self.duplicate.setText(self.tr(
                    "Perhatian: NIK ini masih punya {n} berkas {service} yang belum selesai. "
                    "Periksa dulu agar tidak terdaftar dua kali.").format(n=n, service=service.code))
                self.duplicate.show()

        op(lookup).success(show).run_in_background()

    def problems(self, complete: bool) -> list[FieldProblem]:
        service = self.current_service
        if service is None:
            return []
        _, found = intake.check_intake(service, self.nik.text(), self.name.text(),
                                      {r.spec.key: r.value() for r in self.rows if r.value().strip()},
                                      complete=complete)
        if complete:
            found += [FieldProblem(d.spec.code, "document.required", label=d.spec.name) for d in self.docs
                      if d.spec.required and not d.present()]
        return found

    def show_problems(self, problems: list[FieldProblem]) -> None:
        by_field: dict[str, str] = {}
        for p in problems:
            by_field.setdefault(p.field, p.message)
        self.nik_error.set_message(by_field.get("nik"))
        self.name_error.set_message(by_field.get("name"))
        first: QWidget | None = self.nik if "nik" in by_field else self.name if "name" in by_field else None
        for row in self.rows:
            match = next((p for p in problems if p.field == row.spec.key), None)
            row.error.set_message(row.message(match))
            if first is None and row.spec.key in by_field:
                first = row.widget
        for d in self.docs:
            d.error.set_message(by_field.get(d.spec.code))
            if first is None and d.spec.code in by_field:
                first = d.button
        self.summary.setText(self.tr("{n} isian perlu diperbaiki.").format(n=len(by_field)) if by_field else "")
        self.summary.setVisible(bool(by_field))
        if by_field and self._complete is None:
            self._complete = False
        if first is not None:
            first.setFocus()
            self.scroller.ensureWidgetVisible(first)

    # ---- documents ---------------------------------------------------------------------------------
    def _file_dialog(self, title: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, title, str(Path.home()),
                                              self.tr("Dokumen (*.pdf *.jpg *.jpeg *.png)"))
        return path or None

    def _pick(self, doc: DocumentRow) -> None:
        chosen = self.pick_file(doc.spec.name)
        if not chosen:
            return
        self.attach(doc, Path(chosen))

    def attach(self, doc: DocumentRow, path: Path) -> None:
        try:
            data, mime = self.ws.blobs.check_file(path)
        except Exception as exc:
            doc.error.set_message(str(exc))
            return
        doc.path = path
        doc.error.set_message(None)
        doc.file.setText(path.name)
        doc.preview.show_image(image_from_bytes(data, mime, 192))

    # ---- save --------------------------------------------------------------------------------------
    def save(self, submit: bool) -> None:
        service = self.current_service
        if service is None or self.busy:
            return
        problems = self.problems(complete=submit)
        self._complete = submit if problems else None
        self.show_problems(problems)
        if problems:
            return
        confirmed: dict[str, Any] | None = None
        note: str | None = None
        found = self.contradictions()
        if submit and found:
            reason = self.confirm_nik(found)
            if not reason:
                return
            confirmed = {"fields": [c.field for c in found], "reason": reason}
            note = niks.history_note(found, reason)
        ws, actor = self.ws, self.actor
        nik, name = self.nik.text().strip() or None, self.name.text().strip()
        attachments = {d.spec.code: d.path for d in self.docs if d.path is not None}
        existing = self.existing

        if existing is None:
            fields = {r.spec.key: r.value() for r in self.rows if r.value().strip()}
        else:
            fields = {r.spec.key: r.value() for r in self.rows}

        created: list[str] = []

        def work() -> str:
            if existing is None:
                case_id = cases.create(ws, actor, service.code, nik, name, fields, attachments).id
                created.append(case_id)
            else:
                case_id = existing["id"]
                cases.edit(ws, actor, case_id, fields, attachments, nik=nik or "", name=name)
            if submit:
                cases.transition(ws, actor, case_id, Action.SUBMIT, note, nik_confirmed=confirmed)
                self.submitted_id = case_id  # the receipt opens once the dialog closes
            return case_id

        self._set_busy(True)
        def failed(exc: BaseException) -> None:
            if created:  # the draft exists; a second attempt must edit it, not register it again
                self.existing = {"id": created[0], "service": service.code,
                                 "documents": [{"doc_code": c, "filename": p.name} for c, p in attachments.items()]}
                for d in self.docs:
                    if d.path is not None:
                        d.existing, d.path = d.path.name, None
                self.saved.emit(created[0])
            self._failed(exc)

        op(work).success(self._saved).failure(failed).finally_(lambda: self._set_busy(False)) \
            .run_in_background()

    def _set_busy(self, busy: bool) -> None:
        self.busy = busy
        for b in (self.draft_button, self.submit_button):
            b.setEnabled(not busy)

    def _saved(self, case_id: str) -> None:
        self._initial = self._snapshot()
        self.saved.emit(case_id)
        self.accept()
        if getattr(self, "submitted_id", None) == case_id:
            from ui.dialogs.receipt import show_receipt

            self.receipt = show_receipt(self.parentWidget(), self.ws, case_id)

    # ---- leaving -----------------------------------------------------------------------------------
    def _snapshot(self) -> tuple[object, ...]:
        return (self.nik.text().strip(), self.name.text().strip(),
                tuple(r.value().strip() for r in self.rows if r.spec.key not in self._prefilled
                      or r.value().strip() != self._prefilled[r.spec.key]),
                tuple(str(d.path) for d in self.docs if d.path is not None))

    def is_dirty(self) -> bool:
        return self._snapshot() != self._initial

    def leave(self) -> None:
        """Esc, Batal and the window's close button: a filled form is thrown away only when the person says so.
        (A close by the program itself, after a save or at shutdown, does not ask.)"""
        if self.busy or (self.is_dirty() and not self.ask_discard()):
            return
        self.reject()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and not event.modifiers():
            event.accept()
            self.leave()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        if event.spontaneous() and not self.busy and self.is_dirty() and not self.ask_discard():
            event.ignore()
            return
        super().closeEvent(event)

    def _ask_discard(self) -> bool:
        box = QMessageBox(QMessageBox.Icon.Question, self.tr("Buang isian?"),
                          self.tr("Formulir ini sudah diisi. Tutup dan buang isiannya?"),
                          QMessageBox.StandardButton.NoButton, self)
        discard = box.addButton(self.tr("Ya, buang isian"), QMessageBox.ButtonRole.DestructiveRole)
        keep = box.addButton(self.tr("Kembali ke formulir"), QMessageBox.ButtonRole.RejectRole)
        box.setDefaultButton(keep)
        box.setEscapeButton(keep)
        box.exec()
        return box.clickedButton() is discard

    def _confirm_nik(self, found: list[niks.Contradiction]) -> str | None:
        from ui.dialogs.nik_confirm import NikConfirmDialog

        dialog = NikConfirmDialog(found, self)
        return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None

    def _failed(self, exc: BaseException) -> None:
        if isinstance(exc, ValidationError):
            self.show_problems(exc.problems)
            return
        errors.report(exc, self)

    def done(self, result: int) -> None:
        from PySide6.QtWidgets import QApplication

        with contextlib.suppress(RuntimeError, TypeError):
            QApplication.instance().focusChanged.disconnect(self._focus_changed)  # type: ignore[union-attr]
        super().done(result)


__all__ = ["IntakeDialog", "Qt"]
