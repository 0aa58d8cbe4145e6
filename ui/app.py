"""``loket [--profile DIR] [--lang id|en]``: the desktop client.

One QApplication; translators (Qt and core) switched together; logging to the profile's ``logs/``; a user
chooser when nobody is logged in on this profile; then the main window, built with the person's engines
(``ui.actions.Engines.for_actor``: batch signing, letter previews, conflicts) and the session's one sync state,
which :class:`BackgroundSync` feeds.

``LOKET_STARTUP_PROBE=1`` makes the app print ``LOKET_READY <epoch seconds>`` once the main window is shown
and quit (used by ``bench/ui.py`` to measure a cold start).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__, logs
from app.errors import LoketError, UserFacingError
from app.paths import default_profile_dir
from app.services import queries
from app.services.workspace import Actor, Workspace
from ui import errors, lang, settings
from ui.actions import Engines

if TYPE_CHECKING:
    from ui.main_window import MainWindow, SyncState

log = logging.getLogger("loket.ui")
EnginesFactory = Callable[[Workspace, Actor], Engines]


def enroll_for(ws: Workspace) -> Callable[[str, str, str | None], Any]:
    """Enrolment for the login dialog: this device and person with a one-time code (run on the network lane)."""

    def run(server_url: str, code: str, pin: str | None) -> Any:
        from sync.enroll import enroll

        return enroll(ws, server_url, code, pin)

    return run


class BackgroundSync:
    """Runs the sync engine on the network lane: on a timer, when F5 is pressed, sooner while offline (so
    work goes out soon after the network returns), and shortly after a person acts while online (a signed
    letter's QR must find it on the server when it is handed over). Feeds ``SyncState`` on the GUI thread;
    never blocks the window. Only for profiles with an enrolled user."""

    OFFLINE_INTERVAL_MS = 20_000  # while offline, try again soon: work goes out soon after the network returns
    PUSH_DELAY_MS = 2_000  # after a person acts: one run for a burst of steps, not one per step
    HISTORY_DELAY_MS = 1_000  # while the history pass after a first pull goes on: the next slice of it soon

    def __init__(self, ws: Workspace, state: SyncState) -> None:
        from PySide6.QtCore import QTimer

        from app import config

        self.ws = ws
        self.state = state
        self.online_interval_ms = config.load(ws.profile).get(config.SYNC_INTERVAL_MINUTES) * 60_000
        self.timer = QTimer()
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.run)
        self.push_timer = QTimer()
        self.push_timer.setSingleShot(True)
        self.push_timer.setInterval(self.PUSH_DELAY_MS)
        self.push_timer.timeout.connect(self.push_soon)
        from ui.bridge import EventBridge

        self.bridge = EventBridge(ws.events)
        self.bridge.changes.connect(self._changed)
        state.sync_now = self.run
        last = queries.last_sync(ws)
        state.update(last_sync=last, message="")
        self.timer.start(1_500)  # first run shortly after the window shows

    def _changed(self, changes: Any) -> None:
        if changes.outbox and self.state.online is not False:  # offline: the short offline timer sends it
            self.push_timer.start()

    def push_soon(self) -> None:
        """A run if work waits in the outbox (the engine's own changes end here with nothing to send)."""
        if self.state.running:
            self.push_timer.start()
            return
        self.run(only_if_pending=True)

    def _work(self, only_if_pending: bool) -> Any:
        from sync.engine import SyncEngine

        if only_if_pending and not queries.outbox_counts(self.ws).get("pending", 0):
            return None
        return SyncEngine(self.ws).run()

    def run(self, only_if_pending: bool = False) -> None:
        from app import clock
        from ui.tasks import Lane, op

        if self.state.running:
            return
        self.push_timer.stop()
        self.state.update(running=True)
        periodic_left = self.timer.remainingTime() if self.timer.isActive() else -1
        self.timer.stop()

        def done(report: Any) -> None:
            if report is None:  # nothing was waiting: the periodic timer carries on where it was
                self.state.update(running=False)
                self.timer.start(periodic_left if periodic_left >= 0 else self.online_interval_ms)
                return
            parts = [f"↑{report.pushed} ↓{report.pulled}"]
            if report.rejected:
                parts.append(f"✗{report.rejected}")
            if report.conflicts:
                parts.append(f"⚠{report.conflicts}")
            self.state.update(running=False, online=True, last_sync=clock.now_iso(), message=" ".join(parts),
                              history_pending=report.history_pending)
            self.timer.start(self.HISTORY_DELAY_MS if report.history_pending else self.online_interval_ms)

        def failed(exc: BaseException) -> None:
            from sync.errors import OfflineError

            offline = isinstance(exc, OfflineError)
            if not offline:
                log.warning("sync failed: %s", exc)
            message = "" if offline else str(exc)
            self.state.update(running=False, online=False if offline else self.state.online, message=message)
            self.timer.start(self.OFFLINE_INTERVAL_MS if offline else self.online_interval_ms)

        op(lambda: self._work(only_if_pending)).success(done).failure(failed).on(Lane.NET).run_in_background()


def sync_for(ws: Workspace, state: SyncState) -> BackgroundSync | None:
    """The session's background sync; None for a profile nobody is enrolled on (there is no server to ask)."""
    if not any(u.enrolled for u in ws.users()):
        return None
    return BackgroundSync(ws, state)



class Controller:
    """Owns the workspace and the (re)built main window: switching user or language rebuilds it."""

    def __init__(self, app: QApplication, ws: Workspace, factory: EnginesFactory, language: str) -> None:
        from ui.main_window import SyncState

        self.app, self.ws, self.factory = app, ws, factory
        self.sync_state = SyncState()  # one for the session: the background sync keeps feeding it
        self.store = settings.store_for(ws.profile)
        self.language = language
        self.window: MainWindow | None = None
        self.background: BackgroundSync | None = None  # one background sync for the whole session

    def start(self) -> bool:
        """The active person unlocks with their own secret first (a shared laptop left open is not theirs);
        a local demo user without a secret goes straight in."""
        from app.services import unlock

        try:
            current: str | None = self.ws.actor().username
        except UserFacingError:
            current = None
        if (current is None or unlock.needs_secret(self.ws, current)) and not self.choose_user(current):
            return False
        self.show_main(self.ws.actor())
        return True

    def choose_user(self, current: str | None = None) -> bool:
        from ui.dialogs.login import LoginDialog

        dialog = LoginDialog(self.ws, enroll_for(self.ws), current=current)
        if dialog.exec() != LoginDialog.DialogCode.Accepted or not dialog.username:
            return False
        self.ws.use(dialog.username)
        return True

    def show_main(self, actor: Actor | None = None) -> None:
        from ui.main_window import MainWindow

        old = self.window
        if self.background is None:
            self.background = sync_for(self.ws, self.sync_state)
        person = actor or self.ws.actor()
        # per person: signing and previews belong to who is logged in
        window = MainWindow(self.ws, person, self.factory(self.ws, person), sync_state=self.sync_state,
                            on_switch_user=self.switch_user, on_language=self.set_language)
        geometry = settings.GEOMETRY.get(self.store)
        if geometry:
            window.restoreGeometry(bytes.fromhex(geometry))
        window.destroyed.connect(lambda *_: None)
        self.window = window
        window.show()
        if old is not None:
            old.close()
            old.deleteLater()

    def switch_user(self) -> None:
        if self.choose_user(self.ws.actor().username):
            self.show_main()

    def set_language(self, language: str) -> None:
        self.language = language
        settings.LANGUAGE.set(self.store, language)
        lang.apply_language(language)
        self.show_main()

    def save_geometry(self) -> None:
        window = self.window
        if window is not None:
            settings.GEOMETRY.set(self.store, window.saveGeometry().data().hex())


def _excepthook(kind: type[BaseException], value: BaseException, tb: TracebackType | None) -> None:
    log.error("uncaught", exc_info=(kind, value, tb))
    if QApplication.instance() is not None:
        errors.report(value)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="loket", description="Loket — layanan publik Kota Malang")
    p.add_argument("--profile", type=Path, default=None, help="profile (data) folder")
    p.add_argument("--lang", choices=("id", "en"), default=None, help="display language")
    p.add_argument("--self-test", action="store_true", help="check this installation and exit (offscreen)")
    p.add_argument("--version", action="version", version=f"loket {__version__}")
    return p.parse_args(argv)


def run(profile: Path, language: str | None = None, engines_factory: EnginesFactory | None = None,
        argv: Sequence[str] | None = None) -> int:
    """Start the GUI on ``profile`` and run the event loop. ``ui.demo`` calls this too."""
    started = time.perf_counter()
    os.umask(0o077)  # everything Loket writes in the profile is the user's alone
    app = QApplication.instance() or QApplication(list(argv or sys.argv[:1]))
    assert isinstance(app, QApplication)
    app.setApplicationName("Loket")
    app.setOrganizationName("Pemkot Malang")
    app.setApplicationDisplayName("Loket")
    log_file = logs.setup(profile)
    sys.excepthook = _excepthook
    try:
        ws = Workspace(profile)
    except LoketError as exc:
        QMessageBox.critical(None, "Loket", exc.message)
        return 1
    store = settings.store_for(ws.profile)
    language = language or os.environ.get("LOKET_LANG") or settings.LANGUAGE.get(store)
    lang.apply_language(language)
    log.info("GUI start: profile %s, language %s, log %s", profile, language, log_file)
    controller = Controller(app, ws, engines_factory or Engines.for_actor, language)
    if not controller.start():
        ws.close()
        return 0
    if os.environ.get("LOKET_STARTUP_PROBE"):
        def probe() -> None:
            print(f"LOKET_READY {time.time():.6f} {time.perf_counter() - started:.6f}", flush=True)
            app.quit()

        QTimer.singleShot(0, probe)
    shot = os.environ.get("LOKET_SCREENSHOT")
    if shot:  # support and docs: save what the window shows after a while, then quit
        def grab() -> None:
            window = controller.window
            if window is not None:
                window.grab().save(shot)
            app.quit()

        QTimer.singleShot(int(os.environ.get("LOKET_SCREENSHOT_AFTER_MS", "3000")), grab)
    app.aboutToQuit.connect(controller.save_geometry)
    code = app.exec()
    from ui.tasks import manager

    manager().wait_idle(10_000)
    ws.close()
    return code


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv if argv is not None else sys.argv[1:])
    if args.self_test:
        from ui.selftest import run as self_test

        return self_test()
    profile = (args.profile or default_profile_dir()).expanduser()
    return run(profile, args.lang)


if __name__ == "__main__":
    raise SystemExit(main())
