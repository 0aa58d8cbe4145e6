"""Hand-over (serah terima): who collected the signed letter, with what ID, and when; recorded on the issue step.

The record travels on the ``case.transition`` op of the issue (``payload.handover``), the server checks it
with :func:`problems` and keeps it on the case's history, so every laptop of the office sees it after a pull.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app import clock
from app.domain.lifecycle import Action
from app.errors import FieldProblem, ValidationError
from app.i18n import register, tr
from app.services import cases
from app.services.workspace import Actor, Workspace

RELATIONS = ("sendiri", "keluarga", "kuasa")
MAX_NAME = 120
MAX_ID = 64
KEYS = frozenset({"name", "relation", "id_shown", "at"})

register({
    "handover.name": {"id": "Nama penerima wajib diisi (2–120 huruf).",
                      "en": "The collector's name is required (2–120 characters)."},
    "handover.relation": {"id": "Hubungan penerima harus sendiri, keluarga atau kuasa.",
                          "en": "The collector's relation must be sendiri (self), keluarga (family) or kuasa "
                                "(proxy)."},
    "handover.id_shown": {"id": "Identitas yang ditunjukkan wajib diisi (paling banyak 64 huruf).",
                          "en": "The ID shown is required (at most 64 characters)."},
    "handover.relation.sendiri": {"id": "pemohon sendiri", "en": "the applicant"},
    "handover.relation.keluarga": {"id": "keluarga", "en": "family"},
    "handover.relation.kuasa": {"id": "kuasa", "en": "proxy"},
})


def problems(record: Mapping[str, Any]) -> list[str]:
    """Message keys of what is wrong with a hand-over record (the laptop's and the server's check)."""
    found = []
    name = record.get("name")
    if not isinstance(name, str) or not 2 <= len(name.strip()) <= MAX_NAME or not name.strip().isprintable():
        found.append("handover.name")
    if record.get("relation") not in RELATIONS:
        found.append("handover.relation")
    shown = record.get("id_shown")
    if not isinstance(shown, str) or not 1 <= len(shown.strip()) <= MAX_ID or not shown.strip().isprintable():
        found.append("handover.id_shown")
    if set(record) - KEYS:
        found.append("handover.name")
    return found


def relation_label(relation: str) -> str:
    return tr(f"handover.relation.{relation}") if relation in RELATIONS else relation


def hand_over(ws: Workspace, actor: Actor, ident: str, name: str, relation: str, id_shown: str) -> cases.Updated:
    """Issue the case: the letter is handed to ``name`` (``relation`` to the applicant) who showed ``id_shown``."""
    record = {"name": " ".join(name.split()), "relation": relation.strip().lower(),
              "id_shown": " ".join(id_shown.split()), "at": clock.now_iso()}
    found = problems(record)
    if found:
        raise ValidationError([FieldProblem(key.split(".")[1], key) for key in found])
    return cases.transition(ws, actor, ident, Action.ISSUE, handover=record)
