"""On the second laptop of a conflict, "this device" and "the server" are not swapped: the record the server
sends both laptops is written from the side of the laptop whose push met the other change."""

from __future__ import annotations

import json
import uuid

from app.services import cases, conflicts
from app.storage.models import Conflict
from ui.views.conflicts import ConflictAdapter


def _conflict(ws, case_id: str, client_device: str) -> str:  # type: ignore[no-untyped-def]
    cid = str(uuid.uuid4())
    with ws.db.write() as s:
        s.add(Conflict(id=cid, case_id=case_id, field="alamat", server_value=json.dumps("Jl. Ijen 1"),
                       client_value=json.dumps("Jl. Kawi 2"), client_device=client_device,
                       created_at="2026-12-01T10:00:00Z", state="open"))
    return cid


def test_each_laptop_sees_its_own_value_as_mine(ws, petugas, make_case) -> None:  # type: ignore[no-untyped-def]
    case_id = make_case(petugas)
    # Laptop B pushed "Jl. Kawi 2" after laptop A's "Jl. Ijen 1" reached the server: B's record.
    on_b = _conflict(ws, case_id, ws.device_id)
    # The same record pulled by laptop A: the pushing device is B, not this one.
    on_a = _conflict(ws, case_id, "b0b0b0b0-0000-4000-8000-000000000000")
    views = {v.id: v for v in conflicts.list_open(ws)}
    assert (views[on_b].mine, views[on_b].theirs) == ("Jl. Kawi 2", "Jl. Ijen 1")
    assert (views[on_a].mine, views[on_a].theirs) == ("Jl. Ijen 1", "Jl. Kawi 2")
    shown = {c.id: (c.local, c.remote) for c in ConflictAdapter(ws, petugas).list()}
    assert shown[on_a] == ("Jl. Ijen 1", "Jl. Kawi 2")
    ConflictAdapter(ws, petugas).resolve(on_a, "mine")  # keep this laptop's value
    assert cases.show(ws, case_id)["fields"]["alamat"] == "Jl. Ijen 1"
