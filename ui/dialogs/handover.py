"""Hand-over (serahkan / terbitkan): confirm, and record who collected the letter, their relation to the
applicant, the ID they showed; the time is the laptop's clock at the moment of confirming."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.services import handover
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.tasks import op


class HandoverDialog(QDialog):
    def __init__(self, case: dict[str, object], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Serahkan surat"))
        reg = case.get("reg_no") or str(case.get("id", ""))[:8]
        intro = QLabel(self.tr("Serahkan surat <b>{number}</b> (berkas {reg}) atas nama <b>{name}</b>? "
                               "Catat siapa yang mengambil; catatan ini masuk riwayat berkas.")
                       .format(number=escape(str(case.get("letter_number") or "-")),
                               reg=escape(str(reg)).replace("-", "\u2011"),  # one line: read out as one
                               name=escape(str(case.get("name") or ""))), self)
        intro.setWordWrap(True)
        self.collector = QLineEdit(str(case.get("name") or ""), self)
        self.collector.setMaxLength(handover.MAX_NAME)
        self.relation = QComboBox(self)
        for code, label in (("sendiri", self.tr("Pemohon sendiri")), ("keluarga", self.tr("Keluarga")),
                            ("kuasa", self.tr("Kuasa (dengan surat kuasa)"))):
            self.relation.addItem(label, code)
        self.id_shown = QLineEdit(self)
        self.id_shown.setMaxLength(handover.MAX_ID)
        self.id_shown.setPlaceholderText(self.tr("mis. KTP-el 3573…"))
        form = QFormLayout()
        for caption, widget in ((self.tr("&Nama penerima:"), self.collector), (self.tr("&Hubungan:"), self.relation),
                             (self.tr("&Identitas ditunjukkan:"), self.id_shown)):
            buddy = QLabel(caption, self)
            buddy.setBuddy(widget)
            form.addRow(buddy, widget)
        box = QDialogButtonBox(self)
        self.ok = box.addButton(self.tr("&Serahkan"), QDialogButtonBox.ButtonRole.AcceptRole)
        box.addButton(self.tr("&Batal"), QDialogButtonBox.ButtonRole.RejectRole)
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        for edit in (self.collector, self.id_shown):
            edit.textChanged.connect(self._check)
        self.relation.currentIndexChanged.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(box)
        self._check()
        self.id_shown.setFocus()
        self.resize(480, 240)

    def record(self) -> dict[str, str]:
        return {"name": self.collector.text().strip(), "relation": str(self.relation.currentData()),
                "id_shown": self.id_shown.text().strip()}

    def _check(self) -> None:
        self.ok.setEnabled(not handover.problems(self.record()))


def ask_handover(parent: QWidget, ws: Workspace, actor: Actor, case: dict[str, object],
                 on_done: Callable[[], None] | None = None) -> None:
    dialog = HandoverDialog(case, parent)
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return
    record = dialog.record()

    def work() -> str:
        return handover.hand_over(ws, actor, str(case["id"]), record["name"], record["relation"],
                                  record["id_shown"]).id

    op(work).success(lambda _id: on_done() if on_done else None).failure(errors.failure_handler(parent)) \
        .run_in_background()
