"""One sync run: push the outbox, upload blobs, pull changes, apply them, save the cursor. No Qt.

Safe to kill at any instant: an op is marked done only in the same local transaction that records the
server's answer, and the server answers a replayed op with its first answer; the cursor is saved in the
same transaction as the changes it covers. Order: ops in the order they were made on this laptop (each
case's steps and each signer's approval chain both depend on it), then attachments' bytes; pulling comes
after pushing so the server's records already include this laptop's work. Cancellable between batches;
reports progress through a callback.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.domain.roles import Role
from app.errors import CancelledError
from app.events import Changes
from app.letters import numbering
from app.services.changes import record_change
from app.services.workspace import Workspace
from app.storage import meta, replica
from sync import credentials, revoked, signer
from sync.client import SyncClient
from sync.errors import GarbageError, RevokedError, SyncError
from sync.protocol import (
    BLOB_CHUNK,
    PULL_LIMIT,
    PUSH_BATCH,
    START_CURSOR,
    TRUST_MAX_AGE,
    Errno,
    Op,
    OpResult,
    Paths,
    parse_cursor,
)
from sync.tls import trust_for

log = logging.getLogger("loket.sync")
Progress = Callable[[str, int, int], None]
Writer = Callable[[], AbstractContextManager[Session]]  # one write transaction (``Database.write``)
PUSH_BYTES = 8 * 1024 * 1024
# The history pass after a light first pull: pages as large as every server version accepts, for about this
# long per sync run (a counter's own work waits behind it no longer than that).
HISTORY_LIMIT = 5000
HISTORY_SECONDS = 2.0
# A light first pull asks for the largest page every server version accepts (``limit`` ≤ 5000): a light
# record is a fifth of a whole one, and each page costs the laptop a transaction and a commit.
FIRST_PULL_LIMIT = 5000


@dataclass(frozen=True)
class _SyncRun:
    """Who a sync run's audit entry names: the users it ran for, on this device."""

    username: str
    device: str


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    conflicts: int = 0
    rejected: int = 0
    pending: int = 0
    blobs_up: int = 0
    blobs_down: int = 0
    leases: int = 0
    refused: list[dict[str, object]] = field(default_factory=list)
    revoked_users: list[str] = field(default_factory=list)  # people on this laptop whose access IT revoked
    history_pending: bool = False  # the history pass after a light first pull goes on in the next runs

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def _with_time(o: Any, payload: dict[str, Any]) -> dict[str, Any]:
    """The op's body as sent: with ``at``, when the person acted by this device's clock (the server keeps it
    beside its own receipt time)."""
    payload.setdefault("at", o.created_at)
    return payload


def _batch_failed(err: SyncError) -> bool:
    """The server failed on the request as a whole (not on one op): worth retrying in smaller pieces."""
    if isinstance(err, GarbageError):
        return int(err.params.get("status") or 0) >= 500
    return getattr(err, "errno", None) in (Errno.INTERNAL, Errno.BAD_REQUEST, Errno.VALIDATION)


def _all_applied(ops: list[Op], results: list[OpResult]) -> bool:
    """Every op of a request applied, answered in order, with nothing for the laptop to take in but the marks."""
    return len(ops) == len(results) and all(
        r.get("status") == "applied" and r.get("op_id") == o["op_id"] and "case" not in r and "chain" not in r
        for o, r in zip(ops, results, strict=True))


def _refused_entry(op: Op, errno: Any, message: Any) -> dict[str, object]:
    from app.services.refusals import reason_text

    return {"op_id": op["op_id"], "case_id": op["case_id"], "kind": op["kind"], "errno": errno,
            "message": message, "reason": reason_text(int(errno) if errno is not None else None)}


def server_url(ws: Workspace) -> str | None:
    with ws.db.read() as s:
        return meta.server_url(s)


def client_for(ws: Workspace, username: str, base_url: str | None = None) -> SyncClient:
    url = base_url or server_url(ws)
    token = credentials.load_token(ws.device_id, username)
    if not url or not token:
        raise SyncError("sync.not_enrolled", user=username)
    return SyncClient(url, token, tls=trust_for(ws))


