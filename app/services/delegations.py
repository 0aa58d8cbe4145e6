"""Delegations on this device: which offices a user may sign for, and as what (Plh./Plt./a.n.)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.errors import ForbiddenError
from app.letters.model import Signer
from app.services.letters import signer_for
from app.services.workspace import Actor, Workspace
from app.signing.delegations import KINDS, parse_time
from app.storage.models import DelegationRecord


def _active(session: Session, username: str, at: dt.datetime) -> list[DelegationRecord]:
    found = session.scalars(select(DelegationRecord).where(DelegationRecord.delegate == username,
                                                           DelegationRecord.revoked.is_(False)))
    return [d for d in found if parse_time(d.valid_from) <= at <= parse_time(d.valid_until)]


def delegated_offices(session: Session, username: str) -> list[str]:
    return sorted({d.office for d in _active(session, username, clock.now())})


def for_office(session: Session, actor: Actor, office: str) -> DelegationRecord:
    """The delegation in force (by this device's clock; the server judges again on receipt) letting
    ``actor`` sign for ``office``."""
    for record in _active(session, actor.username, clock.now()):
        if record.office == office:
            return record
    from app.domain.offices import directory

    found = directory().get(office)
    raise ForbiddenError("delegation.none", office=found.display_name if found else office)


def delegated_signer(ws: Workspace, actor: Actor, record: DelegationRecord) -> Signer:
    """The signature block of a delegate: 'Plh. Lurah X' over the delegate's own name and NIP."""
    head = signer_for(Actor(record.grantor, record.grantor_name, actor.role, record.office, actor.device))
    return Signer(actor.full_name, actor.nip or "-", head.position, head.office_title,
                  delegation=KINDS[record.kind], own_position=actor.position or "")


def list_all(ws: Workspace) -> list[dict[str, object]]:
    with ws.db.read() as s:
        rows = list(s.scalars(select(DelegationRecord).order_by(DelegationRecord.valid_from)))
        return [{"id": d.id, "grantor": d.grantor, "delegate": d.delegate, "office": d.office, "kind": d.kind,
                 "valid_from": d.valid_from, "valid_until": d.valid_until, "revoked": d.revoked} for d in rows]
