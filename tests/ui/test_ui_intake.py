"""Intake end to end with the keyboard only, and the inline messages under each field."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QPlainTextEdit, QWidget

from app.services import cases
from app.storage import repo
from app.storage.repo import CaseQuery
from samples import documents
from ui.dialogs.intake import IntakeDialog

TYPED = {
    "tempat_lahir": "Malang",
    "tanggal_lahir": "17/08/1990",
    "no_kk": "3573021708900005",
    "alamat": "Jl. Kawi No. 12, RT 03/RW 05",
    "keperluan": "melamar pekerjaan",
}


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def tab() -> None:
    QTest.keyClick(focused(), Qt.Key.Key_Tab)


def open_dialog(ws, actor, qtbot) -> IntakeDialog:  # type: ignore[no-untyped-def]
    dialog = IntakeDialog(ws, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.service)
    return dialog


def test_intake_by_keyboard_only(ws, petugas, qtbot, settle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files = documents(tmp_path)
    dialog = open_dialog(ws, petugas, qtbot)
    dialog.pick_file = lambda title: str(next(p for code, p in files.items() if code in title.lower()
                                             or title.startswith({"ktp": "KTP", "kk": "Kartu", "pengantar_rt":
                                                                  "Surat pengantar"}[code])))
    # Service: arrow keys in the focused combo until SKD (Surat Keterangan Domisili) is chosen.
    QTest.keyClick(focused(), Qt.Key.Key_Home)
    while dialog.service.currentData() != "SKD":
        QTest.keyClick(focused(), Qt.Key.Key_Down)
    tab()
    assert focused() is dialog.nik
    QTest.keyClicks(focused(), "3573015708900003")
    tab()
    QTest.keyClicks(focused(), "Sri Wahyuni")
    for row in dialog.rows:
        tab()
        assert focused() is row.widget, row.spec.key
        if isinstance(row.widget, QComboBox):
            if row.spec.key == "jenis_kelamin":
                QTest.keyClick(focused(), Qt.Key.Key_Down)
                QTest.keyClick(focused(), Qt.Key.Key_Down)  # "Perempuan"
        elif row.spec.key in TYPED:
            QTest.keyClicks(focused(), TYPED[row.spec.key])
        if isinstance(row.widget, QPlainTextEdit):
            assert row.widget.toPlainText() == TYPED.get(row.spec.key, "")
    for doc in dialog.docs:
        tab()
        assert focused() is doc.button
        QTest.keyClick(focused(), Qt.Key.Key_Space)  # opens the (keyboard-usable) file picker
    assert all(d.present() for d in dialog.docs if d.spec.required)
    assert not [r.spec.key for r in dialog.rows if r.error.isVisible()]
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        QTest.keyClick(focused(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle()
    case = cases.show(ws, saved.args[0])
    assert case["status"] == "submitted" and case["nik"] == "3573015708900003" and case["name"] == "Sri Wahyuni"
    assert case["fields"]["tanggal_lahir"] == "1990-08-17" and case["fields"]["jenis_kelamin"] == "P"
    assert {d["doc_code"] for d in case["documents"]} == {"ktp", "kk", "pengantar_rt"}


def test_bad_nik_shows_a_message_in_bahasa_indonesia(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    QTest.keyClicks(dialog.nik, "35730157089")
    assert dialog.nik_error.isVisible()
    assert dialog.nik_error.text() == "NIK harus 16 digit angka (tertulis 11 karakter)."
    dialog.nik.clear()
    QTest.keyClicks(dialog.nik, "3573013208900003")  # day 32
    assert "bukan tanggal yang sah" in dialog.nik_error.text()
    dialog.nik.clear()
    QTest.keyClicks(dialog.nik, "3573015708900003")
    assert not dialog.nik_error.isVisible()


def test_submit_with_missing_data_marks_the_fields_and_saves_nothing(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    dialog.service.setCurrentIndex(dialog.service.findData("SKD"))
    QTest.keyClicks(dialog.nik, "3573015708900003")
    QTest.keyClick(dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    settle()
    assert dialog.name_error.text() == "Nama wajib diisi."
    assert dialog.summary.isVisible()
    assert any(d.error.text().startswith("Dokumen wajib belum dilampirkan") for d in dialog.docs)
    with ws.db.read() as s:
        assert repo.count_cases(s, CaseQuery()) == 0


def test_field_messages_as_you_type(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    dialog.service.setCurrentIndex(dialog.service.findData("SKTM"))
    rows = {r.spec.key: r for r in dialog.rows}
    QTest.keyClicks(rows["tanggal_lahir"].widget, "31/02/1990")
    assert "tanggal tidak sah" in rows["tanggal_lahir"].error.text()
    QTest.keyClicks(rows["telepon"].widget, "12345")
    assert rows["telepon"].error.text().startswith("Nomor telepon/WA: nomor telepon harus")
    QTest.keyClicks(rows["tanggungan"].widget, "99")
    assert rows["tanggungan"].error.text() == "Jumlah tanggungan keluarga (orang) harus di antara 0 dan 30."


def test_duplicate_warning_for_an_open_case_of_the_same_service(ws, petugas, qtbot, settle, make_case) -> None:  # type: ignore[no-untyped-def]
    make_case(petugas, nik="3573015708900003")
    dialog = open_dialog(ws, petugas, qtbot)
    dialog.service.setCurrentIndex(dialog.service.findData("SKD"))
    QTest.keyClicks(dialog.nik, "3573015708900003")
    settle()
    assert dialog.duplicate.isVisible() and "1 berkas SKD" in dialog.duplicate.text()
    dialog.service.setCurrentIndex(dialog.service.findData("SKTM"))
    settle()
    assert not dialog.duplicate.isVisible()


def test_only_services_of_the_users_office_level(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    codes = {dialog.service.itemData(i) for i in range(dialog.service.count())}
    assert codes == {"SKD", "SKTM", "SKU", "SPDUK", "USULMUS"}
