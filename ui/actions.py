"""What several windows do the same way: the steps a case can take (with the reason or confirmation each
needs), approving and signing a batch with one PIN, and the services a person may register. The case detail,
the queues, the refusals page and the intake form all use these, so none of them imports another view."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QProgressDialog,
    QVBoxLayout,
    QWidget,
)

from app.domain import lifecycle
from app.domain.lifecycle import Action
from app.services import cases
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.seams import ApprovalOutcome, Seams
from ui.tasks import gui_progress, op


def services_for(ws: Workspace, actor: Actor) -> list[tuple[str, str]]:
    """(code, name) of the services this user's office offers."""
    return [(s.code, s.name) for s in ws.catalog.offered_to(actor, ws.offices)]


def action_text(action: Action) -> str:
    return {
        Action.EDIT: QCoreApplication.translate("CaseDetail", "&Ubah…"),
        Action.SUBMIT: QCoreApplication.translate("CaseDetail", "A&jukan"),
        Action.VERIFY: QCoreApplication.translate("CaseDetail", "&Verifikasi (paraf)"),
        Action.RETURN: QCoreApplication.translate("CaseDetail", "&Kembalikan…"),
        Action.REJECT: QCoreApplication.translate("CaseDetail", "&Tolak…"),
        Action.APPROVE: QCoreApplication.translate("CaseDetail", "&Setujui && tandatangani…"),
        Action.ISSUE: QCoreApplication.translate("CaseDetail", "Serahkan (&terbitkan)"),
        Action.WITHDRAW: QCoreApplication.translate("CaseDetail", "&Batalkan berkas…"),
        Action.CREATE: action.label,
    }[action]


