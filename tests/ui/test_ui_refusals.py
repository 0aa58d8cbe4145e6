"""In the window, against the real server: work goes out right after a person acts, refused work is listed
where the person works with what to do about it, and the history keeps both times and names devices."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.domain.lifecycle import Action
from app.services import approvals, cases
from app.services.workspace import Workspace
from samples import SKD_FIELDS, documents
from support.server import ServerProcess, demo_server
from sync.enroll import enroll

PIN = "582047"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ServerProcess]:
    with demo_server(tmp_path / "server") as srv:
        yield srv


def _office(server: ServerProcess, folder: Path, *users: str) -> Workspace:
    ws = Workspace(folder)
    for user in users:
        code = server.codes.pop(user, None) or server.code(user)
        enroll(ws, server.url, code, PIN if user == "lurah" else None)
    return ws


def _window(ws: Workspace, username: str, qtbot, settle):  # type: ignore[no-untyped-def]
    from ui.app import BackgroundSync
    from ui.main_window import MainWindow, SyncState

    actor = ws.actor(username)
    state = SyncState()
    window = MainWindow(ws, actor, sync_state=state, on_switch_user=lambda: None, on_language=lambda _l: None)
    qtbot.addWidget(window)
    window.show()
    background = BackgroundSync(ws, state)
    background.run()  # the first run, as shortly after the window shows
    qtbot.waitUntil(lambda: not state.running, timeout=60_000)
    settle()
    return window, background


def _server_status(server: ServerProcess, token: str, case_id: str) -> str | None:
    found = {c["id"]: c for c in server.all_cases(token)}
    return found[case_id]["status"] if case_id in found else None


def test_signed_work_reaches_the_server_within_seconds(server: ServerProcess, tmp_path: Path, qtbot,  # type: ignore[no-untyped-def]
                                                       settle) -> None:
    ws = _office(server, tmp_path / "kantor", "siti", "bambang", "lurah")
    window, background = _window(ws, "lurah", qtbot, settle)
    assert background.timer.remainingTime() > 60_000  # the next periodic run is minutes away
    token = server.token("lurah", "checker")
    siti, bambang, lurah = ws.actor("siti"), ws.actor("bambang"), ws.actor("lurah")
    new = cases.create(ws, siti, "SKD", "3573015708900003", "Ani Lestari", SKD_FIELDS, documents(tmp_path))
    cases.transition(ws, siti, new.id, Action.SUBMIT)
    shown_before = cases.show(ws, new.id)
    submitted_at = next(e["at"] for e in shown_before["events"] if e["action"] == "submit")

    started = time.monotonic()
    qtbot.waitUntil(lambda: _server_status(server, token, new.id) == "submitted", timeout=15_000)
    assert time.monotonic() - started < 12
    cases.transition(ws, bambang, new.id, Action.VERIFY)
    [signed] = approvals.approve_batch(ws, lurah, [new.id], PIN)
    assert signed.status == "approved"
    started = time.monotonic()
    qtbot.waitUntil(lambda: _server_status(server, token, new.id) == "approved", timeout=20_000)
    assert time.monotonic() - started < 15  # the QR on the handed-over letter finds it
    qtbot.waitUntil(lambda: not background.state.running, timeout=30_000)
    settle()
    assert background.timer.isActive()  # the periodic timer stays for the rest
    background.run()  # pull the server's record of the history
    qtbot.waitUntil(lambda: not background.state.running, timeout=60_000)
    settle()
    events = {e["action"]: e for e in cases.show(ws, new.id)["events"]}
    assert events["submit"]["at"] == submitted_at  # the device's time, not the receipt time
    assert events["submit"]["received_at"] and events["approve"]["received_at"]
    assert events["submit"]["device_name"] and events["submit"]["this_device"]

    from ui.views.case_detail import CaseDetailDialog

    dialog = CaseDetailDialog(ws, lurah, new.id, window.engines, window)
    qtbot.addWidget(dialog)
    dialog.show()
    settle(200)
    timeline = dialog.view.timeline
    assert timeline.headerItem().text(0) == "Waktu perangkat (WIB)"
    assert timeline.headerItem().text(1) == "Diterima server (WIB)"
    devices = {timeline.topLevelItem(i).text(3) for i in range(timeline.topLevelItemCount())}
    assert events["submit"]["device_name"] + " (perangkat ini)" in devices
    assert not any(len(d) == 36 and d.count("-") == 4 for d in devices)  # names, never UUIDs


def test_a_refused_step_is_listed_with_what_to_do(server: ServerProcess, tmp_path: Path, qtbot,  # type: ignore[no-untyped-def]
                                                  settle) -> None:
    from sync.engine import SyncEngine

    ws = _office(server, tmp_path / "kantor", "siti", "bambang")
    siti, bambang = ws.actor("siti"), ws.actor("bambang")
    new = cases.create(ws, siti, "SKD", "3573015708900003", "Ani Lestari", SKD_FIELDS, documents(tmp_path))
    cases.transition(ws, siti, new.id, Action.SUBMIT)
    SyncEngine(ws).run()
    home = _office(server, tmp_path / "rumah", "siti")  # withdrawn from another laptop at the citizen's wish
    SyncEngine(home).run()
    cases.transition(home, home.actor("siti"), new.id, Action.WITHDRAW, "permintaan pemohon")
    SyncEngine(home).run()
    cases.transition(ws, bambang, new.id, Action.VERIFY)  # this laptop does not know yet

    window, background = _window(ws, "bambang", qtbot, settle)
    qtbot.waitUntil(lambda: window.refused_button.isVisible(), timeout=10_000)
    assert window.refused_button.text() == "Ditolak server: 1"
    assert "klik" in window.refused_button.toolTip()
    window.show_page(window.conflicts)
    settle()
    assert "ditolak server" in window.conflicts.note.text() and "Tidak ada konflik." not in \
        window.conflicts.note.text()

    window.refused_button.click()
    settle(200)
    dialog = window.refusals_dialog
    assert dialog.table.rowCount() == 1
    row = [dialog.table.item(0, c).text() for c in range(5)]
    assert "Ani Lestari" in row[0] and row[1].startswith("Langkah: verifikasi")
    assert "sudah diproses di perangkat lain" in row[2] and row[4].startswith("Abaikan")
    assert "Pesan server" in dialog.detail.text() and "108" in dialog.detail.text()
    assert dialog.discard_button.isEnabled() and not dialog.resend_button.isEnabled()
    dialog.open_button.click()
    settle(200)
    from ui.views.case_detail import CaseDetailDialog

    details = [w for w in window.findChildren(CaseDetailDialog)]
    assert details
    timeline = details[-1].view.timeline
    refused_rows = [timeline.topLevelItem(i) for i in range(timeline.topLevelItemCount())
                    if timeline.topLevelItem(i).text(4).startswith("Ditolak server")]
    assert len(refused_rows) == 1 and "perangkat lain" in refused_rows[0].text(6)
    details[-1].close()

    dialog.discard(confirm=False)
    settle(300)
    assert dialog.table.rowCount() == 0
    qtbot.waitUntil(lambda: not window.refused_button.isVisible(), timeout=5_000)
    [kept] = cases.show(ws, new.id)["refusals"]
    assert kept["handled"] is True
