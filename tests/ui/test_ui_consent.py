"""The citizen's consent to be told at intake: a tick box, empty until the counter ticks it (Space), saved as
``ya`` with the case; the e-mail address is checked like every other field."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox

from ui.dialogs.intake import IntakeDialog


def test_consent_is_a_tick_box_never_ticked_by_default(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = IntakeDialog(ws, petugas)
    qtbot.addWidget(dialog)
    dialog.service.setCurrentIndex(dialog.service.findData("SKD"))
    rows = {row.spec.key: row for row in dialog.rows}
    consent, mail = rows["izin_kabar"], rows["email"]
    assert isinstance(consent.widget, QCheckBox) and not consent.widget.isChecked()
    assert consent.value() == "" and consent.check() is None
    consent.widget.setFocus()
    QTest.keyClick(consent.widget, Qt.Key.Key_Space)
    assert consent.value() == "ya"
    consent.set_value("tidak")
    assert not consent.widget.isChecked()
    mail.set_value("ani@contoh")
    problem = mail.check()
    assert problem is not None and "e-mail" in (problem.message or "")
    mail.set_value("Ani.Lestari@Contoh.ID")
    assert mail.check() is None
