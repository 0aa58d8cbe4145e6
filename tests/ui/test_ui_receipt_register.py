"""The counter's paperwork on screen: the receipt after submit (Print/Save), the hand-over dialog that records
who collected the letter, and the register view with its XLSX/PDF export."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from PySide6.QtWidgets import QDialog

from app.domain.lifecycle import Action
from app.services import cases
from app.storage import repo
from ui.dialogs.intake import IntakeDialog

# LOKET_SCREENSHOTS=1 saves the pictures to docs/screenshots/ (as tests/ui/test_ui_rekap.py does); a plain run
# leaves the tree alone
SHOTS = (Path(__file__).resolve().parents[2] / "docs" / "screenshots" if os.environ.get("LOKET_SCREENSHOTS")
         else Path(tempfile.mkdtemp(prefix="loket-shots-")))
HOSTILE = '=HYPERLINK("http://evil.example/x","Klik")'


def test_submitting_at_intake_shows_the_receipt_with_print_and_save(  # type: ignore[no-untyped-def]
        ws, petugas, qtbot, settle, make_case, tmp_path: Path, monkeypatch) -> None:
    case_id = make_case(petugas, name="Sri Wahyuni", nik="3573015708900003")
    dialog = IntakeDialog(ws, petugas, existing=cases.show(ws, case_id))
    qtbot.addWidget(dialog)
    dialog.show()
    with qtbot.waitSignal(dialog.saved, timeout=10_000):
        dialog.save(submit=True)
    settle()
    receipt = dialog.receipt
    assert receipt is not None and receipt.isVisible()
    qtbot.addWidget(receipt)
    reg_no = cases.show(ws, case_id)["reg_no"]
    assert reg_no and reg_no in receipt.windowTitle()
    assert receipt.default_name() == f"tanda-terima-{reg_no}.pdf" and "/" not in receipt.default_name()
    saved = tmp_path / "tt.pdf"
    monkeypatch.setattr("PySide6.QtWidgets.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(saved), "PDF (*.pdf)"))
    receipt.save_button.click()
    assert saved.read_bytes().startswith(b"%PDF-")
    receipt.resize(540, 760)
    settle()
    receipt.grab().save(str(SHOTS / "receipt-dialog.png"))


def _approved(ws: Any, case_id: str) -> None:
    """As after the Lurah's signature (signing itself is tested elsewhere)."""
    with ws.db.write() as s:
        case = repo.find_case(s, case_id)[0]
        case.status, case.letter_number = "approved", "400.12.2.2/007/35.73.02.1008/2026"


def test_hand_over_asks_who_collects_and_keeps_it_in_the_history(  # type: ignore[no-untyped-def]
        ws, petugas, verifikator, qtbot, settle, make_case, monkeypatch) -> None:
    from ui.dialogs import handover as dialogs
    from ui.views.case_detail import CaseDetailView

    case_id = make_case(petugas, ((petugas, Action.SUBMIT), (verifikator, Action.VERIFY)))
    _approved(ws, case_id)
    view = CaseDetailView(ws, petugas, case_id)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    settle()
    seen: list[dialogs.HandoverDialog] = []

    def answer(self: dialogs.HandoverDialog) -> int:
        seen.append(self)
        assert self.ok.isEnabled() is False  # no ID shown yet: nothing to confirm
        self.collector.setText("Budi Santoso")
        self.relation.setCurrentIndex(self.relation.findData("keluarga"))
        self.id_shown.setText("KTP-el 3573020101850001")
        assert self.ok.isEnabled()
        self.show()
        self.grab().save(str(SHOTS / "handover-dialog.png"))
        return int(QDialog.DialogCode.Accepted)

    monkeypatch.setattr(dialogs.HandoverDialog, "exec", answer)
    view.action_buttons[Action.ISSUE].click()
    settle()
    assert seen
    shown = cases.show(ws, case_id)
    issued = [e for e in shown["events"] if e["action"] == "issue"]
    assert shown["status"] == "issued"
    assert issued[0]["handover"] == {"name": "Budi Santoso", "relation": "keluarga",
                                     "id_shown": "KTP-el 3573020101850001", "at": issued[0]["handover"]["at"]}
    view.reload()
    settle()
    texts = [view.timeline.topLevelItem(i).text(6) for i in range(view.timeline.topLevelItemCount())]
    assert any("Budi Santoso" in t and "keluarga" in t for t in texts)


def test_cancelling_the_hand_over_changes_nothing(  # type: ignore[no-untyped-def]
        ws, petugas, verifikator, qtbot, settle, make_case, monkeypatch) -> None:
    from ui.dialogs import handover as dialogs
    from ui.views.case_detail import CaseDetailView

    case_id = make_case(petugas, ((petugas, Action.SUBMIT), (verifikator, Action.VERIFY)))
    _approved(ws, case_id)
    view = CaseDetailView(ws, petugas, case_id)
    qtbot.addWidget(view)
    settle()
    monkeypatch.setattr(dialogs.HandoverDialog, "exec", lambda self: int(QDialog.DialogCode.Rejected))
    view.action_buttons[Action.ISSUE].click()
    settle()
    assert cases.show(ws, case_id)["status"] == "approved"


def test_register_view_lists_the_days_requests_and_exports_safe_cells(  # type: ignore[no-untyped-def]
        ws, petugas, qtbot, settle, make_case, tmp_path: Path) -> None:
    from ui.views.register import RegisterView

    ids = [make_case(petugas, ((petugas, Action.SUBMIT),), name=name)
           for name in ("Ani Lestari", HOSTILE, "Citra Dewi")]
    view = RegisterView(ws, petugas)
    qtbot.addWidget(view)
    view.resize(1100, 520)
    view.show()
    view.kind.setCurrentIndex(view.kind.findData("masuk"))
    settle()
    assert view.register is not None and view.table.rowCount() == 3
    numbers = {cases.show(ws, i)["reg_no"] for i in ids}
    assert {view.table.item(r, 1).text() for r in range(3)} == numbers
    view.grab().save(str(SHOTS / "register-view.png"))
    assert view.default_name(".xlsx").startswith("register-masuk-")
    book = view.export(".xlsx", tmp_path / "masuk.xlsx")
    assert book is not None
    sheet = load_workbook(book).active
    cells = [c for row in sheet.iter_rows() for c in row]
    hostile = next(c for c in cells if c.value == HOSTILE)
    assert hostile.data_type == "s"
    assert not any(c.data_type == "f" for c in cells)
    pdf = view.export(".pdf", tmp_path / "masuk.pdf")
    assert pdf is not None and pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(pdf), str(SHOTS / "register-masuk")],
                   check=True)
    view.kind.setCurrentIndex(view.kind.findData("keluar"))
    settle()
    assert view.table.rowCount() == 0  # nothing signed today
