"""Hand-over (serah terima): who collected the signed letter, with what ID, and when; recorded on the issue step.

The record travels on the ``case.transition`` op of the issue (``payload.handover``), the server checks it
with :func:`problems` and keeps it on the case's history, so every laptop of the office sees it after a pull.
"""

from __future__ import annotations

from app import clock
from app.domain.handover import KEYS, MAX_ID, MAX_NAME, RELATIONS, problems, relation_label
from app.domain.lifecycle import Action
from app.errors import FieldProblem, ValidationError
from app.services import cases
from app.services.workspace import Actor, Workspace

# the rules live in the domain; callers may import them from here too
__all__ = ["KEYS", "MAX_ID", "MAX_NAME", "RELATIONS", "problems", "relation_label"]


def hand_over(ws: Workspace, actor: Actor, ident: str, name: str, relation: str, id_shown: str) -> cases.Updated:
    """Issue the case: the letter is handed to ``name`` (``relation`` to the applicant) who showed ``id_shown``."""
    record = {"name": " ".join(name.split()), "relation": relation.strip().lower(),
              "id_shown": " ".join(id_shown.split()), "at": clock.now_iso()}
    found = problems(record)
    if found:
        raise ValidationError([FieldProblem(key.split(".")[1], key) for key in found])
    return cases.transition(ws, actor, ident, Action.ISSUE, handover=record)
