"""A tiny in-process event bus. The core publishes plain events after a commit; ``ui/bridge.py``
re-emits them as Qt signals. Listeners run on the publishing thread and must not block."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Changes:
    """What a mutation touched, so views refresh just that."""

    cases: frozenset[str] = frozenset()
    outbox: bool = False
    users: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.cases | other.cases, self.outbox or other.outbox, self.users or other.users,
                       {**self.extra, **other.extra})

    @property
    def empty(self) -> bool:
        return not (self.cases or self.outbox or self.users or self.extra)


Listener = Callable[[str, Any], None]


class EventBus:
    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def publish(self, name: str, payload: Any = None) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(name, payload)
            except Exception:  # a broken listener must not undo a committed change
                log.exception("event listener failed for %s", name)


bus = EventBus()
