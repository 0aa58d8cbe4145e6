"""Intake: pick a service, type the NIK, fill the form generated from the catalogue, attach documents.

Fully usable with the keyboard (Tab order follows the form; Ctrl+S saves a draft, Ctrl+Enter submits, Esc
cancels). Each field shows its problem in Bahasa Indonesia (or English) under it as the person types, using
the core's validators, so the GUI, the CLI and the server refuse the same things with the same words.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QRegularExpression, Qt, Signal
from PySide6.QtGui import QKeySequence, QRegularExpressionValidator, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.catalog import DocumentSpec, FieldSpec, ServiceType
from app.domain.lifecycle import Action
from app.domain.validation import Invalid, validate_nik
from app.errors import FieldProblem, ValidationError
from app.i18n import tr as core_tr
from app.services import cases, queries
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.main_window import services_for
from ui.tasks import op
from ui.widgets import FieldError, Preview, image_from_bytes

_NUMERIC = {"number", "integer", "money", "year"}
_DIGITS16 = {"nik", "kk"}


class FieldRow:
    """One catalogue field: its input widget and the error label under it."""

    def __init__(self, spec: FieldSpec, parent: QWidget, on_change: Callable[[FieldRow], None]) -> None:
        self.spec = spec
        self.error = FieldError(parent)
        self.widget: QLineEdit | QComboBox | QPlainTextEdit
        label = spec.label + (" *" if spec.required else "")
        if spec.type == "choice":
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
        if isinstance(w, QPlainTextEdit):
            return w.toPlainText()
        return w.text()

    def set_value(self, value: str | None) -> None:
        w, value = self.widget, value or ""
        if isinstance(w, QComboBox):
            w.setCurrentIndex(max(0, w.findData(value)))
        elif isinstance(w, QPlainTextEdit):
            w.setPlainText(value)
        else:
            if self.spec.type == "date" and len(value) == 10 and value[4] == "-":
                value = dt.date.fromisoformat(value).strftime("%d/%m/%Y")
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
        self.name = QLineEdit(self)
        self.name.setAccessibleName(self.tr("Nama pemohon"))
        self.name.setMaxLength(cases.NAME_MAX + 5)
        self.name_error = FieldError(self)

        head = QFormLayout()
        head.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        head.addRow(self._buddy(self.tr("&Layanan"), self.service), self.service)
        head.addRow(self._buddy(self.tr("&NIK *"), self.nik), self._stack(self.nik, self.nik_error, self.duplicate))
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
        self.cancel_button.clicked.connect(self.reject)
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
        self._check_duplicate()

    def _name_changed(self) -> None:
        if len(self.name.text().strip()) > cases.NAME_MAX:
            self.name_error.set_message(core_tr("text.length", label=self.tr("Nama"), max=cases.NAME_MAX))
        else:
            self.name_error.set_message(None)

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
        _, found = cases.check_intake(service, self.nik.text(), self.name.text(),
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
        self.show_problems(problems)
        if problems:
            return
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
                cases.transition(ws, actor, case_id, Action.SUBMIT)
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
        self.saved.emit(case_id)
        self.accept()

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
