"""The citizen's receipt (tanda terima) on screen after submit, with Print and Save.

The receipt is the A5 PDF the core renders (app/services/receipts.py); the dialog shows its page as the citizen
will get it, so what is seen is what is printed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QScrollArea, QVBoxLayout, QWidget

from app.services import receipts
from app.services.workspace import Workspace
from ui import errors
from ui.widgets import pdf_first_page


class ReceiptDialog(QDialog):
    def __init__(self, ws: Workspace, case_id: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.data = receipts.receipt_data(ws, case_id)
        self.pdf = receipts.receipt_pdf(ws, case_id)
        self.setWindowTitle(self.tr("Tanda terima {reg}").format(reg=self.data.reg_no))
        heading = QLabel(self.tr("Permohonan diterima. Nomor registrasi: <b>{reg}</b> — serahkan tanda terima ini "
                                 "kepada pemohon.").format(reg=self.data.reg_no), self)
        heading.setWordWrap(True)
        heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        page = QLabel(self)
        page.setAlignment(Qt.AlignmentFlag.AlignCenter)
        page.setAccessibleName(self.tr("Pratinjau tanda terima"))
        image = pdf_first_page(self.pdf, 460)
        if image is not None:
            page.setPixmap(QPixmap.fromImage(image))
        scroll = QScrollArea(self)
        scroll.setWidget(page)
        scroll.setWidgetResizable(True)
        box = QDialogButtonBox(self)
        self.print_button = box.addButton(self.tr("&Cetak…"), QDialogButtonBox.ButtonRole.ActionRole)
        self.save_button = box.addButton(self.tr("&Simpan PDF…"), QDialogButtonBox.ButtonRole.ActionRole)
        close = box.addButton(self.tr("&Tutup"), QDialogButtonBox.ButtonRole.RejectRole)
        self.print_button.clicked.connect(self.print_receipt)
        self.save_button.clicked.connect(self.save_receipt)
        close.clicked.connect(self.reject)
        self.print_button.setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(scroll, 1)
        layout.addWidget(box)
        self.resize(540, 760)

    def default_name(self) -> str:
        return f"tanda-terima-{self.data.reg_no}.pdf"

    def print_receipt(self) -> None:
        from ui.printing import print_pdf

        print_pdf(self, self.pdf, self.tr("Tanda terima {reg}").format(reg=self.data.reg_no))

    def save_receipt(self) -> None:
        from ui.printing import save_pdf

        try:
            save_pdf(self, self.pdf, self.default_name())
        except OSError as err:
            errors.report(err, self)


def show_receipt(parent: QWidget | None, ws: Workspace, case_id: str) -> ReceiptDialog | None:
    """Open the receipt of a submitted case (non-modal); None (and a message) when it cannot be made."""
    try:
        dialog = ReceiptDialog(ws, case_id, parent)
    except Exception as err:  # e.g. not submitted: one clear sentence instead of a crash
        errors.report(err, parent)
        return None
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog
