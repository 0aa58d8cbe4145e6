"""The background-op helper (results on the GUI thread), the event bridge, and the one error triage point."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from app import logs
from app.errors import CancelledError, FieldProblem, UserFacingError, ValidationError
from app.events import Changes, EventBus
from ui import errors
from ui.bridge import EventBridge
from ui.tasks import Lane, op


def test_success_and_failure_arrive_on_the_gui_thread(qapp, settle) -> None:  # type: ignore[no-untyped-def]
    seen: dict[str, object] = {}

    def work() -> int:
        seen["worker"] = threading.current_thread() is threading.main_thread()
        return 41 + 1

    op(work).success(lambda v: seen.update(value=v, gui=QThread.currentThread() is qapp.thread())) \
        .run_in_background()

    def boom() -> None:
        raise UserFacingError("case.unknown", id="abc")

    op(boom).failure(lambda exc: seen.update(error=exc, gui2=QThread.currentThread() is qapp.thread())) \
        .run_in_background(Lane.NET)
    settle()
    assert seen["value"] == 42 and seen["gui"] is True and seen["worker"] is False
    assert isinstance(seen["error"], UserFacingError) and seen["gui2"] is True


def test_db_lane_runs_one_op_at_a_time(qapp, settle) -> None:  # type: ignore[no-untyped-def]
    running, peak, lock = [0], [0], threading.Lock()

    def work() -> None:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        threading.Event().wait(0.01)
        with lock:
            running[0] -= 1

    for _ in range(8):
        op(work).run_in_background(Lane.DB)
    settle()
    assert peak[0] == 1


def test_bridge_reemits_core_events_from_any_thread(qapp, settle) -> None:  # type: ignore[no-untyped-def]
    bus = EventBus()
    bridge = EventBridge(bus)
    got: list[tuple[Changes, bool]] = []
    bridge.changes.connect(lambda c: got.append((c, QThread.currentThread() is qapp.thread())))
    worker = threading.Thread(target=lambda: bus.publish("changes", Changes(cases=frozenset({"x"}))))
    worker.start()
    worker.join()
    settle()
    assert got and got[0][0].cases == {"x"} and got[0][1] is True
    bridge.close()


def test_triage_user_facing_errors_show_their_translated_message() -> None:
    t = errors.triage(UserFacingError("case.unknown", id="abc123"))
    assert t.kind is errors.Kind.USER
    assert t.text == "Berkas 'abc123' tidak ditemukan."
    v = errors.triage(ValidationError([FieldProblem("nik", "nik.digits", label="NIK")]))
    assert v.kind is errors.Kind.USER and "NIK hanya boleh berisi angka." in v.text


def test_triage_internal_errors_apologise_with_the_log_path_and_log_the_traceback(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    log_file = logs.setup(tmp_path)
    shown: list[errors.Triage] = []
    monkeypatch.setattr(errors, "presenter", lambda t, parent: shown.append(t))
    try:
        raise KeyError("secret internals")
    except KeyError as exc:
        result = errors.report(exc)
    assert result.kind is errors.Kind.INTERNAL and shown == [result]
    assert str(log_file) in result.text
    assert "Traceback" not in result.text and "secret internals" not in result.text
    for handler in __import__("logging").getLogger().handlers:
        handler.flush()
    assert "Traceback" in log_file.read_text() and "secret internals" in log_file.read_text()


def test_cancelled_is_ignored(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[errors.Triage] = []
    monkeypatch.setattr(errors, "presenter", lambda t, parent: shown.append(t))
    assert errors.report(CancelledError()).kind is errors.Kind.IGNORE
    assert shown == []


def test_a_failed_op_without_handler_goes_to_triage(qapp, settle, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[errors.Triage] = []
    monkeypatch.setattr(errors, "presenter", lambda t, parent: shown.append(t))

    def boom() -> None:
        raise UserFacingError("role.unknown", role="x")

    op(boom).run_in_background()
    settle()
    assert [t.kind for t in shown] == [errors.Kind.USER]