class ReasonDialog(QDialog):
    """Asks for the reason of a return or rejection; OK stays disabled while the reason is empty."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.text = QPlainTextEdit(self)
        self.text.setAccessibleName(self.tr("Alasan"))
        self.text.setTabChangesFocus(True)
        self.text.setPlaceholderText(self.tr("Tulis alasan yang akan dibaca petugas dan pemohon…"))
        label = QLabel(self.tr("&Alasan (wajib):"), self)
        label.setBuddy(self.text)
        box = QDialogButtonBox(self)
        self.ok = box.addButton(self.tr("Lanjutkan"), QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Batal"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setEnabled(False)
        self.text.textChanged.connect(lambda: self.ok.setEnabled(bool(self.reason())))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.text)
        layout.addWidget(box)
        self.resize(460, 220)

    def reason(self) -> str:
        return self.text.toPlainText().strip()


def run_step(parent: QWidget, ws: Workspace, actor: Actor, case_ids: list[str], action: Action,
             on_done: Any = None) -> None:
    """Ask what the step needs (reason/confirmation), then run it for every case on the DB lane."""
    reason: str | None = None
    if lifecycle.transition_for(action).needs_reason:
        title = action_text(action).replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")
        dialog = ReasonDialog(title, parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        reason = dialog.reason()
    elif action is Action.WITHDRAW:
        box = QMessageBox(QMessageBox.Icon.Question, QCoreApplication.translate("CaseDetail", "Batalkan berkas"),
                          QCoreApplication.translate("CaseDetail", "Batalkan berkas ini atas permintaan pemohon?"),
                          QMessageBox.StandardButton.NoButton, parent)
        yes = box.addButton(QCoreApplication.translate("CaseDetail", "Ya, batalkan"), QMessageBox.ButtonRole.YesRole)
        no = box.addButton(QCoreApplication.translate("CaseDetail", "Tidak"), QMessageBox.ButtonRole.NoRole)
        box.setDefaultButton(no)
        box.exec()
        if box.clickedButton() is not yes:
            return

    def work() -> int:
        for case_id in case_ids:
            cases.transition(ws, actor, case_id, action, reason)
        return len(case_ids)

    def done(count: int) -> None:
        from ui.notice import confirm

        confirm(parent, step_done_text(action, count))
        if on_done:
            on_done()

    op(work).success(done).failure(errors.failure_handler(parent)).run_in_background()


def step_done_text(action: Action, count: int) -> str:
    """What a person reads after a step went through (on this device; sync takes it to the server)."""
    texts = {
        Action.SUBMIT: QCoreApplication.translate("CaseDetail", "%n berkas diajukan ke verifikator.", "", count),
        Action.VERIFY: QCoreApplication.translate("CaseDetail", "%n berkas diverifikasi (diparaf) dan diteruskan "
                                                  "ke penandatangan.", "", count),
        Action.RETURN: QCoreApplication.translate("CaseDetail", "%n berkas dikembalikan ke petugas loket.", "",
                                                  count),
        Action.REJECT: QCoreApplication.translate("CaseDetail", "%n berkas ditolak.", "", count),
        Action.ISSUE: QCoreApplication.translate("CaseDetail", "%n surat diserahkan.", "", count),
        Action.WITHDRAW: QCoreApplication.translate("CaseDetail", "%n berkas dibatalkan.", "", count),
    }
    return texts.get(action) or QCoreApplication.translate("CaseDetail", "%n berkas diperbarui.", "", count)


class PinDialog(QDialog):
    """The signer's PIN, asked once per batch. The text never leaves this dialog except to approve_batch."""

    def __init__(self, count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("PIN tanda tangan"))
        self.setAccessibleName(self.windowTitle())
        info = QLabel(self.tr("Anda akan menyetujui dan menandatangani %n berkas. Masukkan PIN sekali untuk "
                              "semuanya.", "", count), self)
        info.setWordWrap(True)
        self.pin = QLineEdit(self)
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName(self.tr("PIN"))
        label = QLabel(self.tr("&PIN:"), self)
        label.setBuddy(self.pin)
        box = QDialogButtonBox(self)
        self.ok = box.addButton(self.tr("Tandatangani"), QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("Batal"), QDialogButtonBox.ButtonRole.RejectRole)
        self.ok.setEnabled(False)
        self.ok.setDefault(True)
        self.pin.textChanged.connect(lambda t: self.ok.setEnabled(bool(t)))
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(label)
        row.addWidget(self.pin, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(info)
        layout.addLayout(row)
        layout.addWidget(box)
        self.resize(420, 160)

    def take_pin(self) -> str:
        pin = self.pin.text()
        self.pin.clear()
        return pin


def approve_cases(parent: QWidget, seams: Seams, case_ids: Sequence[str],
                  on_done: Callable[[], None] | None = None,
                  on_results: Callable[[Sequence[ApprovalOutcome]], None] | None = None,
                  ask_pin: Callable[[int], str | None] | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> bool:
    """PIN once → ``approve_batch`` on the DB lane with a progress dialog. False if nothing was started."""
    approve = seams.approve_batch
    if approve is None or not case_ids:
        return False
    if ask_pin is None:
        dialog = PinDialog(len(case_ids), parent)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return False
        pin: str | None = dialog.take_pin()
    else:
        pin = ask_pin(len(case_ids))
    if not pin:
        return False
    ids = list(case_ids)
    progress = QProgressDialog(QCoreApplication.translate("Queues", "Menandatangani berkas…"), "", 0, len(ids), parent)
    progress.setWindowTitle(QCoreApplication.translate("Queues", "Setujui & tandatangani"))
    progress.setCancelButton(None)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(0)
    progress.setAutoClose(False)
    progress.setValue(0)
    parent.setProperty("signing_progress", progress)

    def step(done: int, total: int) -> None:
        if on_progress is not None:  # before setValue: a modal progress dialog processes events in it
            on_progress(done, total)
        progress.setMaximum(max(total, 1))
        progress.setValue(done)
        progress.setLabelText(QCoreApplication.translate("Queues", "Menandatangani berkas {done} dari {total}…").format(
            done=min(done + 1, total), total=total))

    report = gui_progress(step)
    secret = pin
    pin = None

    def work() -> Sequence[ApprovalOutcome]:
        return approve(ids, secret, report)

    def finished(results: Sequence[ApprovalOutcome]) -> None:
        if on_results is not None:
            on_results(results)
        if on_done is not None:
            on_done()

    def close() -> None:
        progress.close()
        progress.deleteLater()
        parent.setProperty("signing_progress", None)

    op(work).success(finished).failure(errors.failure_handler(parent)).finally_(close).run_in_background()
    return True
