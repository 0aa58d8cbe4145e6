"""The change feed: where each changed case stands in it, and the pages a pull reads.

A case's position is ``(feed_xid, feed_seq)``; the feed is ordered by it and a pull's cursor is the position of
the last case it returned (``sync.protocol.parse_cursor`` / ``format_cursor``).

PostgreSQL: :func:`bump_feed` writes the transaction's own id (``pg_current_xact_id()``) and a number from the
sequence ``feed_numbers`` — no row is locked, so pushes commit side by side, in any order. A reader therefore
returns only cases whose transaction is older than every transaction still running
(``pg_snapshot_xmin(pg_current_snapshot())``, the *horizon*): those have all finished, and every transaction
that writes later gets a higher id than the horizon, so it sorts after anything a cursor has passed.

- A page may end inside one transaction's cases: the next page starts after ``(xid, seq)``.
- A case changed again gets a new position and is sent once, at its newest place.
- A transaction that stays open (anywhere in the cluster) holds the horizon back: pulls return less, and
  return it later — they wait, never miss. Two server instances on one database share xids and the sequence.
- An aborted transaction's positions vanish with its changes; the sequence numbers it took leave gaps.

SQLite (one writer at a time, ``BEGIN IMMEDIATE``): ``feed_xid`` stays 0 and ``feed_seq`` comes from the single
``feed_counter`` row, which orders commits anyway. Rows from before the transaction ids (``feed_xid`` 0, the
old counter's numbers) sort first, so a laptop's old integer cursor ``n`` is the position ``(0, n)``.
Call :func:`bump_feed` once per transaction, after the changes (on SQLite it must come last: see above).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Connection, bindparam, literal_column, select, tuple_, update
from sqlalchemy.sql import ColumnElement

from sync.protocol import format_cursor
from sync.server import storage as t

SEQUENCE = "feed_numbers"  # PostgreSQL; created by migration s0010_feed_xid
_XID = literal_column("pg_current_xact_id()::text::bigint", BigInteger)
_SET_SEQ = f"UPDATE {t.cases.name} SET feed_seq = ? WHERE id = ?"  # SQLite
_HORIZON = literal_column("pg_snapshot_xmin(pg_current_snapshot())::text::bigint", BigInteger)


def bump_feed(conn: Connection, case_ids: set[str]) -> None:
    """Give each touched case its new place in the feed: this transaction and a fresh sequence number."""
    if not case_ids:
        return
    ordered = sorted(case_ids)
    if conn.dialect.name == "postgresql":
        conn.execute(update(t.cases).where(t.cases.c.id.in_(bindparam("ids", expanding=True)))
                     .values(feed_xid=_XID, feed_seq=literal_column(f"nextval('{SEQUENCE}')", BigInteger)),
                     {"ids": ordered})
        return
    top = conn.execute(update(t.feed_counter).where(t.feed_counter.c.id == 1)
                       .values(value=t.feed_counter.c.value + len(ordered))
                       .returning(t.feed_counter.c.value)).scalar_one()
    first = top - len(ordered) + 1
    # the driver's own executemany: SQLAlchemy's per-row parameter handling cost more than the updates
    conn.exec_driver_sql(_SET_SEQ, [(first + i, cid) for i, cid in enumerate(ordered)])


def page(conn: Connection, after: tuple[int, int], visible: ColumnElement[bool], limit: int,
         columns: Sequence[Any] = ()) -> list[Any]:
    """Up to ``limit`` readable cases after position ``after``, in feed order, of finished transactions only;
    ``columns``: only these (with the position), else whole rows."""
    position = tuple_(t.cases.c.feed_xid, t.cases.c.feed_seq)
    wanted = (*columns, t.cases.c.feed_xid, t.cases.c.feed_seq) if columns else (t.cases,)
    stmt = select(*wanted).where(position > tuple_(*after), visible)
    if conn.dialect.name == "postgresql":
        stmt = stmt.where(t.cases.c.feed_xid < _HORIZON)
    return list(conn.execute(stmt.order_by(t.cases.c.feed_xid, t.cases.c.feed_seq).limit(limit)))


def cursor_after(rows: list[Any], since: tuple[int, int]) -> str:
    """The cursor a page's reader continues from: its last case's position, or where it started."""
    xid, seq = (rows[-1].feed_xid, rows[-1].feed_seq) if rows else since
    return format_cursor(int(xid), int(seq))
