"""What several windows do the same way: the steps a case can take (with the reason or confirmation each
needs), approving and signing a batch with one PIN, the letter as it would be signed, and the services a person
may register. The case detail, the queues, the refusals page and the intake form all use these, so none of them
imports another view.

:class:`Engines` is what a window does with the core's engines for the person at it — sign a batch, preview a
letter, settle sync conflicts. ``Engines.for_actor`` gives the real ones (``ui.app`` builds the main window with
them); a test hands a window its own stand-ins instead. A field is None only when the engine cannot serve this
person on this device (not a signer, or no signing key here), and the view then says why.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

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
from app.domain.roles import Role
from app.services import cases, queries
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.tasks import gui_progress, op

if TYPE_CHECKING:
    from app.letters.model import Signer
    from ui.views.conflicts import ConflictSource

log = logging.getLogger(__name__)
ProgressCb = Callable[[int, int], None]
DRAFT_NUMBER = "(nomor diberikan saat ditandatangani)"
UNKNOWN_SIGNER = "(nama penandatangan)"


@dataclass(frozen=True)
class ApprovalOutcome:
    case_id: str
    ok: bool
    reason: str | None = None  # why it was refused or found stale (already translated)
    letter_number: str | None = None


ApproveBatch = Callable[[Sequence[str], str, ProgressCb], Sequence[ApprovalOutcome]]
RenderPreview = Callable[[str], bytes | None]


@dataclass
class Engines:
    """``approve_batch(case_ids, pin, progress)`` signs on a worker (a wrong PIN refuses before any case is
    touched); ``render_preview(case_id)`` is the letter PDF as it would be signed; ``conflicts`` lists and
    settles sync conflicts in the core's words (``"mine"``/``"theirs"``)."""

    approve_batch: ApproveBatch | None = None
    render_preview: RenderPreview | None = None
    conflicts: ConflictSource | None = None

    @classmethod
    def for_actor(cls, ws: Workspace, actor: Actor) -> Engines:
        from ui.views.conflicts import ConflictAdapter

        return cls(signing_for(ws, actor), preview_for(ws, actor), ConflictAdapter(ws, actor))


def signing_for(ws: Workspace, actor: Actor) -> ApproveBatch | None:
    """``app.services.approvals.approve_batch`` for a signer whose signing key is on this device."""
    if actor.role is not Role.PENANDATANGAN:
        return None
    from app.services import approvals

    try:
        if not approvals.keystore(ws, actor).has_key():
            return None
    except Exception:  # no usable OS keyring on this machine: signing is not set up here
        log.info("signing not available on this device", exc_info=True)
        return None

    def run(case_ids: Sequence[str], pin: str, progress: ProgressCb) -> list[ApprovalOutcome]:
        results = approvals.approve_batch(ws, actor, list(case_ids), pin,
                                          progress=lambda done, total, _case: progress(done, total))
        return [ApprovalOutcome(r.id, r.ok, r.error, r.letter_number) for r in results]

    return run


def preview_signer(ws: Workspace, actor: Actor, office: str) -> Signer:
    """Who will sign a letter of ``office``: the viewer when it is their office (or one delegated to them),
    else the office's penandatangan known on this device, else the head's title with no name yet. Never the
    viewer merely because they are looking (a verifier is not the Lurah)."""
    from app.letters.model import Signer
    from app.services import delegations, letters

    if actor.role is Role.PENANDATANGAN:
        if actor.office == office:
            return letters.signer_for(actor)
        with ws.db.read() as s:
            if office in delegations.delegated_offices(s, actor.username):
                return delegations.delegated_signer(ws, actor, delegations.for_office(s, actor, office))
    heads = sorted((u for u in ws.users() if u.role == Role.PENANDATANGAN.value and u.office == office),
                   key=lambda u: (not u.enrolled, u.full_name))
    if heads:
        u = heads[0]
        return letters.signer_for(Actor(u.username, u.full_name, Role.PENANDATANGAN, u.office, actor.device,
                                        u.nip, u.position))
    title = letters.signer_for(Actor("-", "", Role.PENANDATANGAN, office, actor.device))
    return Signer(UNKNOWN_SIGNER, "-", title.position, title.office_title)


def preview_for(ws: Workspace, actor: Actor) -> RenderPreview:
    """The letter as it would be signed today by whoever will sign it, with the number still to come (run it
    on a worker: rendering takes a while)."""

    def render(case_id: str) -> bytes | None:
        from app.letters.berita_acara import render_document
        from app.letters.model import today_wib
        from app.services import letters

        case = queries.find_case(ws, case_id)
        if case is None:
            return None
        office = ws.catalog.get(case.service).signer_office(case.office, ws.offices)
        signer = preview_signer(ws, actor, office)
        data = letters.letter_data(ws, case, signer, DRAFT_NUMBER, today_wib(), letters.verify_url(ws, case.id),
                                   office=office if office in ws.offices else None,
                                   earlier=letters.endorsements(cases.shown_steps(ws, case)))
        return render_document(data).pdf  # a berita acara as it will be signed, not as a letter

    return render


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


def approve_cases(parent: QWidget, engines: Engines, case_ids: Sequence[str],
                  on_done: Callable[[], None] | None = None,
                  on_results: Callable[[Sequence[ApprovalOutcome]], None] | None = None,
                  ask_pin: Callable[[int], str | None] | None = None,
                  on_progress: Callable[[int, int], None] | None = None) -> bool:
    """PIN once → ``approve_batch`` on the DB lane with a progress dialog. False if nothing was started."""
    approve = engines.approve_batch
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
