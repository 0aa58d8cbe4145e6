"""Messages to citizens: told when their request is returned, rejected or its letter is signed.

Only with the consent ticked at intake (the case's ``izin_kabar`` field is ``ya``), to the phone and/or e-mail
given then. The push transaction that changes the case only writes outbox rows (:func:`enqueue`): nothing is
sent inside it, so a dead SMTP server or gateway never slows or blocks sync. A :class:`Notifier` (a task of
each ``loket-server run``, or ``loket-server notify run``) claims due rows, sends them and records the result
on the case's history. Several instances on one PostgreSQL database never send the same row twice: a row is
claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` and a conditional ``UPDATE`` in one short transaction (on
SQLite writers are serialised and the conditional UPDATE alone decides). A sender that dies mid-send loses its
claim after ``CLAIM_SECONDS`` and the row is tried again (at least once, never twice at the same moment).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import socket
import string
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, or_, select, update

from app import clock
from app.domain.catalog import Catalog
from app.domain.offices import OfficeDirectory
from app.paths import resources_dir
from sync.server import storage as t
from sync.server.notify_channels import Channel, SendError
from sync.server.notify_settings import NotifySettings

log = logging.getLogger("loket.server.notify")

CONSENT_FIELD, PHONE_FIELD, EMAIL_FIELD = "izin_kabar", "telepon", "email"
KINDS = {"return": "returned", "reject": "rejected", "approve": "ready"}  # case action → message
CLAIM_SECONDS = 120
HISTORY_ACTOR, HISTORY_DEVICE, HISTORY_ACTION = "loket-server", "server", "notify"
CHANNEL_NAMES = {"email": "e-mail", "whatsapp": "WhatsApp", "sms": "SMS"}
_LONG_DIGITS = re.compile(r"\d{10,}")  # a NIK or a No. KK typed into a reason never leaves the server


def contacts(fields: dict[str, Any]) -> list[str]:
    """The channels a case's citizen agreed to be told by: ``email`` and/or ``phone``."""
    if str(fields.get(CONSENT_FIELD) or "") != "ya":
        return []
    return [c for c, key in (("email", EMAIL_FIELD), ("phone", PHONE_FIELD)) if fields.get(key)]


def enqueue(conn: Connection, row: Any, action: str, now: str) -> None:
    """Called in the transaction that took ``action`` on the case ``row`` (its state before the action)."""
    rows = outbox_rows(row, action, now)
    if rows:
        conn.execute(t.notify_outbox.insert(), rows)


def outbox_rows(row: Any, action: str, now: str) -> list[dict[str, Any]]:
    """The outbox rows ``action`` on the case ``row`` (its state before the action) queues: one per channel."""
    kind = KINDS.get(action)
    if kind is None:
        return []
    return [{"case_id": row.id, "kind": kind, "channel": c, "case_version": row.version + 1, "status": "pending",
             "attempts": 0, "next_at": now, "created_at": now} for c in contacts(json.loads(row.fields or "{}"))]


def scrub(text: str | None, limit: int = 200) -> str:
    """A staff member's free text made fit for a message: one line, no long digit runs, at most ``limit``."""
    flat = " ".join((text or "").split())
    flat = _LONG_DIGITS.sub("…", flat)
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Message:
    subject: str
    text: str


def render(kind: str, values: dict[str, str], folder: Path | None = None) -> Message:
    """``resources/notify/<kind>.txt`` (or IT's copy in ``folder``): subject line, blank line, text."""
    path = folder / f"{kind}.txt" if folder else None
    if path is None or not path.is_file():
        path = resources_dir() / "notify" / f"{kind}.txt"
    raw = path.read_text(encoding="utf-8")
    subject, _, body = raw.partition("\n")
    fill = string.Template
    return Message(" ".join(fill(subject).safe_substitute(values).split())[:150],
                   fill(body.strip()).safe_substitute(values)[:1000])


