"""What the desktop client needs from engines that are wired in by ``ui/app.py``.

Every seam is optional: a view whose seam is missing says so and disables the control, nothing crashes.

* ``enroll(server_url, code, pin) -> dict | None`` — enrol this device/user with a one-time code (network lane);
  ``pin`` is None unless a signer typed one (to create the signing key right away). It adds the user to the
  profile and makes them the active user (``sync.enroll.enroll`` does both); may raise UserFacingError.
* ``approve_batch(case_ids, pin, progress_cb) -> list[ApprovalOutcome]`` — approve and sign the cases (DB lane).
  ``progress_cb(done, total)`` may be called from the worker; the GUI relays it. A wrong PIN should raise a
  UserFacingError before any case is touched.
* ``render_preview(case_id) -> bytes | None`` — the letter PDF as it would be signed (DB lane).
* ``sync_state`` — a :class:`SyncState` the sync engine feeds (``update(...)`` on the GUI thread, or from a worker
  through ``ui.tasks.manager().on_gui``); ``sync_now()`` starts one sync run (F5).
* ``conflicts`` — a :class:`ConflictSource`: ``list() -> list[Conflict]`` and ``resolve(conflict_id, keep)``,
  ``keep`` in the core's words (``app.services.conflicts``): ``"mine"`` or ``"theirs"``.
* ``background_sync(sync_state)`` — starts the session's background sync (once per session; None: no sync).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from PySide6.QtCore import QObject, Signal

ProgressCb = Callable[[int, int], None]


@dataclass(frozen=True)
class ApprovalOutcome:
    case_id: str
    ok: bool
    reason: str | None = None  # why it was refused or found stale (already translated)
    letter_number: str | None = None


ApproveBatch = Callable[[Sequence[str], str, ProgressCb], Sequence[ApprovalOutcome]]
RenderPreview = Callable[[str], bytes | None]
Enroll = Callable[[str, str, str | None], Any]


@dataclass(frozen=True)
class Conflict:
    """One field changed on this device and on the server since the common base version."""

    id: str
    case_id: str
    case_label: str  # e.g. "SKTM · Budi Santoso"
    field: str
    field_label: str
    local: str | None
    remote: str | None


class ConflictSource(Protocol):
    def list(self) -> Sequence[Conflict]: ...

    def resolve(self, conflict_id: str, keep: str) -> Any:  # keep: "mine" (this device) or "theirs" (server)
        ...


class SyncState(QObject):
    """What the status bar shows about sync. ``online`` None means "not known yet" (no engine wired)."""

    changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.online: bool | None = None
        self.running = False
        self.last_sync: str | None = None  # ISO time of the last completed run
        self.message = ""
        self.sync_now: Callable[[], None] | None = None

    def update(self, **values: Any) -> None:
        """Change any of the attributes above and repaint who listens (GUI thread)."""
        for key, value in values.items():
            if not hasattr(self, key):
                raise AttributeError(key)
            setattr(self, key, value)
        self.changed.emit()


@dataclass
class Seams:
    enroll: Enroll | None = None
    approve_batch: ApproveBatch | None = None
    render_preview: RenderPreview | None = None
    sync_state: SyncState | None = None
    conflicts: ConflictSource | None = None
    background_sync: Callable[[SyncState], object] | None = None
    extra: dict[str, Any] = field(default_factory=dict)
