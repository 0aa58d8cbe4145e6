"""The intake form takes care of what was typed: Esc asks first, the count of problems follows the fixes,
dates are shown as typed, messages are not cut off, names are names, and the NIK's birth date and sex fill
the form and guard it (a contradiction needs a confirmed reason, which the history keeps)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from app.domain.lifecycle import Action
from app.services import cases
from app.storage import repo
from app.storage.repo import CaseQuery
from samples import NIK_WOMAN, documents
from ui.dialogs.intake import IntakeDialog


def open_dialog(ws, actor, qtbot, service: str = "SKD") -> IntakeDialog:  # type: ignore[no-untyped-def]
    dialog = IntakeDialog(ws, actor)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.service)
    dialog.service.setCurrentIndex(dialog.service.findData(service))
    return dialog


def test_esc_on_a_filled_form_asks_before_throwing_it_away(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    empty = open_dialog(ws, petugas, qtbot)
    asked: list[bool] = []
    empty.ask_discard = lambda: asked.append(True) or True  # type: ignore[func-returns-value]
    QTest.keyClick(empty, Qt.Key.Key_Escape)
    assert not empty.isVisible() and not asked  # nothing typed: nothing to lose

    dialog = open_dialog(ws, petugas, qtbot)
    QTest.keyClicks(dialog.name, "Sri Wahyuni")
    answers = [False, True]
    dialog.ask_discard = lambda: asked.append(True) or answers.pop(0)  # type: ignore[func-returns-value]
    QTest.keyClick(dialog.name, Qt.Key.Key_Escape)
    assert dialog.isVisible() and len(asked) == 1 and dialog.name.text() == "Sri Wahyuni"
    dialog.cancel_button.click()  # Batal asks too (and so does the window's close button)
    assert not dialog.isVisible() and len(asked) == 2


def test_the_problem_count_follows_the_fixes(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    dialog.save(submit=True)
    settle()
    first = int(dialog.summary.text().split()[0])
    assert first >= 3 and dialog.summary.text().endswith("isian perlu diperbaiki.")
    QTest.keyClicks(dialog.name, "Sri Wahyuni")
    assert int(dialog.summary.text().split()[0]) == first - 1
    QTest.keyClicks(dialog.nik, NIK_WOMAN)  # also fills birth date and sex from the NIK
    assert int(dialog.summary.text().split()[0]) == first - 4


def test_date_messages_show_the_date_as_typed(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    row = dialog.row("tanggal_lahir")
    assert row is not None
    QTest.keyClicks(row.widget, "17/08/2030")
    assert "17/08/2030" in row.error.text() and "2030-08-17" not in row.error.text()
    assert "belum lewat" in row.error.text()
    row.widget.clear()  # type: ignore[union-attr]
    QTest.keyClicks(row.widget, "01/01/1850")
    assert "01/01/1850" in row.error.text() and "1850-01-01" not in row.error.text()


def test_the_phone_message_is_shown_whole(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Typing in the last field of a scrolled form: the message that appears under it is in view, all of it."""
    dialog = open_dialog(ws, petugas, qtbot, "SKTM")
    dialog.resize(760, 520)
    row = dialog.row("telepon")
    assert row is not None
    row.widget.setFocus()
    qtbot.waitUntil(lambda: row.widget.hasFocus())
    QTest.keyClicks(row.widget, "12345")
    qtbot.waitUntil(lambda: row.error.isVisible())
    viewport = dialog.scroller.viewport()

    def whole() -> bool:
        top = row.error.mapTo(viewport, row.error.rect().topLeft())
        bottom = row.error.mapTo(viewport, row.error.rect().bottomRight())
        return top.y() >= 0 and bottom.y() <= viewport.height() and \
            row.error.height() >= row.error.heightForWidth(row.error.width())

    qtbot.waitUntil(whole, timeout=2000)
    assert row.error.text().endswith("9–13 digit.")


