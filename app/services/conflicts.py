"""Settling a conflict: a person picks a value; the choice goes to the server as an op like any edit."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.domain.lifecycle import Action
from app.domain.validation import check_field
from app.errors import NotFoundError, ValidationError
from app.events import Changes
from app.jsoncodec import to_json
from app.services.cases import check_case_office
from app.services.changes import Op, freeze_create, record_change
from app.services.workspace import Actor, Workspace
from app.storage import meta, replica
from app.storage.models import Case, Conflict


@dataclass
class ConflictView:
    id: str
    case_id: str
    field: str
    mine: Any
    theirs: Any
    created_at: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "case_id": self.case_id, "field": self.field, "mine": self.mine,
                "theirs": self.theirs, "created_at": self.created_at}


def own_devices(ws: Workspace, s: Session) -> set[str]:
    """This laptop's device ids: its own, and the one the server gave each person enrolled on it."""
    return {ws.device_id, *meta.server_devices(s)}


def sides(ws: Workspace, s: Session, conflict: Conflict) -> tuple[str | None, str | None]:
    """(mine, theirs) as JSON, seen from this laptop. The server's record is written from the side of the
    device whose push met the other change (``client_value``); on the other laptop, which pulls the same
    record, its own value is the server's: the sides swap."""
    if conflict.client_device and conflict.client_device not in own_devices(ws, s):
        return conflict.server_value, conflict.client_value
    return conflict.client_value, conflict.server_value


def list_open(ws: Workspace) -> list[ConflictView]:
    with ws.db.read() as s:
        out = []
        for c in replica.open_conflicts(s):
            mine, theirs = sides(ws, s, c)
            out.append(ConflictView(c.id, c.case_id, c.field, json.loads(mine or "null"), json.loads(theirs or "null"),
                                    c.created_at))
        return out


def resolve(ws: Workspace, actor: Actor, conflict_id: str, take: str) -> dict[str, Any]:
    """``take`` is ``mine``, ``theirs`` or a new value typed by the person."""
    at = clock.now_iso()
    with ws.db.write() as s:
        conflict = s.get(Conflict, conflict_id)
        if conflict is None:
            matches = [c for c in replica.open_conflicts(s) if c.id.startswith(conflict_id)]
            conflict = matches[0] if len(matches) == 1 else None
        if conflict is None or conflict.state != "open":
            raise NotFoundError("case.unknown", id=conflict_id)
        case = s.get(Case, conflict.case_id)
        assert case is not None
        freeze_create(s, case.id)
        check_case_office(ws, actor, case, Action.EDIT)
        mine, theirs = sides(ws, s, conflict)
        if take == "mine":
            value = json.loads(mine or "null")
        elif take == "theirs":
            value = json.loads(theirs or "null")
        else:
            value = take
            spec = ws.catalog.get(case.service).field(conflict.field)
            if spec is not None:
                value, problem = check_field(spec, take)
                if problem:
                    raise ValidationError([problem])
        fields = json.loads(case.fields)
        if conflict.field in ("nik", "name"):
            setattr(case, conflict.field, value)
        elif value is None:
            fields.pop(conflict.field, None)
        else:
            fields[conflict.field] = value
        case.fields = to_json(fields)
        base = case.version
        case.version += 1
        case.updated_at = at
        conflict.state = "resolved"
        record_change(s, actor, case.id, at, "conflict.resolve", {"field": conflict.field},
                      ops=[Op("conflict.resolve", base, {"conflict_id": conflict.id, "value": value})])
        result = {"id": conflict.id, "case_id": case.id, "field": conflict.field, "value": value}
    ws.events.publish("changes", Changes(cases=frozenset({result["case_id"]}), outbox=True))
    return result