class SyncEngine:
    def __init__(self, ws: Workspace, *, progress: Progress | None = None,
                 cancel: threading.Event | None = None, clients: dict[str, SyncClient] | None = None) -> None:
        self.ws = ws
        self.progress = progress or (lambda stage, done, total: None)
        self.cancel = cancel or threading.Event()
        self._clients = clients or {}
        self.revoked: set[str] = set()  # users whose access the server refused (403, errno 102) in this run

    def _client(self, username: str) -> SyncClient:
        if username not in self._clients:
            self._clients[username] = client_for(self.ws, username)
        return self._clients[username]

    def _trust_age(self) -> float:
        """Seconds since the CA certificate and revocation list were fetched (inf if never)."""
        path = self.ws.profile / "crl.pem"
        return time.time() - path.stat().st_mtime if path.exists() else float("inf")

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise CancelledError()

    def enrolled_users(self) -> list[str]:
        return [u.username for u in self.ws.users() if u.enrolled]

    def run(self) -> SyncReport:
        report = SyncReport()
        self.push(report)
        users = [u for u in self.enrolled_users() if u not in self.revoked]
        for username in list(users):
            try:
                self._pull(username, report)
            except RevokedError:
                self.revoked.add(username)
                users.remove(username)
        report.revoked_users = sorted(self.revoked)
        if self.revoked and not users:  # nobody on this laptop may sync any more: say so, as a failure
            raise RevokedError()
        for username in users:
            self._pull_history(username)
            actor = self.ws.actor(username)
            if actor.role is Role.PENANDATANGAN:
                self._catch_up_chain(username)
            report.leases += signer.ensure_leases(self.ws, actor, self._client(username))
        if users:
            if report.pulled or report.rejected or self._trust_age() > TRUST_MAX_AGE:
                signer.refresh_trust(self.ws, self._client(users[0]))
            self._download_blobs(users, report)
        with self.ws.db.read() as s:
            counts = replica.counts(s)
            report.history_pending = meta.history_pending(s)
        report.pending = counts.get("pending", 0)
        report.conflicts = counts.get("conflicts", 0)
        with self.ws.db.write() as s:
            meta.set_last_sync(s, clock.now_iso())
            if report.pushed or report.pulled:
                record_change(s, _SyncRun(",".join(users), self.ws.device_id), self.ws.device_id, clock.now_iso(),
                              "sync", {"pushed": report.pushed, "pulled": report.pulled,
                                       "rejected": report.rejected}, entity="device")
        self.ws.events.publish("sync.finished", report)
        return report

    # ---- push --------------------------------------------------------------------------------------
    def push(self, report: SyncReport) -> None:
        """Push every enrolled user's waiting ops (each with that user's token), then attachments' bytes."""
        users = self.enrolled_users()
        self._push(users, report)
        with self.ws.db.read() as s:
            pushers = [a for a in replica.actors_with_pending(s) if a in users and a not in self.revoked]
        for username in pushers:
            self._upload_blobs(username, report)

    def _push(self, users: list[str], report: SyncReport) -> None:
        """Send the outbox one request at a time, in its order, and overlap the laptop's work with the server's:
        while a request is on its way, the answers of the one before are recorded and the next batch is read
        (after the last op already read, so nothing is sent twice). The next request goes out as soon as the
        previous answer is in, before that answer is recorded, only when every op of it was applied: any
        refusal, revoked user or failed request is recorded first and the batches read ahead are read again,
        so that what follows sees its effect exactly as a push one request at a time would. An op is marked
        done only with its answer; a crash before that sends it again and the server answers it the same."""
        if not users:
            return
        ahead: deque[tuple[str, list[Op]]] = deque()  # requests read, not yet sent
        after: int | None = None  # the outbox seq of the last op read
        flight: tuple[str, list[Op], Future[list[OpResult]]] | None = None
        sent = 0  # ops sent whose answers are not recorded yet (progress)

        def read_ahead() -> None:
            nonlocal after
            runs, last = self._read_batch(users, after)
            ahead.extend(runs)
            after = last if last is not None else after

        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="loket-push") as sender:
            def send(username: str, ops: list[Op]) -> tuple[str, list[Op], Future[list[OpResult]]]:
                self.progress("push", report.pushed + sent, report.pushed + sent + len(ops))
                return username, ops, sender.submit(self._client(username).push, ops)

            while True:
                if flight is None:
                    self._check_cancel()
                    if not ahead:
                        read_ahead()
                    if not ahead:
                        return
                    flight = send(*ahead.popleft())
                if not ahead:
                    read_ahead()  # while the request is on its way
                username, ops, answer = flight
                flight = None
                try:
                    results = answer.result()
                except RevokedError as err:  # IT revoked this person: answer their waiting ops as the server would
                    self.revoked.add(username)
                    results = revoked.refusals(username, ops, err)
                except SyncError as err:
                    if not _batch_failed(err):
                        raise
                    self._push_safely([(username, ops)], report, err)
                    ahead.clear()
                    after = None
                    continue
                clean = _all_applied(ops, results) and username not in self.revoked
                if clean and ahead and not self.cancel.is_set():
                    sent = len(ops)
                    flight = send(*ahead.popleft())
                self._record(username, ops, results, report)
                sent = 0
                if not clean:  # its refusals may change what follows: read the rest again, after its marks
                    ahead.clear()
                    after = None

    def _read_batch(self, users: list[str], after: int | None) -> tuple[list[tuple[str, list[Op]]], int | None]:
        """The next ops to push after outbox seq ``after`` as requests (consecutive ops of one user), under ~8 MB
        together, and the seq of the last op taken."""
        with self.ws.db.read() as s:
            batch = replica.pending_ops(s, users, limit=PUSH_BATCH, after=after)
            bodies = replica.op_bodies(s, batch)  # a create op is built from its case row here
        runs: list[tuple[str, list[Op]]] = []
        size = 0
        last: int | None = None
        for o, body in zip(batch, bodies, strict=True):  # signed letters travel inside approval ops:
            size += len(o.payload) or 1024             # keep a request under ~8 MB
            if runs and size > PUSH_BYTES:
                break
            if not runs or runs[-1][0] != o.actor:
                runs.append((o.actor, []))
            runs[-1][1].append({"op_id": o.op_id, "kind": o.kind, "case_id": o.case_id,
                                "base_version": o.base_version, "payload": _with_time(o, body)})
            last = o.seq
        return runs, last

    def _push_safely(self, runs: list[tuple[str, list[Op]]], report: SyncReport,
                     first_failure: SyncError | None = None) -> None:
        """Push the runs; when the server fails on a request as a whole (a 500, or a request it cannot read),
        push each half on its own, down to one op. An op that fails alone while other work goes through is set
        aside (one poison op never holds back the others). When nothing went through, the ops are set aside only
        if the server answers a read meanwhile (it works; these ops are what it fails on); otherwise the server
        itself is failing and the sync ends with its error, the ops kept for the next run. ``first_failure``: how
        the first run already failed whole (it is split without being sent whole again)."""
        failed: list[tuple[Op, SyncError]] = []
        went_through = False
        for username, ops in runs:
            went_through = self._push_split(username, ops, report, failed, first_failure) or went_through
            first_failure = None
        if not failed:
            return
        with self.ws.db.write() as s:
            replica.count_failure(s, [op["op_id"] for op, _err in failed])
        if not went_through and not self._server_answers(runs[0][0]):
            raise failed[0][1]
        for op, err in failed:
            self._set_aside(op, err, report)

    def _server_answers(self, username: str) -> bool:
        try:
            with self.ws.db.read() as s:
                cursor = meta.pull_cursor(s, username)
            self._client(username).changes(cursor, 1)
        except SyncError:
            return False
        return True

    def _push_split(self, username: str, ops: list[Op], report: SyncReport, failed: list[tuple[Op, SyncError]],
                    err: SyncError | None = None) -> bool:
        """True if some request went through; ops that failed alone are appended to ``failed``. ``err``: the
        request of all ``ops`` already failed so."""
        if err is None:
            try:
                self._push_run(username, ops, report)
                return True
            except SyncError as failure:
                err = failure
        if not _batch_failed(err):
            raise err
        if len(ops) == 1:
            failed.append((ops[0], err))
            return False
        log.warning("push of %d ops failed on the server (%s); pushing them in smaller batches", len(ops),
                    type(err).__name__)
        half = len(ops) // 2
        first = self._push_split(username, ops[:half], report, failed)
        return self._push_split(username, ops[half:], report, failed) or first

    def _set_aside(self, op: Op, err: SyncError, report: SyncReport) -> None:
        errno = int(getattr(err, "errno", None) or Errno.INTERNAL)
        message = str(getattr(err, "params", {}).get("message") or f"server failed on this op ({err.key})")
        log.warning("op set aside: case=%s kind=%s errno=%s", op["case_id"], op["kind"], errno)
        with self.ws.db.write() as s:
            replica.mark_ops(s, [(op["op_id"], "rejected", errno, message[:500])], clock.now_iso())
        report.rejected += 1
        report.refused.append(_refused_entry(op, errno, message))
        self.ws.events.publish("changes", Changes(cases=frozenset({op["case_id"]} if op["case_id"] else set()),
                                                  outbox=True))

    def _push_run(self, username: str, ops: list[Op], report: SyncReport) -> None:
        """One request: ``ops`` of one user, answered one result each, recorded in one local transaction."""
        client = self._client(username)
        self.progress("push", report.pushed, report.pushed + len(ops))
        try:
            results = client.push(ops)
        except RevokedError as err:  # IT revoked this person: answer their waiting ops as the server would
            self.revoked.add(username)
            results = revoked.refusals(username, ops, err)
        self._record(username, ops, results, report)

    def _record(self, username: str, ops: list[Op], results: list[OpResult], report: SyncReport) -> None:
        """Record the answers to one request in one local transaction (an op is marked done only here)."""
        touched: set[str] = set()
        marks: list[tuple[str, str, int | None, str | None]] = []
        answers: list[dict[str, Any]] = []
        refused_numbers: list[tuple[str, str | None, str]] = []
        chain_head: dict[str, Any] | None = None
        for op, result in zip(ops, results, strict=True):
            if result.get("op_id") != op["op_id"]:
                raise SyncError(message="push answers out of order")
            if result.get("status") == "applied":
                marks.append((op["op_id"], "done", None, None))
                report.pushed += 1
            else:
                marks.append((op["op_id"], "rejected", result.get("errno"), result.get("message")))
                if op["kind"] == "approval":
                    refused_numbers.append((op["payload"]["event"]["letter_number"], op["case_id"],
                                            str(result.get("message"))))
                if result.get("chain"):
                    chain_head = result["chain"]
                report.rejected += 1
                report.refused.append(_refused_entry(op, result.get("errno"), result.get("message")))
                log.warning("op refused: case=%s kind=%s errno=%s", op["case_id"], op["kind"], result.get("errno"))
            if op["case_id"]:
                touched.add(op["case_id"])
            if result.get("case"):
                answers.append(dict(result["case"]))
        undo = [op for op, result in zip(ops, results, strict=True)
                if username in self.revoked and op["kind"] in ("approval", "recommendation")
                and not result.get("case")]
        answers += self._server_records(undo)
        with self.ws.db.write() as s:
            fetched = {a["id"] for a in answers}
            for op in undo:
                if op["case_id"] not in fetched:
                    revoked.undo_approval(s, op, username, self.ws.device_id, clock.now_iso())
            now = clock.now_iso()
            replica.mark_ops(s, marks, now)
            replica.apply_snapshots(s, answers)
            for number, case_id, why in refused_numbers:  # never reused: recorded as a gap
                numbering.record_gap(s, number, case_id, why, now)
            if chain_head is not None:
                _catch_up_counter(s, username, chain_head)
        self.ws.events.publish("changes", Changes(cases=frozenset(touched), outbox=True))

    def _server_records(self, ops: list[Op]) -> list[dict[str, Any]]:
        """The server's records of the cases of ``ops``, read by a colleague whose access still stands."""
        if not ops:
            return []
        colleagues = []
        for user in self.enrolled_users():
            if user not in self.revoked:
                try:
                    colleagues.append(self._client(user))
                except SyncError:
                    continue
        found = [revoked.server_record(colleagues, str(op["case_id"])) for op in ops]
        return [snap for snap in found if snap is not None]

    def _catch_up_chain(self, username: str) -> None:
        """Learn the server's chain head for ``username`` on this device (see :func:`_catch_up_counter`)."""
        try:
            head = self._client(username).get(Paths.CHAIN)
        except SyncError:
            return  # a server without the endpoint: the first refusal carries the head instead
        if isinstance(head, dict):
            with self.ws.db.write() as s:
                _catch_up_counter(s, username, head)

    def _upload_blobs(self, username: str, report: SyncReport) -> None:
        client = self._client(username)
        while True:
            self._check_cancel()
            with self.ws.db.read() as s:
                batch = [(o.op_id, json.loads(o.payload)["sha256"]) for o in replica.pending_blobs(s, username)]
            if not batch:
                return
            for index, (op_id, sha) in enumerate(batch):
                self._check_cancel()
                self.progress("upload", index, len(batch))
                if self.ws.blobs.has(sha):
                    self._upload_one(client, sha)
                with self.ws.db.write() as s:
                    replica.mark_ops(s, [(op_id, "done", None, None)])
                report.blobs_up += 1

    def _upload_one(self, client: SyncClient, sha: str) -> None:
        size, complete = client.blob_status(sha)
        if complete:
            return
        data = self.ws.blobs.read(sha)
        offset = min(size, len(data))  # resume where the last attempt stopped
        while True:
            chunk = data[offset:offset + BLOB_CHUNK]
            final = offset + len(chunk) >= len(data)
            offset, complete = client.blob_put(sha, offset, chunk, final)
            if final or complete:
                return

    # ---- pull --------------------------------------------------------------------------------------
    def _pull(self, username: str, report: SyncReport) -> None:
        """Pull pages until the feed is exhausted. The next page is fetched while this one is applied (the
        server's work and the laptop's overlap); each page is applied with its cursor in one transaction."""
        client = self._client(username)
        self._restore_indexes()  # left dropped by an initial pull that was stopped
        with self.ws.db.read() as s:
            cursor = meta.pull_cursor(s, username)
            initial = cursor == START_CURSOR and replica.is_empty(s)
        try:
            if not initial:
                self._pull_pages(client, username, cursor, report, self.ws.db.write, initial=False)
                return
            # A first pull writes every page, then builds the list indexes, on one kept connection: its page
            # cache stays warm from page to page and for the index builds (a connection per transaction
            # decrypted the table again for each of the 13 indexes), and the WAL is checkpointed once.
            with self.ws.db.write_batches() as batch:
                self._pull_pages(client, username, cursor, report, batch, initial=True)
                self._restore_indexes(batch)
        finally:
            self._restore_indexes()

    def _restore_indexes(self, write: Writer | None = None) -> None:
        with self.ws.db.read() as s:
            if not meta.list_indexes_deferred(s):
                return
        with (write or self.ws.db.write)() as s:
            replica.restore_list_indexes(s)

    def _pull_pages(self, client: SyncClient, username: str, cursor: str, report: SyncReport, write: Writer, *,
                    initial: bool) -> None:
        """Each page applied with its cursor in one transaction (``write()``); an initial pull into an empty
        store first drops the list indexes (rebuilt once at the end, see ``replica.defer_list_indexes``)."""
        # A first pull into an empty store takes the cases without history and documents (light records):
        # the list is usable sooner; the rest follows in a second pass (``_pull_history``) from cursor 0.
        light = initial
        limit = FIRST_PULL_LIMIT if light else PULL_LIMIT
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="loket-pull") as fetcher:
            pending = fetcher.submit(client.changes, cursor, limit, light=light)
            while True:
                self._check_cancel()
                page = pending.result()
                ahead = bool(page.get("more"))
                if ahead:
                    pending = fetcher.submit(client.changes, page["cursor"], limit, light=light)
                changes = page["changes"]
                touched: set[str] = set()
                with write() as s:
                    if light and meta.history_cursor(s, username) is None:
                        meta.set_history_cursor(s, username, START_CURSOR)
                    if initial and len(changes) >= PULL_LIMIT // 2:
                        initial = replica.defer_list_indexes(s)
                    replica.apply_snapshots(s, changes, compare=not light)
                    touched.update(snap["id"] for snap in changes)
                    cursor = page["cursor"]
                    restart = "delegations" in page and bool(replica.store_delegations(s, username,
                                                                                       page["delegations"]))
                    if restart:
                        cursor = START_CURSOR  # newly delegated offices: their older cases must come too
                        light, limit = False, PULL_LIMIT
                    meta.set_pull_cursor(s, username, cursor)
                report.pulled += len(changes)
                self.progress("pull", report.pulled, report.pulled + (limit if page.get("more") else 0))
                if touched:
                    self.ws.events.publish("changes", Changes(cases=frozenset(touched)))
                if restart:
                    if ahead:
                        pending.result()  # drop the page fetched from the old cursor
                    pending = fetcher.submit(client.changes, cursor, limit, light=light)
                    continue
                if not ahead:
                    return

    def _pull_history(self, username: str, budget: float = HISTORY_SECONDS, pages: int | None = None) -> None:
        """The second pass after a light first pull: each case's history and documents, from where the pass
        stopped, pages of ``HISTORY_LIMIT`` for about ``budget`` seconds per sync run (at least one page; at
        most ``pages``), until it reaches the feed's cursor. The next page is fetched while this one is
        applied. A server that knows ``history=true`` sends only what the light records left out; an older
        one sends whole records (the server's current ones), applied like any pull. The feed's own cursor
        does not move."""
        with self.ws.db.read() as s:
            start, end = meta.history_cursor(s, username), parse_cursor(meta.pull_cursor(s, username))
        if start is None:
            return
        client = self._client(username)
        began = previous = time.monotonic()
        done = 0
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="loket-history") as fetcher, \
                self.ws.db.write_batches() as batch:  # one warm connection for the run's pages
            pending = fetcher.submit(client.changes, start, HISTORY_LIMIT, history=True)
            while True:
                self._check_cancel()
                page = pending.result()
                cursor, now = page["cursor"], time.monotonic()
                cycle, previous = now - previous, now  # a page's time, fetch and apply overlapped
                finished = not page.get("more") or parse_cursor(cursor) >= end
                done += 1
                ahead = not finished and (pages is None or done < pages) and now - began + cycle < budget
                if ahead:
                    pending = fetcher.submit(client.changes, cursor, HISTORY_LIMIT, history=True)
                with batch() as s:
                    if page.get("history"):
                        replica.apply_histories(s, page["changes"])
                    else:  # a server without history pages: whole records
                        replica.apply_snapshots(s, page["changes"])
                    if finished:
                        meta.end_history(s, username)
                    else:
                        meta.set_history_cursor(s, username, cursor)
                self.progress("history", min(parse_cursor(cursor)[1], end[1]), end[1])
                if not ahead:
                    return

    def _download_blobs(self, users: list[str], report: SyncReport) -> None:
        """Attachments' and letters' bytes this laptop lacks. Looking for them reads every attachment and
        letter hash and checks each file: a run in which nothing came in (no page pulled, no history page, no
        op answered) after a look that found nothing missing skips it (``meta.blobs_complete``). What came in
        is read off every enrolled person's feed and history positions: on a shared laptop one person's
        history page brings documents while the others' feeds stand still."""
        client = self._client(users[0])
        with self.ws.db.read() as s:
            state = " ".join(f"{u}:{meta.pull_cursor(s, u)}|{meta.history_cursor(s, u) or ''}" for u in users)
            if not (report.pulled or report.pushed or report.rejected) and meta.blobs_complete(s) == state:
                return
            wanted = replica.missing_blobs(s, self.ws.blobs.has)
        with self.ws.db.write() as s:
            meta.set_blobs_complete(s, None if wanted else state)
        for index, sha in enumerate(wanted):
            self._check_cancel()
            self.progress("download", index, len(wanted))
            try:
                data = client.blob_get(sha)
            except SyncError:
                continue  # not uploaded yet by its author: next run
            if self.ws.blobs.put(data).sha256 == sha:
                report.blobs_down += 1


def _catch_up_counter(s: Any, username: str, chain_head: dict[str, Any]) -> None:
    """After a refusal that names the server's chain head: never reuse a counter the server has seen (a laptop
    restored from an old backup would otherwise sign new events under used counters). The previous-event hash
    stays this laptop's own: the next event follows the last one it signed, which may still be waiting in the
    outbox; the server re-anchors a link it cannot match instead of refusing it."""
    try:
        seen = int(chain_head.get("counter") or 0)
    except (TypeError, ValueError):
        return
    meta.catch_up_approval_counter(s, username, seen)
