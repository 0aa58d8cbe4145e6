"""Who is asking: a device's bearer token, checked against the database on the connection the request uses.

A push or a pull checks its token on the connection that then serves it (one checkout, no round trips of a
connection of its own); every other request asks :meth:`sync.server.core.Server.authenticate`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Connection, select, update

from app import clock
from app.domain.roles import Role
from sync.protocol import HTTP_STATUS, Errno
from sync.server import storage as t
from sync.server.ops import DeviceCtx


class ApiError(Exception):
    """A refused request: its errno, one sentence, and details; the HTTP status is the errno's own
    (:data:`sync.protocol.HTTP_STATUS`), never chosen at the raise."""

    def __init__(self, errno: Errno, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.status = HTTP_STATUS[errno]
        self.errno = errno
        self.message = message
        self.details = details or {}


def token_hash(text: str) -> str:
    """How tokens and enrolment codes are stored: their SHA-256, never the text."""
    return hashlib.sha256(text.encode()).hexdigest()


def authenticate(conn: Connection, token: str | None) -> DeviceCtx:
    """The device ``token`` belongs to, or the refusal (unknown token: 401; revoked device or user: 403).

    A device's first use is recorded at once, in a commit of its own on ``conn`` (from then on its enrolment
    code cannot be replayed); call this before ``conn`` writes anything else."""
    if not token:
        raise ApiError(Errno.UNAUTHENTICATED, "missing token")
    row = conn.execute(
        select(t.devices.c.id, t.devices.c.revoked_at, t.devices.c.revoke_reason_code, t.devices.c.last_seen,
               t.users.c.username, t.users.c.full_name, t.users.c.role, t.users.c.office, t.users.c.active)
        .join(t.users, t.users.c.username == t.devices.c.username)
        .where(t.devices.c.token_hash == token_hash(token))).first()
    if row is None:
        raise ApiError(Errno.UNAUTHENTICATED, "unknown token")
    if row.revoked_at is not None or not row.active:
        # the holder of the token learns when and why (the code, never the admin's free text)
        raise ApiError(Errno.DEVICE_REVOKED, "this device has been revoked",
                       {"revoked_at": row.revoked_at, "reason_code": row.revoke_reason_code})
    seen = row.last_seen
    if seen is None:  # first use
        seen = clock.now_iso()
        conn.execute(update(t.devices).where(t.devices.c.id == row.id).values(last_seen=seen))
        conn.commit()
    return DeviceCtx(row.id, row.username, row.full_name, Role(row.role), row.office, seen)
