"""The change feed's numbering: each case touched in a transaction gets a fresh, higher feed number, taken from
the one feed-counter row under its lock, so pulls never miss a change committed out of order. Call
:func:`bump_feed` last, right before commit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, bindparam, update

from sync.server import storage as t


def bump_feed(conn: Connection, case_ids: set[str]) -> None:
    """Give each touched case a fresh feed number. Call last, right before commit."""
    if not case_ids:
        return
    ordered = sorted(case_ids)
    top = conn.execute(update(t.feed_counter).where(t.feed_counter.c.id == 1)
                       .values(value=t.feed_counter.c.value + len(ordered))
                       .returning(t.feed_counter.c.value)).scalar_one()
    first = top - len(ordered) + 1
    stmt = t.cases.update().where(t.cases.c.id == _bind("cid")).values(feed_seq=_bind("seq"))
    conn.execute(stmt, [{"cid": cid, "seq": first + i} for i, cid in enumerate(ordered)])


def _bind(name: str) -> Any:
    return bindparam(name)
