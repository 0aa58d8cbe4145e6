"""Adapters from the engines to the GUI's seams (``ui/seams.py``), used by ``ui.app.wire_seams``.

Each returns None when the engine cannot serve this user on this device, and the view then says why.
Everything here runs on a background lane (never on the GUI thread): signing and rendering take a while.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from app.domain.roles import Role
from app.services import queries
from app.services.workspace import Actor, Workspace
from ui.seams import ApprovalOutcome, ApproveBatch, Enroll, ProgressCb, RenderPreview

log = logging.getLogger(__name__)
DRAFT_NUMBER = "(nomor diberikan saat ditandatangani)"


def approve_batch_for(ws: Workspace, actor: Actor) -> ApproveBatch | None:
    """``app.services.approvals.approve_batch`` for a signer whose signing key is on this device."""
    if actor.role is not Role.PENANDATANGAN:
        return None
    from app.services import approvals

    try:
        if not approvals.keystore(ws, actor).has_key():
            return None
    except Exception:  # no usable OS keyring on this machine: signing is not set up here
        log.info("signing not available on this device", exc_info=True)
        return None

    def run(case_ids: Sequence[str], pin: str, progress: ProgressCb) -> list[ApprovalOutcome]:
        results = approvals.approve_batch(ws, actor, list(case_ids), pin,
                                          progress=lambda done, total, _case: progress(done, total))
        return [ApprovalOutcome(r.id, r.ok, r.error, r.letter_number) for r in results]

    return run


def preview_signer(ws: Workspace, actor: Actor, office: str) -> Any:
    """Who will sign a letter of ``office``: the viewer when it is their office (or one delegated to them),
    else the office's penandatangan known on this device, else the head's title with no name yet. Never the
    viewer merely because they are looking (a verifier is not the Lurah)."""
    from app.letters.model import Signer
    from app.services import delegations, letters

    if actor.role is Role.PENANDATANGAN:
        if actor.office == office:
            return letters.signer_for(actor)
        with ws.db.read() as s:
            if office in delegations.delegated_offices(s, actor.username):
                return delegations.delegated_signer(ws, actor, delegations.for_office(s, actor, office))
    heads = sorted((u for u in ws.users() if u.role == Role.PENANDATANGAN.value and u.office == office),
                   key=lambda u: (not u.enrolled, u.full_name))
    if heads:
        u = heads[0]
        return letters.signer_for(Actor(u.username, u.full_name, Role.PENANDATANGAN, u.office, actor.device,
                                        u.nip, u.position))
    title = letters.signer_for(Actor("-", "", Role.PENANDATANGAN, office, actor.device))
    return Signer(UNKNOWN_SIGNER, "-", title.position, title.office_title)


UNKNOWN_SIGNER = "(nama penandatangan)"


def render_preview_for(ws: Workspace, actor: Actor) -> RenderPreview:
    """The letter as it would be signed today by whoever will sign it, with the number still to come."""
    from app.letters.berita_acara import render_document
    from app.letters.model import today_wib
    from app.services import letters

    def render(case_id: str) -> bytes | None:
        case = queries.find_case(ws, case_id)
        if case is None:
            return None
        from app.services.cases import shown_steps

        office = ws.catalog.get(case.service).signer_office(case.office, ws.offices)
        signer = preview_signer(ws, actor, office)
        data = letters.letter_data(ws, case, signer, DRAFT_NUMBER, today_wib(), letters.verify_url(ws, case.id),
                                   office=office if office in ws.offices else None,
                                   earlier=letters.endorsements(shown_steps(ws, case)))
        return render_document(data).pdf  # a berita acara as it will be signed, not as a letter

    return render


def enroll_for(ws: Workspace) -> Enroll:
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

    def __init__(self, ws: Workspace, state: Any) -> None:
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
            self.state.update(running=False, online=True, last_sync=clock.now_iso(), message=" ".join(parts))
            self.timer.start(self.online_interval_ms)

        def failed(exc: BaseException) -> None:
            from sync.errors import OfflineError

            offline = isinstance(exc, OfflineError)
            if not offline:
                log.warning("sync failed: %s", exc)
            message = "" if offline else str(exc)
            self.state.update(running=False, online=False if offline else self.state.online, message=message)
            self.timer.start(self.OFFLINE_INTERVAL_MS if offline else self.online_interval_ms)

        op(lambda: self._work(only_if_pending)).success(done).failure(failed).on(Lane.NET).run_in_background()


def sync_for(ws: Workspace, state: Any) -> BackgroundSync | None:
    if not any(u.enrolled for u in ws.users()):
        return None
    return BackgroundSync(ws, state)


class ConflictAdapter:
    """``ConflictSource`` over the core's conflicts service (both values side by side, a person picks)."""

    def __init__(self, ws: Workspace, actor: Actor) -> None:
        self.ws, self.actor = ws, actor

    def list(self) -> list[Any]:
        from app.services import conflicts
        from ui.seams import Conflict

        out = []
        cases = queries.cases_by_id(self.ws, {v.case_id for v in conflicts.list_open(self.ws)})
        for item in conflicts.list_open(self.ws):
            case = cases.get(item.case_id)
            service = self.ws.catalog.services.get(case.service) if case else None
            spec = service.field(item.field) if service else None
            out.append(Conflict(item.id, item.case_id, f"{case.service} · {case.name}" if case else item.case_id,
                                item.field, spec.label if spec else item.field,
                                None if item.mine is None else str(item.mine),
                                None if item.theirs is None else str(item.theirs)))
        return out

    def resolve(self, conflict_id: str, keep: str) -> Any:
        from app.services import conflicts

        return conflicts.resolve(self.ws, self.actor, conflict_id, keep)
