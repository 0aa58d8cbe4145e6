"""The background-op helper: run core calls off the GUI thread, get the answer back on it.

    op(lambda: cases.create(ws, actor, ...)).success(on_done).failure(show_error).run_in_background()

Two lanes (after Anki's ``taskman`` and Picard's save pool of one):

* ``Lane.DB``  — one worker thread, so writes to the profile's SQLite never race each other and reads see
  the writes queued before them. Every op opens its own session inside the worker (``ws.db.read()`` /
  ``ws.db.write()``); never pass a session or an ORM object across threads.
* ``Lane.NET`` — a few threads for the network (sync, enrolment) so a slow server never blocks the database.

Callbacks (``success``, ``failure``, ``progress``) always run on the GUI thread: the worker hands a closure
to :class:`_Relay`, a QObject living on the GUI thread, through a queued signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from enum import Enum
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)
T = TypeVar("T")


class Lane(Enum):
    DB = "db"
    NET = "net"


class _Relay(QObject):
    """Runs closures on the thread it lives in (the GUI thread)."""

    deliver = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self.deliver.connect(self._run)

    @Slot(object)
    def _run(self, closure: Callable[[], None]) -> None:
        try:
            closure()
        except Exception as exc:  # a callback must never take the event loop down
            log.exception("background-op callback failed")
            from ui.errors import report

            report(exc)


class TaskManager:
    """The two thread pools and the relay. Create once, on the GUI thread, after the QApplication."""

    def __init__(self, net_threads: int = 3) -> None:
        self.relay = _Relay()
        self._pools = {Lane.DB: QThreadPool(), Lane.NET: QThreadPool()}
        self._pools[Lane.DB].setMaxThreadCount(1)
        self._pools[Lane.NET].setMaxThreadCount(net_threads)
        self._active = 0
        self._lock = threading.Lock()

    def on_gui(self, closure: Callable[[], None]) -> None:
        """Run ``closure`` on the GUI thread soon (safe to call from any thread)."""
        self.relay.deliver.emit(closure)

    def start(self, lane: Lane, job: Callable[[], None]) -> None:
        with self._lock:
            self._active += 1

        def wrapped() -> None:
            try:
                job()
            finally:
                with self._lock:
                    self._active -= 1

        self._pools[lane].start(_Job(wrapped))

    @property
    def busy(self) -> bool:
        with self._lock:
            return self._active > 0

    def wait_idle(self, msecs: int = 30_000) -> bool:
        """Block until both lanes are empty (tests, shutdown). Callbacks still need the event loop."""
        ok = True
        for pool in self._pools.values():
            ok = pool.waitForDone(msecs) and ok
        return ok


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self._fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        self._fn()


_manager: TaskManager | None = None


def manager() -> TaskManager:
    global _manager
    if _manager is None:
        _manager = TaskManager()
    return _manager


ProgressFn = Callable[[int, int], None]


class Op(Generic[T]):
    """One background operation. Configure with the fluent setters, then ``run_in_background()``."""

    def __init__(self, fn: Callable[[], T]) -> None:
        self._fn = fn
        self._success: Callable[[T], None] | None = None
        self._failure: Callable[[BaseException], None] | None = None
        self._finally: Callable[[], None] | None = None
        self._lane = Lane.DB

    def success(self, cb: Callable[[T], None]) -> Op[T]:
        self._success = cb
        return self

    def failure(self, cb: Callable[[BaseException], None]) -> Op[T]:
        self._failure = cb
        return self

    def finally_(self, cb: Callable[[], None]) -> Op[T]:
        self._finally = cb
        return self

    def on(self, lane: Lane) -> Op[T]:
        self._lane = lane
        return self

    def run_in_background(self, lane: Lane | None = None) -> None:
        tm = manager()
        success, failure, finish, fn = self._success, self._failure, self._finally, self._fn

        def deliver_ok(value: Any) -> None:
            try:
                if success is not None:
                    success(value)
            finally:
                if finish is not None:
                    finish()

        def deliver_err(exc: BaseException) -> None:
            try:
                if failure is not None:
                    failure(exc)
                else:
                    from ui.errors import report

                    report(exc)
            finally:
                if finish is not None:
                    finish()

        def job() -> None:
            try:
                value = fn()
            except BaseException as exc:  # noqa: BLE001 - every failure goes to the triage point
                if not isinstance(exc, Exception):
                    log.warning("background op ended by %r", exc)
                err = exc
                tm.on_gui(lambda: deliver_err(err))
                return
            tm.on_gui(lambda: deliver_ok(value))

        tm.start(lane or self._lane, job)


def op(fn: Callable[[], T]) -> Op[T]:
    return Op(fn)


def gui_progress(cb: ProgressFn) -> ProgressFn:
    """Wrap a GUI-side progress callback so a worker may call it; calls arrive queued on the GUI thread."""
    tm = manager()

    def relay(done: int, total: int) -> None:
        tm.on_gui(lambda: cb(done, total))

    return relay