def test_a_one_letter_name_is_refused_with_a_clear_message(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    QTest.keyClicks(dialog.nik, NIK_WOMAN)
    QTest.keyClicks(dialog.name, "A")
    dialog.save(submit=False)
    settle()
    assert dialog.name_error.text() == ("Nama terlalu pendek: tulis nama lengkap seperti di KTP "
                                        "(paling sedikit 2 huruf).")
    with ws.db.read() as s:
        assert repo.count_cases(s, CaseQuery()) == 0


def test_the_nik_fills_birth_date_and_sex(ws, petugas, qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = open_dialog(ws, petugas, qtbot)
    QTest.keyClicks(dialog.nik, NIK_WOMAN)
    assert dialog.row("tanggal_lahir").value() == "17/08/1990"  # type: ignore[union-attr]
    assert dialog.row("jenis_kelamin").value() == "P"  # type: ignore[union-attr]
    assert dialog.nik_note.isVisible() and "Perempuan, lahir 17/08/1990" in dialog.nik_note.text()
    dialog.service.setCurrentIndex(dialog.service.findData("SKTM"))  # a new form is filled again
    assert dialog.row("tanggal_lahir").value() == "17/08/1990"  # type: ignore[union-attr]


def test_a_contradiction_is_flagged_and_needs_a_confirmed_reason(ws, petugas, qtbot, settle,  # type: ignore[no-untyped-def]
                                                                 tmp_path: Path) -> None:
    dialog = open_dialog(ws, petugas, qtbot)
    files = documents(tmp_path)
    QTest.keyClicks(dialog.nik, NIK_WOMAN)
    QTest.keyClicks(dialog.name, "Sri Wahyuni")
    values = {"tempat_lahir": "Malang", "no_kk": "3573021708900005", "alamat": "Jl. Kawi No. 12",
              "keperluan": "melamar pekerjaan"}
    for key, value in values.items():
        dialog.row(key).set_value(value)  # type: ignore[union-attr]
    for d in dialog.docs:
        dialog.attach(d, files[d.spec.code])
    birth = dialog.row("tanggal_lahir")
    assert birth is not None
    birth.widget.clear()  # type: ignore[union-attr]
    QTest.keyClicks(birth.widget, "01/01/1985")
    dialog.row("jenis_kelamin").set_value("L")  # type: ignore[union-attr]
    note = dialog.nik_note.text()
    assert "Tanggal lahir 01/01/1985 berbeda dengan NIK (17/08/1990)." in note
    assert "Jenis kelamin Laki-laki berbeda dengan NIK (Perempuan)." in note

    asked: list[list[str]] = []
    dialog.confirm_nik = lambda found: asked.append([c.field for c in found]) or None  # type: ignore[func-returns-value]
    dialog.save(submit=True)
    settle()
    assert asked == [["tanggal_lahir", "jenis_kelamin"]]
    with ws.db.read() as s:
        assert repo.count_cases(s, CaseQuery()) == 0  # not confirmed: nothing saved

    dialog.confirm_nik = lambda found: "Tanggal lahir dikoreksi Dukcapil, lihat KK terbaru."
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        dialog.save(submit=True)
    settle()
    case = cases.show(ws, saved.args[0])
    assert case["status"] == "submitted" and case["fields"]["tanggal_lahir"] == "1985-01-01"
    submit = [e for e in case["events"] if e["action"] == "submit"][-1]
    assert "berbeda dengan NIK" in submit["reason"] and submit["reason"].endswith("lihat KK terbaru.")


def test_the_confirmation_dialog_needs_the_tick_and_a_reason(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.domain import nik
    from ui.dialogs.nik_confirm import NikConfirmDialog

    found = nik.contradictions(nik.decode(NIK_WOMAN), {"tanggal_lahir": "01/01/1985"})
    dialog = NikConfirmDialog(found)
    qtbot.addWidget(dialog)
    assert not dialog.ok.isEnabled()
    QTest.keyClicks(dialog.reason, "KK terbaru dari Dukcapil")
    assert not dialog.ok.isEnabled()
    dialog.checked.setChecked(True)
    assert dialog.ok.isEnabled()


def test_a_draft_that_contradicts_its_nik_is_submitted_from_the_detail_only_with_a_reason(  # type: ignore[no-untyped-def]
        ws, petugas, make_case, qtbot, settle) -> None:
    from ui.actions import Engines
    from ui.views.case_detail import CaseDetailView

    case_id = make_case(petugas)  # the sample's NIK says a man born 01/01/1985; the fields say otherwise
    view = CaseDetailView(ws, petugas, case_id, Engines())
    qtbot.addWidget(view)
    settle()
    asked: list[int] = []
    view.confirm_nik = lambda found: asked.append(len(found)) or None  # type: ignore[func-returns-value]
    view.action_buttons[Action.SUBMIT].click()
    settle()
    assert asked == [2] and cases.show(ws, case_id)["status"] == "draft"
    view.confirm_nik = lambda found: "KK terbaru dari Dukcapil sudah diperiksa."
    view.action_buttons[Action.SUBMIT].click()
    settle()
    shown = cases.show(ws, case_id)
    assert shown["status"] == "submitted"
    assert [e for e in shown["events"] if e["action"] == "submit"][-1]["reason"].endswith("sudah diperiksa.")
