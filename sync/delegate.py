"""Granting and ending delegations (online: the server records them, delegates pull them)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from app import clock
from app.services.workspace import Actor, Workspace
from app.signing.certificates import serial_hex
from app.signing.delegations import DelegationGrant, sign_grant
from app.signing.keystore import KeyStore
from sync.engine import SyncEngine, client_for
from sync.protocol import Paths


def _until(text: str) -> str:
    """A day means 'to the end of that day in Malang' (23:59:59 WIB)."""
    if len(text) == 10:
        day = dt.date.fromisoformat(text)
        end = dt.datetime.combine(day, dt.time(23, 59, 59), dt.timezone(dt.timedelta(hours=7)))
        return end.astimezone(dt.UTC).isoformat()
    return text


def grant(ws: Workspace, actor: Actor, delegate: str, kind: str, until: str, pin: str, *,
          valid_from: str | None = None) -> dict[str, Any]:
    store = KeyStore(ws.profile, ws.device_id, actor.username)
    chain = store.load_chain()
    record = DelegationGrant(id=str(uuid.uuid4()), grantor=actor.username, delegate=delegate, office=actor.office,
                             kind=kind, valid_from=valid_from or clock.now().isoformat(), valid_until=_until(until),
                             grantor_cert_serial=serial_hex(chain[0]))
    with store.unlocked(pin) as key:
        signature = sign_grant(record, key)
    client = client_for(ws, actor.username)
    answer: dict[str, Any] = client.post(Paths.DELEGATIONS, {"grant": {f: getattr(record, f) for f in
                                                                    record.__dataclass_fields__},
                                                          "signature": signature})
    SyncEngine(ws).run()
    return answer


def revoke(ws: Workspace, actor: Actor, delegation_id: str) -> dict[str, Any]:
    client = client_for(ws, actor.username)
    path = Paths.DELEGATION.format(delegation_id=delegation_id)
    answer: dict[str, Any] = client._json(client._request("DELETE", path))
    SyncEngine(ws).run()
    return answer
