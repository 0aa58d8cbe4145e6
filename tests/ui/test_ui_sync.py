"""Background sync in the window: offline → online with the status bar following, against the real server."""

from __future__ import annotations

from pathlib import Path

from app.services import cases
from app.services.workspace import Workspace
from support.server import ServerProcess
from sync.enroll import enroll


def test_status_bar_goes_offline_then_online_and_work_goes_out(tmp_path: Path, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    from ui.app import BackgroundSync
    from ui.main_window import MainWindow, SyncState

    data = tmp_path / "server"
    data.mkdir()
    server = ServerProcess(data)
    codes = server.init_demo()
    server.start()
    ws = Workspace(tmp_path / "laptop")
    enroll(ws, server.url, codes["siti"])
    server.stop()  # the network goes away before the window opens
    actor = ws.actor()
    state = SyncState()
    window = MainWindow(ws, actor, sync_state=state, on_switch_user=lambda: None, on_language=lambda _l: None)
    qtbot.addWidget(window)
    background = BackgroundSync(ws, state)
    background.timer.stop()
    new = cases.create(ws, actor, "SKD", "3573015708900003", "Ani Lestari", {"alamat": "Jl. Ijen 5"})

    background.run()
    qtbot.waitUntil(lambda: not state.running, timeout=30_000)
    settle()
    assert state.online is False
    assert "Luring" in window.sync_label.text()
    assert background.timer.isActive() and background.timer.interval() == BackgroundSync.OFFLINE_INTERVAL_MS

    server.start()  # the network is back: the next run sends the case
    try:
        background.run()
        qtbot.waitUntil(lambda: not state.running, timeout=30_000)
        settle()
        assert state.online is True
        assert "Daring" in window.sync_label.text() and "↑1" in window.sync_label.text()
        qtbot.waitUntil(lambda: "Menunggu kirim: 0" in window.outbox_label.text(), timeout=5_000)
    finally:
        server.stop()
    assert cases.show(ws, new.id)["status"] == "draft"
