"""Main window: who is logged in, shortcuts for every action, status bar, language switch, case detail."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtTest import QTest

from app.domain.lifecycle import Action, CaseStatus
from ui import lang
from ui.actions import Engines
from ui.main_window import MainWindow, SyncState
from ui.views.case_detail import CaseDetailView


def _window(ws, actor, qtbot, settle, state: SyncState | None = None) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ws, actor, Engines(), sync_state=state)
    qtbot.addWidget(window)
    window.show()
    settle()
    return window


def test_status_bar_shows_user_office_role_and_outbox(ws, petugas, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    make_case(petugas)
    state = SyncState()
    window = _window(ws, petugas, qtbot, settle, state)
    assert window.user_label.text() == "Siti Petugas · Petugas loket · Kelurahan Oro-oro Dowo"
    assert window.outbox_label.text().startswith("Menunggu kirim: ")
    assert int(window.outbox_label.text().split(": ")[1]) > 0
    assert window.sync_label.text() == "Sinkronisasi belum disiapkan"
    state.update(online=False)
    assert window.sync_label.text().startswith("Luring")
    state.update(online=True)
    assert window.sync_label.text() == "Daring"


def test_every_action_has_a_shortcut(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    window = _window(ws, petugas, qtbot, settle)
    keys = {a.shortcut().toString() for a in window.actions()}
    assert {"Ctrl+N", "Ctrl+F", "F5", "Ctrl+Q", "Ctrl+O", "Ctrl+1", "Ctrl+2"} <= keys
    assert all(not a.shortcut().isEmpty() for a in window.actions())
    window.cases.table.setFocus()
    QTest.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.cases.search.hasFocus()
    assert window.act_new.shortcut() == QKeySequence("Ctrl+N") and window.act_new.isEnabled()


def test_search_box_filters_the_list(ws, petugas, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    make_case(petugas, name="Budi Santoso")
    make_case(petugas, name="Sri Wahyuni", nik="3573015708900003")
    window = _window(ws, petugas, qtbot, settle)
    assert window.cases.model.rowCount() == 2 and window.cases.count.text() == "2 berkas"
    QTest.keyClicks(window.cases.search, "Wahyu")
    QTest.keyClick(window.cases.search, Qt.Key.Key_Return)
    settle()
    assert window.cases.model.rowCount() == 1
    assert window.cases.model.index(0, 3).data() == "Sri Wahyuni"
    assert window.cases.table.hasFocus()  # Enter moves to the results, a second Enter opens the case


def test_language_switch_loads_the_english_translator(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    window = _window(ws, petugas, qtbot, settle)
    assert window.act_new.text() == "Berkas &baru…"
    assert lang.apply_language("en")
    english = _window(ws, petugas, qtbot, settle)
    assert english.act_new.text() == "&New case…"
    assert english.user_label.text() == "Siti Petugas · Counter staff · Kelurahan Oro-oro Dowo"
    assert english.cases.model.headerData(3, Qt.Orientation.Horizontal) == "Name"
    assert CaseStatus.DRAFT.label == "Draft"  # the core's messages switched with Qt's
    lang.apply_language("id")
    assert CaseStatus.DRAFT.label == "Draf"


def test_case_detail_offers_the_users_next_steps_and_shows_the_timeline(ws, staff, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(staff["petugas"], ((staff["petugas"], Action.SUBMIT),))
    view = CaseDetailView(ws, staff["verifikator"], case_id, Engines())
    qtbot.addWidget(view)
    settle()
    assert set(view.action_buttons) == {Action.VERIFY, Action.RETURN, Action.REJECT}
    assert view.timeline.topLevelItemCount() == 2
    first = view.timeline.topLevelItem(0)
    assert first.text(2) == "Siti Petugas" and "perangkat ini" in first.text(3)
    assert first.text(1) == "belum terkirim"  # no server has received it yet
    assert view.docs.count() == 3
    signer = CaseDetailView(ws, staff["penandatangan"], case_id, Engines())
    qtbot.addWidget(signer)
    settle()
    assert signer.action_buttons == {}  # the signer sees verified cases only


def test_return_asks_for_a_reason_and_edit_reuses_the_intake_form(ws, staff, make_case, qtbot, settle,  # type: ignore[no-untyped-def]
                                                                   monkeypatch) -> None:
    from PySide6.QtWidgets import QDialog

    from app.services import cases
    from ui import actions
    from ui.dialogs.intake import IntakeDialog

    case_id = make_case(staff["petugas"], ((staff["petugas"], Action.SUBMIT),))

    def answer(self: actions.ReasonDialog) -> int:
        assert not self.ok.isEnabled()  # no reason, no step
        self.text.setPlainText("Foto KTP-el buram.")
        assert self.ok.isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(actions.ReasonDialog, "exec", answer)
    view = CaseDetailView(ws, staff["verifikator"], case_id, Engines())
    qtbot.addWidget(view)
    settle()
    view.action_buttons[Action.RETURN].click()
    settle()
    shown = cases.show(ws, case_id)
    assert shown["status"] == "returned" and shown["reason"] == "Foto KTP-el buram."
    assert view.timeline.topLevelItem(2).text(6) == "Foto KTP-el buram."

    counter = CaseDetailView(ws, staff["petugas"], case_id, Engines())
    qtbot.addWidget(counter)
    settle()
    assert Action.EDIT in counter.action_buttons and Action.SUBMIT in counter.action_buttons
    counter.take(Action.EDIT)
    edit = counter.findChild(IntakeDialog)
    assert edit is not None and edit.name.text() == "Budi Santoso" and not edit.service.isEnabled()
    edit.name.setText("Budi Santoso Wijaya")
    edit.confirm_nik = lambda found: "Data sudah dicocokkan dengan KK."  # the sample's birth date is not the NIK's
    with qtbot.waitSignal(edit.saved, timeout=10_000):
        edit.save(submit=True)
    settle()
    shown = cases.show(ws, case_id)
    assert shown["name"] == "Budi Santoso Wijaya" and shown["status"] == "submitted"


def test_english_translation_file_is_complete() -> None:
    import xml.etree.ElementTree as ET
    from pathlib import Path

    ts = Path(__file__).resolve().parents[2] / "resources" / "translations" / "loket_en.ts"
    messages = list(ET.parse(ts).getroot().iter("message"))
    assert len(messages) > 150
    for m in messages:
        tr = m.find("translation")
        assert tr is not None and tr.get("type") not in ("unfinished", "obsolete"), m.findtext("source")
        assert (tr.text or "").strip() or list(tr), m.findtext("source")
