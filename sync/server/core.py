"""The server's operations, independent of HTTP: users, enrolment, auth, push, pull, blobs, revocation.

Stateless: everything lives in the database, so several instances on one PostgreSQL act as one server.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, or_, select, update
from sqlalchemy.exc import IntegrityError

from app import clock
from app.domain.catalog import Catalog, default_catalog
from app.domain.offices import OfficeDirectory, directory
from app.domain.roles import Role
from sync.protocol import PULL_LIMIT, Errno, Op, OpResult
from sync.server import storage as t
from sync.server.ops import DeviceCtx, OpApplier, bump_feed, snapshots

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud over the phone
CODE_DAYS = 7


class ApiError(Exception):
    def __init__(self, status: int, errno: Errno, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.errno = errno
        self.message = message
        self.details = details or {}


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _norm_code(code: str) -> str:
    return code.strip().upper().replace(" ", "")


@dataclass
class Server:
    engine: Engine
    catalog: Catalog
    offices: OfficeDirectory

    @classmethod
    def open(cls, engine: Engine) -> Server:
        return cls(engine, default_catalog(), directory())

    @property
    def applier(self) -> OpApplier:
        return OpApplier(self.catalog, self.offices)

    # ---- setup -------------------------------------------------------------------------------------
    def init(self) -> None:
        t.create_schema(self.engine)
        with self.engine.begin() as conn:
            have = {r[0] for r in conn.execute(select(t.offices.c.code))}
            rows = [{"code": o.code, "name": o.name, "level": o.level.value, "parent": o.parent}
                    for o in self.offices if o.code not in have]
            if rows:
                conn.execute(t.offices.insert(), rows)

    def add_user(self, username: str, full_name: str, role: str, office: str, nip: str | None = None,
                 position: str | None = None) -> str:
        """Create a user and return a one-time enrolment code."""
        parsed = Role.parse(role)
        if office not in self.offices:
            raise ApiError(400, Errno.BAD_REQUEST, f"unknown office {office}")
        with self.engine.begin() as conn:
            try:
                conn.execute(t.users.insert().values(username=username, full_name=full_name, role=parsed.value,
                                                     office=office, nip=nip, position=position, active=True,
                                                     created_at=clock.now_iso()))
            except IntegrityError:
                raise ApiError(409, Errno.BAD_REQUEST, f"user {username} exists") from None
        return self.enrolment_code(username)

    def enrolment_code(self, username: str) -> str:
        code = new_code()
        expires = (clock.now() + dt.timedelta(days=CODE_DAYS)).isoformat()
        with self.engine.begin() as conn:
            if conn.execute(select(t.users.c.username).where(t.users.c.username == username)).first() is None:
                raise ApiError(404, Errno.NOT_FOUND, f"no user {username}")
            conn.execute(t.enrolment_codes.insert().values(code_hash=_sha(_norm_code(code)), username=username,
                                                           expires_at=expires))
        return code

    # ---- enrolment and auth ------------------------------------------------------------------------
    def enroll(self, code: str, device_name: str) -> dict[str, Any]:
        now = clock.now_iso()
        with self.engine.begin() as conn:
            row = conn.execute(select(t.enrolment_codes).where(
                t.enrolment_codes.c.code_hash == _sha(_norm_code(code)))).first()
            if row is None or row.used_at is not None or row.expires_at < clock.now().isoformat():
                raise ApiError(403, Errno.ENROLMENT_CODE_INVALID, "enrolment code invalid, used or expired")
            user = conn.execute(select(t.users).where(t.users.c.username == row.username)).one()
            if not user.active:
                raise ApiError(403, Errno.ENROLMENT_CODE_INVALID, "user is not active")
            device_id = str(uuid.uuid4())
            token = secrets.token_urlsafe(32)
            done = conn.execute(update(t.enrolment_codes).where(
                t.enrolment_codes.c.code_hash == row.code_hash, t.enrolment_codes.c.used_at.is_(None))
                .values(used_at=now, device_id=device_id))
            if done.rowcount != 1:  # another request used it a moment ago
                raise ApiError(403, Errno.ENROLMENT_CODE_INVALID, "enrolment code already used")
            conn.execute(t.devices.insert().values(id=device_id, username=user.username, token_hash=_sha(token),
                                                   name=device_name[:120], created_at=now))
        return {"device_id": device_id, "token": token,
                "user": {"username": user.username, "full_name": user.full_name, "role": user.role,
                         "office": user.office, "nip": user.nip, "position": user.position}}

    def authenticate(self, token: str | None) -> DeviceCtx:
        if not token:
            raise ApiError(401, Errno.UNAUTHENTICATED, "missing token")
        with self.engine.connect() as conn:
            row = conn.execute(
                select(t.devices.c.id, t.devices.c.revoked_at, t.users.c.username, t.users.c.full_name,
                       t.users.c.role, t.users.c.office, t.users.c.active)
                .join(t.users, t.users.c.username == t.devices.c.username)
                .where(t.devices.c.token_hash == _sha(token))).first()
        if row is None:
            raise ApiError(401, Errno.UNAUTHENTICATED, "unknown token")
        if row.revoked_at is not None or not row.active:
            raise ApiError(403, Errno.DEVICE_REVOKED, "this device has been revoked")
        return DeviceCtx(row.id, row.username, row.full_name, Role(row.role), row.office)

    def revoke(self, *, user: str | None = None, device: str | None = None, reason: str) -> int:
        now = clock.now_iso()
        with self.engine.begin() as conn:
            stmt = update(t.devices).where(t.devices.c.revoked_at.is_(None))
            if device:
                stmt = stmt.where(t.devices.c.id == device)
            elif user:
                stmt = stmt.where(t.devices.c.username == user)
                conn.execute(update(t.users).where(t.users.c.username == user).values(active=False))
            else:
                raise ApiError(400, Errno.BAD_REQUEST, "revoke needs a user or a device")
            return int(conn.execute(stmt.values(revoked_at=now, revoke_reason=reason)).rowcount)

    # ---- sync --------------------------------------------------------------------------------------
    def push(self, ctx: DeviceCtx, ops: list[Op]) -> list[OpResult]:
        with self.engine.begin() as conn:
            results, touched = self.applier.apply_batch(conn, ctx, ops)
            bump_feed(conn, touched)
            conn.execute(update(t.devices).where(t.devices.c.id == ctx.device_id).values(last_seen=clock.now_iso()))
        return results

    def _visible(self, ctx: DeviceCtx) -> Any:
        if ctx.role is Role.ADMIN:
            return t.cases.c.id.is_(None)
        if ctx.role is Role.PENANDATANGAN:
            return or_(t.cases.c.office == ctx.office, t.cases.c.signer_office == ctx.office)
        return t.cases.c.office == ctx.office

    def changes(self, ctx: DeviceCtx, since: int, limit: int = PULL_LIMIT) -> dict[str, Any]:
        limit = max(1, min(limit, 5000))
        with self.engine.connect() as conn:
            rows = list(conn.execute(select(t.cases).where(t.cases.c.feed_seq > since, self._visible(ctx))
                                     .order_by(t.cases.c.feed_seq).limit(limit)))
            changes = snapshots(conn, rows)
        cursor = rows[-1].feed_seq if rows else since
        return {"changes": changes, "cursor": cursor, "more": len(rows) == limit}

    def case(self, ctx: DeviceCtx, case_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.cases).where(t.cases.c.id == case_id)).first()
            if row is None:
                raise ApiError(404, Errno.NOT_FOUND, "case not found")
            visible = conn.execute(select(t.cases.c.id).where(t.cases.c.id == case_id, self._visible(ctx))).first()
            if visible is None:
                raise ApiError(403, Errno.FORBIDDEN, "this case belongs to another office")
            return snapshots(conn, [row])[0]

    # ---- blobs -------------------------------------------------------------------------------------
    def blob_status(self, sha256: str) -> tuple[int, bool] | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.blobs.c.size, t.blobs.c.complete).where(t.blobs.c.sha256 == sha256)).first()
        return (int(row.size), bool(row.complete)) if row else None

    def blob_put(self, sha256: str, offset: int, chunk: bytes, final: bool) -> tuple[int, bool]:
        """Append ``chunk`` at ``offset``; with ``final`` the whole blob must hash to ``sha256``."""
        with self.engine.begin() as conn:
            row = conn.execute(select(t.blobs).where(t.blobs.c.sha256 == sha256)).first()
            if row is not None and row.complete:
                return int(row.size), True
            have = bytes(row.data) if row is not None else b""
            if offset > len(have):
                raise ApiError(409, Errno.BLOB_OFFSET, "offset beyond what was received",
                               {"received": len(have)})
            data = have[:offset] + chunk
            complete = False
            if final:
                if hashlib.sha256(data).hexdigest() != sha256:
                    conn.execute(t.blobs.delete().where(t.blobs.c.sha256 == sha256))
                    raise ApiError(422, Errno.BLOB_MISMATCH, "content does not match its sha256")
                complete = True
            values = {"size": len(data), "complete": complete, "data": data}
            if row is None:
                conn.execute(t.blobs.insert().values(sha256=sha256, created_at=clock.now_iso(), **values))
            else:
                conn.execute(update(t.blobs).where(t.blobs.c.sha256 == sha256).values(**values))
        return len(data), complete

    def blob_get(self, sha256: str) -> bytes | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(t.blobs.c.data).where(t.blobs.c.sha256 == sha256,
                                                            t.blobs.c.complete.is_(True))).first()
        return bytes(row.data) if row else None

    def stats(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {"cases": int(conn.execute(select(func.count()).select_from(t.cases)).scalar_one()),
                    "devices": int(conn.execute(select(func.count()).select_from(t.devices)).scalar_one())}
