"""Core events (``app.events.bus``) re-emitted as Qt signals on the GUI thread.

The core publishes on whatever thread made the change (usually the DB lane). The listener here never touches
a widget: it hands the payload to the task manager's relay, which emits the Qt signal on the GUI thread, so
every slot connected to :class:`EventBridge` runs there (after Electrum's ``QtEventListener``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from app.events import Changes, EventBus, bus
from ui.tasks import manager


class EventBridge(QObject):
    changes = Signal(object)  # app.events.Changes
    other = Signal(str, object)  # any other event: (name, payload); not "event", which is QObject.event()

    def __init__(self, events: EventBus | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._unsubscribe: Callable[[], None] | None = (events or bus).subscribe(self._on_event)

    def _on_event(self, name: str, payload: Any) -> None:  # any thread
        manager().on_gui(lambda: self._emit(name, payload))

    def _emit(self, name: str, payload: Any) -> None:  # GUI thread
        if self._unsubscribe is None:
            return
        if name == "changes" and isinstance(payload, Changes):
            self.changes.emit(payload)
        else:
            self.other.emit(name, payload)

    def close(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
