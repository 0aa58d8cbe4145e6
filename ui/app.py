"""``loket [--profile DIR] [--lang id|en]``: the desktop client.

One QApplication; translators (Qt and core) switched together; logging to the profile's ``logs/``; a user
chooser when nobody is logged in on this profile; then the main window. ``wire_seams`` is where the sync
and signing engines are plugged in (see ``ui/seams.py``).

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
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app import __version__, logs
from app.errors import LoketError, UserFacingError
from app.paths import default_profile_dir
from app.services.workspace import Actor, Workspace
from ui import errors, lang, settings
from ui.seams import Seams, SyncState

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger("loket.ui")
SeamsFactory = Callable[[Workspace], Seams]


def wire_seams(ws: Workspace) -> Seams:
    """The engines this build has (``ui/wiring.py``): enrolment, letter previews, batch signing, conflicts,
    and background sync feeding ``sync_state`` (F5 runs it now)."""
    from ui import wiring

    seams = Seams(sync_state=SyncState(), enroll=wiring.enroll_for(ws),
                  background_sync=lambda state: wiring.sync_for(ws, state))
    try:
        actor = ws.actor()
    except UserFacingError:  # nobody logged in yet; the login dialog only needs enroll
        return seams
    seams.render_preview = wiring.render_preview_for(ws, actor)
    seams.approve_batch = wiring.approve_batch_for(ws, actor)
    seams.conflicts = wiring.ConflictAdapter(ws, actor)
    return seams


class Controller:
    """Owns the workspace and the (re)built main window: switching user or language rebuilds it."""

    def __init__(self, app: QApplication, ws: Workspace, factory: SeamsFactory, language: str) -> None:
        self.app, self.ws, self.factory = app, ws, factory
        self.seams = factory(ws)
        self.sync_state = self.seams.sync_state  # one for the session: the sync engine keeps feeding it
        self.store = settings.store_for(ws.profile)
        self.language = language
        self.window: MainWindow | None = None
        self.background: object | None = None  # one background sync for the whole session

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

        dialog = LoginDialog(self.ws, self.seams.enroll, current=current)
        if dialog.exec() != LoginDialog.DialogCode.Accepted or not dialog.username:
            return False
        self.ws.use(dialog.username)
        return True

    def show_main(self, actor: Actor | None = None) -> None:
        from ui.main_window import MainWindow

        old = self.window
        self.seams = self.factory(self.ws)  # per user: signing and previews belong to who is logged in
        self.seams.sync_state = self.sync_state or self.seams.sync_state
        start_sync = self.seams.background_sync
        if self.background is None and self.seams.sync_state is not None and start_sync is not None:
            self.background = start_sync(self.seams.sync_state)
        window = MainWindow(self.ws, actor or self.ws.actor(), self.seams, on_switch_user=self.switch_user,
                            on_language=self.set_language)
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


def run(profile: Path, language: str | None = None, seams_factory: SeamsFactory | None = None,
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
    controller = Controller(app, ws, seams_factory or wire_seams, language)
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
