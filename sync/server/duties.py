"""The server's own check of separation of duties (:mod:`app.domain.duties`): whatever a laptop sends, the
person who registered a case does not verify it, and neither the registrar nor the verifier is its final
signer, unless the service's catalogue entry turns the rule off."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select

from app.domain import duties
from app.domain.catalog import Catalog
from app.domain.lifecycle import Action
from sync.protocol import Errno
from sync.server import storage as t


def check(conn: Connection, catalog: Catalog, username: str, row: Any, action: Action) -> None:
    """Raise ``OpRefused(FORBIDDEN)`` when ``username`` may not take ``action`` on the case ``row``."""
    from sync.server.ops import OpRefused

    if action not in (Action.VERIFY, Action.APPROVE) or not catalog.get(row.service).separation_of_duties:
        return
    verifier = None  # who verified the case matters only to its signer
    if action is Action.APPROVE:
        verifier = conn.execute(select(t.case_events.c.actor)
                                .where(t.case_events.c.case_id == row.id,
                                       t.case_events.c.action == Action.VERIFY.value)
                                .order_by(t.case_events.c.id.desc()).limit(1)).scalar()
    key = duties.conflict(action, username, row.created_by, verifier)
    if key:
        raise OpRefused(Errno.FORBIDDEN, duties.MESSAGES[key]["en"].format(name=username))
