"""After a light first pull, before the history pass reached a case: the case view and the status bar say
that the history and documents are still coming (instead of showing a case with no past)."""

from __future__ import annotations

from app.services import cases
from app.services.workspace import Actor, Workspace
from app.storage import meta

NOTE = "Riwayat dan dokumen masih diunduh dari server…"


def _from_the_server_without_history(ws: Workspace, petugas: Actor) -> str:
    case_id = cases.create(ws, petugas, "SKD", "3573015708900003", "Ani Lestari", {"alamat": "Jl. Ijen 5"}).id
    with ws.db.write() as s:  # as a light record leaves it: on the server, no events or documents here yet
        s.connection().exec_driver_sql("UPDATE cases SET server_version = 1 WHERE id = ?", (case_id,))
        meta.set_history_cursor(s, petugas.username, "0")
    return case_id


def test_case_view_says_the_history_is_still_coming(ws: Workspace, petugas: Actor, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    from ui.views.case_detail import CaseDetailView

    case_id = _from_the_server_without_history(ws, petugas)
    view = CaseDetailView(ws, petugas, case_id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.data is not None, timeout=5000)
    settle()
    rows = [view.timeline.topLevelItem(i) for i in range(view.timeline.topLevelItemCount())]
    notes = [row for row in rows if row is not None and row.text(0) == NOTE]
    assert notes and notes[0].isFirstColumnSpanned()  # read whole, across the table

    with ws.db.write() as s:
        meta.end_history(s, petugas.username)
    assert not cases.show(ws, case_id)["history_coming"]


def test_status_bar_says_the_history_pass_goes_on(ws: Workspace, petugas: Actor, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.main_window import MainWindow, SyncState

    state = SyncState()
    window = MainWindow(ws, petugas, sync_state=state, on_switch_user=lambda: None, on_language=lambda _l: None)
    qtbot.addWidget(window)
    state.update(online=True, history_pending=True)
    assert "riwayat berkas masih diunduh" in window.sync_label.text()
    state.update(history_pending=False)
    assert "riwayat" not in window.sync_label.text()