class Notifier:
    """Claims due outbox rows, sends them through the enabled channels, records what happened."""

    def __init__(self, engine: Engine, settings: NotifySettings, catalog: Catalog, offices: OfficeDirectory,
                 worker: str | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.catalog = catalog
        self.offices = offices
        self.worker = (worker or f"{socket.gethostname()}:{uuid.uuid4().hex[:8]}")[:64]

    def run_once(self, limit: int = 20) -> int:
        """Send what is due now; returns how many rows were tried."""
        rows = self._claim(limit)
        for row in rows:
            try:
                self._deliver(row)
            except Exception:  # one bad row never stops the others; its claim runs out and it is retried
                log.exception("notification %s could not be handled", row.id)
        return len(rows)

    def _claim(self, limit: int) -> list[Any]:
        now = clock.now()
        stamp, until = _iso(now), _iso(now + dt.timedelta(seconds=CLAIM_SECONDS))
        o = t.notify_outbox.c
        due = or_((o.status == "pending") & (o.next_at <= stamp), (o.status == "sending") & (o.claimed_until < stamp))
        with self.engine.begin() as conn:
            ids = list(conn.execute(select(o.id).where(due).order_by(o.id).limit(limit)
                                    .with_for_update(skip_locked=True)).scalars())
            mine = [i for i in ids if conn.execute(
                update(t.notify_outbox).where(o.id == i, due).values(
                    status="sending", claimed_by=self.worker, claimed_until=until, attempts=o.attempts + 1)
            ).rowcount == 1]
            return list(conn.execute(select(t.notify_outbox).where(o.id.in_(mine)).order_by(o.id))) if mine else []

    def _deliver(self, row: Any) -> None:
        with self.engine.connect() as conn:
            case = conn.execute(select(t.cases).where(t.cases.c.id == row.case_id)).first()
        fields = json.loads(case.fields or "{}") if case is not None else {}
        if case is None or case.deleted or row.channel not in contacts(fields):
            self._finish(row, "cancelled", error="no consent or contact any more")
            return
        channel = self.settings.channel_for(row.channel)
        if channel is None:
            self._finish(row, "cancelled", error="channel switched off",
                         history=f"Kabar ke pemohon tidak dikirim: saluran {_label(row.channel)} tidak aktif")
            return
        message = render(row.kind, self._values(case), self.settings.templates)
        address = str(fields[EMAIL_FIELD if row.channel == "email" else PHONE_FIELD])
        try:
            channel.send(address, message.subject, message.text)
        except SendError as err:
            self._failed(row, channel, str(err))
            return
        log.info("notification %s (%s) sent via %s", row.id, row.kind, channel.name)
        self._finish(row, "sent", via=channel.name,
                     history=f"Kabar ke pemohon terkirim lewat {_label(channel.name)} ({_KIND_LABEL[row.kind]})")

    def _failed(self, row: Any, channel: Channel, error: str) -> None:
        log.warning("notification %s via %s failed (attempt %d): %s", row.id, channel.name, row.attempts, error)
        if row.attempts >= self.settings.max_attempts:
            self._finish(row, "failed", via=channel.name, error=error,
                         history=f"Kabar ke pemohon gagal lewat {_label(channel.name)} setelah {row.attempts} "
                                 f"percobaan ({_KIND_LABEL[row.kind]})")
            return
        wait = dt.timedelta(seconds=self.settings.backoff(row.attempts))
        self._finish(row, "pending", error=error, next_at=_iso(clock.now() + wait))

    def _finish(self, row: Any, status: str, *, via: str | None = None, error: str | None = None,
                history: str | None = None, next_at: str | None = None) -> None:
        from sync.server.feed import bump_feed

        now = clock.now_iso()
        o = t.notify_outbox.c
        values: dict[str, Any] = {"status": status, "claimed_by": None, "claimed_until": None,
                                  "last_error": (error or None) and error[:300]}
        if via:
            values["sent_via"] = via
        if status == "sent":
            values["sent_at"] = now
        if next_at:
            values["next_at"] = next_at
        with self.engine.begin() as conn:
            mine = conn.execute(update(t.notify_outbox).where(o.id == row.id, o.claimed_by == self.worker,
                                                              o.status == "sending").values(**values)).rowcount
            if mine != 1 or history is None:
                return
            status_now = conn.execute(select(t.cases.c.status).where(t.cases.c.id == row.case_id)).scalar()
            conn.execute(t.case_events.insert().values(
                case_id=row.case_id, action=HISTORY_ACTION, from_status=status_now, to_status=status_now,
                actor=HISTORY_ACTOR, device=HISTORY_DEVICE, reason=history, at=now, received_at=now))
            bump_feed(conn, {row.case_id})  # the office's laptops see the message in the case's history

    def _values(self, case: Any) -> dict[str, str]:
        service = self.catalog.services.get(case.service)
        office = self.offices.get(case.signer_office if case.status in ("approved", "issued") else case.office)
        return {"nomor": case.reg_no or case.id[:8].upper(),
                "layanan": service.names["id"] if service else case.service,
                "kantor": office.display_name if office else case.office,
                "alasan": scrub(case.reason) or "-", "nomor_surat": case.letter_number or "-",
                "tautan": f"{self.settings.public_url}/status"}

    def send_test(self, to: str) -> str:
        """``loket-server notify test --to``: one test message now, no outbox; returns the channel's name."""
        channel = self.settings.channel_for("email" if "@" in to else "phone")
        if channel is None:
            raise SendError("no enabled channel for this address (see notify.toml)")
        message = render("test", {"tautan": f"{self.settings.public_url}/status"}, self.settings.templates)
        channel.send(to, message.subject, message.text)
        return channel.name

    def pending(self) -> dict[str, int]:
        """How many outbox rows are in each state (for IT)."""
        from sqlalchemy import func

        o = t.notify_outbox.c
        with self.engine.connect() as conn:
            return {r.status: int(r.n) for r in conn.execute(select(o.status, func.count().label("n"))
                                                             .group_by(o.status))}


_KIND_LABEL = {"returned": "dikembalikan", "rejected": "ditolak", "ready": "surat siap"}


def _label(channel: str) -> str:
    return CHANNEL_NAMES.get(channel, "telepon" if channel == "phone" else channel)


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
