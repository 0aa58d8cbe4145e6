"""Applying pushed ops: the server decides.

Each op runs in its own SAVEPOINT inside one transaction per batch, so a refused op changes nothing and
never blocks the ops behind it, while a batch of 500 costs one commit. The idempotency record
``(device, op_id) → (request hash, response)`` is written in the same savepoint as the effect.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update
from sqlalchemy.exc import DBAPIError

from app import clock
from app.domain import lifecycle
from app.domain.catalog import Catalog
from app.domain.intake import check_intake
from app.domain.lifecycle import Action, CaseStatus
from app.domain.offices import OfficeDirectory
from app.domain.roles import Role
from app.errors import LoketError, ValidationError
from app.jsoncodec import to_json
from sync.protocol import Errno, Op, OpResult, canonical, op_hash
from sync.server import duties, visibility
from sync.server import storage as t
from sync.server.casewrites import AtOnce, Together, event_row
from sync.server.feed import bump_feed as bump_feed
from sync.server.opcheck import BadOp, check_op
from sync.server.snapshots import snapshots as snapshots
from sync.server.steps import load_steps, next_office

log = logging.getLogger("loket.server")
# op kinds applied together when they come one after another (see OpApplier._apply_together)
_RUNS = {"attachment.add": ("attachment.add",), "case.edit": ("case.edit", "case.transition"),
         "case.transition": ("case.edit", "case.transition")}


@dataclass(frozen=True, slots=True)
class DeviceCtx:
    device_id: str
    username: str
    full_name: str
    role: Role
    office: str
    last_seen: str | None = None  # when the server last recorded this device's use (see Server.push)


class OpRefused(Exception):
    """A refused op. The case snapshot a refusal carries is never given here: the refusal attaches it only
    when the device may read the case (sync.server.visibility)."""

    def __init__(self, errno: Errno, message: str, chain: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.errno = errno
        self.message = message
        self.chain = chain  # the device's approval chain head as the server knows it


class OpApplier:
    """Applies one device's ops. ``extra`` handlers (approvals) plug in by op kind."""

    def __init__(self, catalog: Catalog, offices: OfficeDirectory) -> None:
        self.catalog = catalog
        self.offices = offices
        self.handlers: dict[str, Callable[[Connection, DeviceCtx, Op, str], OpResult]] = {
            "case.edit": self._edit,
            "case.transition": self._transition,
            "attachment.add": self._attachment,
            "conflict.resolve": self._resolve,
        }

    # ---- batch -------------------------------------------------------------------------------------
    def apply_batch(self, conn: Connection, ctx: DeviceCtx, ops: list[Op],
                    clock_offset: dt.timedelta = dt.timedelta(0)) -> tuple[list[OpResult], set[str]]:
        """Apply ``ops`` in order inside the caller's transaction; returns results and touched case ids.

        New cases (the bulk of an offline day's work) are checked one by one but written with one
        executemany; every other op runs in its own savepoint so a refusal undoes only itself."""
        moment = clock.now()
        now = moment.isoformat(timespec="microseconds").replace("+00:00", "Z")
        results: list[OpResult | None] = [None] * len(ops)
        touched: set[str] = set()
        digests = [op_hash(op) for op in ops]
        seen = self._seen(conn, ctx, [op["op_id"] for op in ops])
        remembered: list[dict[str, Any]] = []
        creates: list[tuple[int, dict[str, Any]]] = []
        for index, op in enumerate(ops):
            before = seen.get(op["op_id"])
            if before is not None:
                results[index] = (json.loads(before[1]) if before[0] == digests[index] else
                                  {"op_id": op["op_id"], "status": "rejected", "errno": int(Errno.OP_ID_REUSED),
                                   "message": "op id reused with a different body"})
                continue
            try:
                check_op(op, moment, clock_offset)
            except BadOp as err:
                results[index] = {"op_id": op["op_id"], "status": "rejected", "errno": int(err.errno),
                                  "message": err.message}
                continue
            if op["kind"] == "case.create":
                try:
                    creates.append((index, self._create_row(ctx, op, now)))
                except (OpRefused, LoketError) as err:
                    results[index] = self._refusal(conn, ctx, op, err)
        taken = self._existing(conn, [row["id"] for _, row in creates])
        rows = []
        for index, row in creates:
            if row["id"] in taken:
                # says that the id is taken, never whose case it is (see sync.server.visibility)
                results[index] = self._refusal(conn, ctx, ops[index], OpRefused(Errno.CASE_EXISTS, "case id exists"))
            else:
                taken.add(row["id"])
                rows.append(row)
                touched.add(row["id"])
                results[index] = {"op_id": ops[index]["op_id"], "status": "applied", "version": 1}
        if rows:
            self._insert_cases(conn, rows, ops, creates, results, touched)
        self._apply_together(conn, ctx, ops, results, now, touched)
        for index, op in enumerate(ops):
            if results[index] is None:
                results[index] = self._apply_one(conn, ctx, op, now, touched)
            if results[index].get("errno") == Errno.INTERNAL:  # type: ignore[union-attr]
                continue  # a server fault is not the op's answer: the same op may be retried later
            if op["op_id"] not in seen:
                remembered.append({"device": ctx.device_id, "op_id": op["op_id"], "request_hash": digests[index],
                                   "response": canonical(results[index]).decode(), "created_at": now})
                seen[op["op_id"]] = (digests[index], remembered[-1]["response"])
        if remembered:
            t.insert_many(conn, t.idempotency, remembered)
        return [r for r in results if r is not None], touched

    def _apply_together(self, conn: Connection, ctx: DeviceCtx, ops: list[Op], results: list[OpResult | None],
                        now: str, touched: set[str]) -> None:
        """The batch's remaining ops under one savepoint instead of one each (two round trips per op saved).

        Most batches are refused nothing. Should any op be refused or fail, the savepoint is rolled back and
        the caller applies the ops one by one, each in its own savepoint, exactly as if this had not been
        tried: the outcome is the same, only slower for a batch holding a refusal."""
        pending = [i for i, result in enumerate(results) if result is None]
        if len(pending) < 2 or any(ops[i]["kind"] not in self.handlers for i in pending):
            return
        answers: dict[int, OpResult] = {}
        savepoint = conn.begin_nested()
        try:
            start = 0
            while start < len(pending):
                end, kinds = start, _RUNS.get(ops[pending[start]]["kind"], ())
                while end < len(pending) and ops[pending[end]]["kind"] in kinds:
                    end += 1
                if end - start >= 2:  # a run of documents, or of edits and transitions: one statement per kind
                    run = [ops[i] for i in pending[start:end]]
                    done = self._attachments(conn, ctx, run, now) if "attachment.add" in kinds else \
                        self._changes(conn, ctx, run, now)
                    answers.update(zip(pending[start:end], done, strict=True))
                    start = end
                    continue
                i = pending[start]
                answers[i] = self.handlers[ops[i]["kind"]](conn, ctx, ops[i], now)
                start += 1
        except Exception:  # noqa: BLE001 - every op is applied again below, alone, with its own answer
            savepoint.rollback()
            return
        savepoint.commit()
        for i, answer in answers.items():
            results[i] = answer
            if ops[i].get("case_id"):
                touched.add(str(ops[i]["case_id"]))

    def _seen(self, conn: Connection, ctx: DeviceCtx, op_ids: list[str]) -> dict[str, tuple[str, str]]:
        found: dict[str, tuple[str, str]] = {}
        for start in range(0, len(op_ids), 500):
            part = op_ids[start:start + 500]
            for row in conn.execute(select(t.idempotency.c.op_id, t.idempotency.c.request_hash,
                                           t.idempotency.c.response)
                                    .where(t.idempotency.c.device == ctx.device_id,
                                           t.idempotency.c.op_id.in_(part))):
                found[row.op_id] = (row.request_hash, row.response)
        return found

    def _existing(self, conn: Connection, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            found.update(r[0] for r in conn.execute(select(t.cases.c.id).where(t.cases.c.id.in_(part))))
        return found

    def _insert_cases(self, conn: Connection, rows: list[dict[str, Any]], ops: list[Op],
                      creates: list[tuple[int, dict[str, Any]]], results: list[OpResult | None],
                      touched: set[str]) -> None:
        """Write the new cases with one executemany; should the database refuse one (the checks above are
        meant to prevent that), write them one by one so that only that one is refused."""
        try:
            with conn.begin_nested():
                t.insert_many(conn, t.cases, rows)
            return
        except DBAPIError:
            log.warning("bulk insert of %d new cases refused; inserting one by one", len(rows))
        by_id = {row["id"]: index for index, row in creates}
        for row in rows:
            try:
                with conn.begin_nested():
                    conn.execute(t.cases.insert(), [row])
            except DBAPIError as err:
                index = by_id[row["id"]]
                log.warning("new case refused by the database: %s", type(err).__name__)
                touched.discard(row["id"])
                results[index] = {"op_id": ops[index]["op_id"], "status": "rejected",
                                  "errno": int(Errno.VALIDATION), "message": "the case could not be stored"}

    def _refusal(self, conn: Connection, ctx: DeviceCtx, op: Op, err: Exception) -> OpResult:
        if isinstance(err, OpRefused):
            result: OpResult = {"op_id": op["op_id"], "status": "rejected", "errno": int(err.errno),
                                "message": err.message}
            snapshot = visibility.snapshot_for(conn, ctx, op.get("case_id"))
            if snapshot is not None:
                result["case"] = snapshot
            if err.chain is not None:
                result["chain"] = err.chain
            return result
        assert isinstance(err, LoketError)
        errno = Errno.VALIDATION if isinstance(err, ValidationError) else Errno.TRANSITION_REFUSED
        return {"op_id": op["op_id"], "status": "rejected", "errno": int(errno), "message": err.message}

    def _apply_one(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str, touched: set[str]) -> OpResult:
        savepoint = conn.begin_nested()
        try:
            handler = self.handlers.get(op["kind"])
            if handler is None:
                raise OpRefused(Errno.UNKNOWN_OP, f"unknown op kind {op['kind']!r}")
            result = handler(conn, ctx, op, now)
        except (OpRefused, LoketError) as err:
            savepoint.rollback()
            return self._refusal(conn, ctx, op, err)
        except Exception:  # a server fault refuses this op alone, never the batch
            savepoint.rollback()
            log.exception("op %s (%s) failed", op["op_id"], op["kind"])
            return {"op_id": op["op_id"], "status": "rejected", "errno": int(Errno.INTERNAL),
                    "message": "the server could not apply this op; it will be retried"}
        savepoint.commit()
        if op.get("case_id"):
            touched.add(str(op["case_id"]))
        return result

    # ---- helpers -----------------------------------------------------------------------------------
    def _case(self, conn: Connection | AtOnce, ctx: DeviceCtx, case_id: str | None) -> Any:
        """The case an op names, if this device may read it: unknown and unreadable get the same answer."""
        row = conn.case(case_id) if isinstance(conn, AtOnce) else visibility.case_row(conn, ctx, case_id)
        if row is None or row.deleted:
            raise OpRefused(Errno.NOT_FOUND, visibility.NOT_FOUND)
        return row

    def _check_rights(self, ctx: DeviceCtx, row: Any, action: Action, conn: Connection | None = None) -> None:
        allowed = row.office
        if ctx.role is Role.PENANDATANGAN and action in (Action.APPROVE, Action.RETURN, Action.REJECT):
            allowed = row.signer_office
            if conn is not None:  # the signer whose step the case waits for (a Lurah before a Camat)
                allowed = next_office(row, load_steps(conn, [row.id])[row.id], self.catalog,
                                      self.offices) or allowed
        if ctx.office != allowed:
            raise OpRefused(Errno.FORBIDDEN, "this case belongs to another office")

    # ---- handlers ----------------------------------------------------------------------------------
    def _create_row(self, ctx: DeviceCtx, op: Op, now: str) -> dict[str, Any]:
        """Check a new case and return its row (written by the caller, in bulk)."""
        data = op["payload"].get("case") or {}
        case_id = str(op.get("case_id") or data.get("id") or "")
        try:
            uuid.UUID(case_id)
        except ValueError:
            raise OpRefused(Errno.BAD_REQUEST, "case id must be a UUID") from None
        lifecycle.check(None, Action.CREATE, ctx.role)
        service = self.catalog.get(str(data.get("service", "")))
        office = self.offices.get(ctx.office)
        if office is None or office.level is not service.office_level or (
                service.owner_office and service.owner_office != ctx.office):
            raise OpRefused(Errno.FORBIDDEN, "service not offered at this office")
        fields = data.get("fields") or {}
        if not isinstance(fields, dict):
            raise OpRefused(Errno.BAD_REQUEST, "fields must be an object")
        intake, problems = check_intake(service, data.get("nik"), data.get("name"),
                                        {str(k): str(v) for k, v in fields.items()}, complete=False)
        if problems:
            raise ValidationError(problems)
        return {"id": case_id, "service": service.code, "office": ctx.office,
                "signer_office": service.signer_office(ctx.office, self.offices), "nik": intake.nik,
                "name": intake.name, "fields": to_json(intake.fields),
                "field_versions": to_json({k: [1, ctx.device_id] for k in intake.fields}),
                "status": CaseStatus.DRAFT.value, "version": 1, "created_at": str(data.get("created_at") or now),
                "received_at": now,
                "updated_at": now, "created_by": ctx.username, "device": ctx.device_id,
                "due_date": str(data.get("due_date") or now[:10]), "letter_number": None, "letter_sha256": None,
                "reason": None, "deleted": False, "feed_seq": 0}

    def _edit(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        return self._edit_in(AtOnce(conn, ctx), ctx, op, now)

    def _changes(self, conn: Connection, ctx: DeviceCtx, ops: list[Op], now: str) -> list[OpResult]:
        """A run of ``case.edit`` and ``case.transition`` ops with exactly their checks and answers one by one,
        reading the run's cases with one statement and writing with one per kind (:class:`Together`). Raises
        on the first op it would refuse (the caller then applies each op alone)."""
        store = Together(conn, ctx, [op.get("case_id") for op in ops],
                         [op["payload"].get("reg_no") for op in ops if op["kind"] == "case.transition"])
        done = [(self._edit_in if op["kind"] == "case.edit" else self._transition_in)(store, ctx, op, now)
                for op in ops]
        store.flush()
        return done

    def _edit_in(self, store: AtOnce, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        row = self._case(store, ctx, op["case_id"])
        lifecycle.check(CaseStatus(row.status), Action.EDIT, ctx.role)
        self._check_rights(ctx, row, Action.EDIT)
        service = self.catalog.get(row.service)
        payload = op["payload"]
        changes = payload.get("fields") or {}
        base = int(op.get("base_version") or 0)
        set_values = {str(k): str(v) for k, v in changes.items() if v is not None}
        intake, problems = check_intake(service, payload.get("nik", row.nik), payload.get("name", row.name),
                                        set_values, complete=False)
        if problems:
            raise ValidationError(problems)
        fields: dict[str, str] = json.loads(row.fields)
        versions: dict[str, list[Any]] = json.loads(row.field_versions)
        new_version = row.version + 1
        applied: dict[str, Any] = {}
        found: list[dict[str, Any]] = []
        wanted = {**{k: intake.fields.get(k) for k in set_values}, **{k: None for k, v in changes.items() if v is None}}
        if "nik" in payload:
            wanted["nik"] = intake.nik
        if "name" in payload:
            wanted["name"] = intake.name
        for key, value in wanted.items():
            current = row.nik if key == "nik" else row.name if key == "name" else fields.get(key)
            last = versions.get(key, [0, None])
            if current == value:
                continue
            if int(last[0]) > base and last[1] != ctx.device_id:
                conflict_id = str(uuid.uuid4())
                store.conflict({"id": conflict_id, "case_id": row.id, "field": key, "base_version": base,
                                "server_value": to_json(current), "client_value": to_json(value),
                                "server_device": last[1], "client_device": ctx.device_id, "op_id": op["op_id"],
                                "created_at": now})
                found.append({"id": conflict_id, "field": key})
                continue
            applied[key] = value
            versions[key] = [new_version, ctx.device_id]
        values: dict[str, Any] = {}
        if applied:
            for key, value in applied.items():
                if key in ("nik", "name"):
                    values[key] = value
                elif value is None:
                    fields.pop(key, None)
                else:
                    fields[key] = value
            values.update(fields=to_json(fields), field_versions=to_json(versions), version=new_version,
                          updated_at=now)
            store.update(row, values)
            store.event(event_row(ctx, row.id, Action.EDIT.value, row.status, row.status, None,
                                  str(op["payload"].get("at") or now), now))
        result: OpResult = {"op_id": op["op_id"], "status": "applied",
                            "version": new_version if applied else row.version}
        if found:
            result["conflicts"] = found
        return result

    def _transition(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        return self._transition_in(AtOnce(conn, ctx), ctx, op, now)

    def _transition_in(self, store: AtOnce, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        conn = store.conn
        row = self._case(store, ctx, op["case_id"])
        try:
            action = Action(str(op["payload"].get("action")))
        except ValueError:
            raise OpRefused(Errno.BAD_REQUEST, "unknown action") from None
        if action in (Action.CREATE, Action.EDIT, Action.APPROVE, Action.RECOMMEND):
            raise OpRefused(Errno.BAD_REQUEST, f"{action.value} is not a transition op")
        status = CaseStatus(row.status)
        self._check_rights(ctx, row, action, conn)
        try:
            target = lifecycle.check(status, action, ctx.role)
        except LoketError as err:
            raise OpRefused(Errno.TRANSITION_REFUSED, err.message) from None
        # separation of duties only between people whose roles may take the step at all
        duties.check(conn, self.catalog, ctx.username, row, action)
        reason = (op["payload"].get("reason") or "").strip() or None
        if lifecycle.transition_for(action).needs_reason and not reason:
            raise OpRefused(Errno.VALIDATION, "a reason is required")
        assert target is not None
        if action is Action.SUBMIT:
            self._check_complete(store, row)
        values: dict[str, Any] = {"status": target.value, "version": row.version + 1, "updated_at": now}
        if action in (Action.RETURN, Action.REJECT, Action.WITHDRAW):
            values["reason"] = reason
        if action is Action.SUBMIT:
            values.update(self._registration(store, row, op["payload"]))
        store.update(row, values)
        kept = {key: op["payload"][key] for key, step in (("handover", Action.ISSUE), ("nik_confirmed", Action.SUBMIT))
                if action is step and isinstance(op["payload"].get(key), dict)}  # checked by opcheck
        store.event(event_row(ctx, row.id, action.value, status.value, target.value, reason,
                              str(op["payload"].get("at") or now), now, details=to_json(kept) if kept else None))
        store.notify(row, action.value, now)  # sent later, outside this transaction
        return {"op_id": op["op_id"], "status": "applied", "version": row.version + 1}

    def _registration(self, store: AtOnce, row: Any, payload: dict[str, Any]) -> dict[str, Any]:
        """The registration number and access code a submit carries (the first one given stays)."""
        from app.domain.registration import check_reg_no

        reg_no, code = payload.get("reg_no"), payload.get("access_code")
        if row.reg_no or not reg_no:
            return {} if row.access_code or not code else {"access_code": code}
        if not check_reg_no(str(reg_no), row.service, row.office):
            raise OpRefused(Errno.VALIDATION, "reg_no does not name this case's service and office")
        if store.reg_no_taken(reg_no, row.id):
            raise OpRefused(Errno.REG_NO_TAKEN, f"registration number {reg_no} is already used by another case")
        return {"reg_no": reg_no, "access_code": row.access_code or code}

    def _check_complete(self, store: AtOnce, row: Any) -> None:
        service = self.catalog.get(row.service)
        fields = json.loads(row.fields)
        missing = [f.key for f in service.fields if f.required and not fields.get(f.key)]
        have = store.documents(row)
        missing += [d.code for d in service.documents if d.required and d.code not in have]
        if missing:
            raise OpRefused(Errno.VALIDATION, "incomplete: " + ", ".join(missing))

    def _attachment(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        row = self._case(conn, ctx, op["case_id"])
        self._check_rights(ctx, row, Action.EDIT)
        # who may attach, and when: as for an edit (petugas, draft or returned) — tests/faults/test_authz_matrix.py
        lifecycle.check(CaseStatus(row.status), Action.EDIT, ctx.role)
        p = op["payload"]
        service = self.catalog.get(row.service)
        if service.document(str(p.get("doc_code"))) is None:
            raise OpRefused(Errno.VALIDATION, "unknown document code")
        sha = str(p["sha256"])
        # Accepted whether or not the server has these bytes (the answer must not tell): the attachment leads
        # to the bytes only once this device holds them — it uploads them, or may read them already.
        # (the usual case — this device uploaded the scan itself — costs one look-up)
        if not visibility.holds(conn, ctx, sha) and visibility.readable_through_case(conn, ctx, sha):
            hold_blob(conn, ctx.device_id, sha)
        conn.execute(t.attachments.insert().values(
            case_id=row.id, doc_code=p["doc_code"], sha256=sha, filename=str(p.get("filename") or "")[:255],
            size=int(p.get("size") or 0), mime=str(p.get("mime") or ""), added_by=ctx.username, added_at=now,
            device=ctx.device_id))
        if row.updated_at != now:  # a case created or changed earlier in this batch already says ``now``
            conn.execute(update(t.cases).where(t.cases.c.id == row.id).values(updated_at=now))
        return {"op_id": op["op_id"], "status": "applied", "version": row.version}

    def _attachments(self, conn: Connection, ctx: DeviceCtx, ops: list[Op], now: str) -> list[OpResult]:
        """A run of ``attachment.add`` ops with exactly :meth:`_attachment`'s checks, written with one statement
        per kind: one look-up of their cases, one of the scans this device holds, one insert, one update of
        the cases' ``updated_at``. Raises on the first op it would refuse (the caller then applies each op
        alone, which gives that op its own answer)."""
        ids = sorted({str(op["case_id"]) for op in ops if isinstance(op.get("case_id"), str)})
        rows = {r.id: r for r in conn.execute(select(t.cases).where(t.cases.c.id.in_(ids), visibility.readable(ctx)))}
        shas = sorted({str(op["payload"]["sha256"]) for op in ops})
        held = set(conn.execute(select(t.blob_owners.c.sha256).where(t.blob_owners.c.device_id == ctx.device_id,
                                                                     t.blob_owners.c.sha256.in_(shas))).scalars())
        looked: set[str] = set()
        inserts: list[dict[str, Any]] = []
        stale: set[str] = set()
        results: list[OpResult] = []
        for op in ops:
            row = rows.get(op["case_id"]) if isinstance(op.get("case_id"), str) else None
            if row is None or row.deleted:
                raise OpRefused(Errno.NOT_FOUND, visibility.NOT_FOUND)
            self._check_rights(ctx, row, Action.EDIT)
            lifecycle.check(CaseStatus(row.status), Action.EDIT, ctx.role)
            p = op["payload"]
            if self.catalog.get(row.service).document(str(p.get("doc_code"))) is None:
                raise OpRefused(Errno.VALIDATION, "unknown document code")
            sha = str(p["sha256"])
            if sha not in held and sha not in looked:
                looked.add(sha)
                if visibility.readable_through_case(conn, ctx, sha):
                    hold_blob(conn, ctx.device_id, sha)
                    held.add(sha)
            inserts.append({"case_id": row.id, "doc_code": p["doc_code"], "sha256": sha,
                            "filename": str(p.get("filename") or "")[:255], "size": int(p.get("size") or 0),
                            "mime": str(p.get("mime") or ""), "added_by": ctx.username, "added_at": now,
                            "device": ctx.device_id})
            if row.updated_at != now:
                stale.add(row.id)
            results.append({"op_id": op["op_id"], "status": "applied", "version": row.version})
        conn.execute(t.attachments.insert(), inserts)
        if stale:
            conn.execute(update(t.cases).where(t.cases.c.id.in_(sorted(stale))).values(updated_at=now))
        return results

    def _resolve(self, conn: Connection, ctx: DeviceCtx, op: Op, now: str) -> OpResult:
        row = self._case(conn, ctx, op["case_id"])
        self._check_rights(ctx, row, Action.EDIT)
        if ctx.role not in lifecycle.transition_for(Action.EDIT).roles:  # settling a field is editing it
            raise OpRefused(Errno.TRANSITION_REFUSED, "only the counter staff settle a field's conflict")
        p = op["payload"]
        conflict = conn.execute(select(t.conflicts).where(t.conflicts.c.id == p.get("conflict_id"),
                                                          t.conflicts.c.case_id == row.id)).first()
        if conflict is None:
            raise OpRefused(Errno.NOT_FOUND, "conflict not found")
        if conflict.resolved_at is not None:
            return {"op_id": op["op_id"], "status": "applied", "version": row.version}
        value = self._settled(row, conflict.field, p.get("value"))
        fields = json.loads(row.fields)
        versions = json.loads(row.field_versions)
        values: dict[str, Any] = {"version": row.version + 1, "updated_at": now}
        if conflict.field in ("nik", "name"):
            values[conflict.field] = value
        elif value is None:
            fields.pop(conflict.field, None)
        else:
            fields[conflict.field] = value
        versions[conflict.field] = [row.version + 1, ctx.device_id]
        values.update(fields=to_json(fields), field_versions=to_json(versions))
        conn.execute(update(t.cases).where(t.cases.c.id == row.id).values(**values))
        conn.execute(update(t.conflicts).where(t.conflicts.c.id == conflict.id).values(
            resolved_at=now, resolution=to_json(value), resolved_by=ctx.username))
        conn.execute(t.case_events.insert(), [event_row(ctx, row.id, "resolve", row.status, row.status, None, now,
                                                        now)])
        return {"op_id": op["op_id"], "status": "applied", "version": row.version + 1}


    def _settled(self, row: Any, field: str, value: str | None) -> str | None:
        """The value a conflict settles on, checked as an edit of that field would be."""
        service = self.catalog.get(row.service)
        if field in ("nik", "name"):
            nik, name = (value, row.name) if field == "nik" else (row.nik, value)
            intake, problems = check_intake(service, nik, name, {}, complete=False)
            if problems:
                raise ValidationError(problems)
            return intake.nik if field == "nik" else intake.name
        if value is None:
            return None
        intake, problems = check_intake(service, row.nik, row.name, {field: value}, complete=False)
        if problems:
            raise ValidationError(problems)
        return intake.fields.get(field)


def hold_blob(conn: Connection, device_id: str, sha256: str) -> None:
    """Record that ``device_id`` holds the bytes of ``sha256`` (it uploaded them, or may read them)."""
    key = (t.blob_owners.c.sha256 == sha256) & (t.blob_owners.c.device_id == device_id)
    if conn.execute(select(t.blob_owners.c.sha256).where(key)).first() is None:
        conn.execute(t.blob_owners.insert().values(sha256=sha256, device_id=device_id, created_at=clock.now_iso()))
