"""Where the edit and transition ops read their cases and write their effects.

One op applied alone reads and writes at once (:class:`AtOnce`). A run of such ops in one push
(:class:`Together`: a laptop's edits and submissions of the day's cases) reads all the cases it names with one
statement and writes with one statement per kind when the run is done: the changed cases (one ``UPDATE`` per set
of changed columns, as an executemany), the events, the conflicts and the citizens' notifications. The ops are
checked against the cases as the run has changed them so far, so every answer is the one the ops would get
applied one by one; a refusal raises before anything is written (the caller then applies each op alone).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from sync.server import notify, visibility
from sync.server import storage as t


def event_row(ctx: Any, case_id: str, action: str, src: str | None, dst: str | None, reason: str | None,
              at: str, now: str, details: str | None = None) -> dict[str, Any]:
    """A ``case_events`` row for ``ctx`` (a DeviceCtx): ``at`` when the device did it, received ``now``."""
    return {"case_id": case_id, "action": action, "from_status": src, "to_status": dst, "actor": ctx.username,
            "device": ctx.device_id, "reason": reason, "at": at or now, "received_at": now, "details": details}


class AtOnce:
    """Reads and writes as the op asks: an op applied alone."""

    def __init__(self, conn: Connection, ctx: Any) -> None:
        self.conn = conn
        self.ctx = ctx

    def case(self, case_id: Any) -> Any:
        """The case's row when this device may read it, else None (unknown and unreadable look the same)."""
        return visibility.case_row(self.conn, self.ctx, case_id)

    def documents(self, row: Any) -> set[str]:
        """The codes of the documents attached to the case."""
        return set(self.conn.execute(select(t.attachments.c.doc_code)
                                     .where(t.attachments.c.case_id == row.id)).scalars())

    def reg_no_taken(self, reg_no: Any, case_id: str) -> bool:
        """Whether another case than ``case_id`` carries the registration number ``reg_no``."""
        return self.conn.execute(select(t.cases.c.id).where(t.cases.c.reg_no == reg_no,
                                                            t.cases.c.id != case_id)).first() is not None

    def update(self, row: Any, values: dict[str, Any]) -> None:
        self.conn.execute(update(t.cases).where(t.cases.c.id == row.id).values(**values))

    def event(self, values: dict[str, Any]) -> None:
        self.conn.execute(t.case_events.insert(), [values])

    def conflict(self, values: dict[str, Any]) -> None:
        self.conn.execute(t.conflicts.insert(), [values])

    def notify(self, row: Any, action: str, now: str) -> None:
        """Queue the citizen's message for ``action`` on ``row`` (its state before the action)."""
        notify.enqueue(self.conn, row, action, now)


class Together(AtOnce):
    """A run of ops: the cases they name read up front, their effects written by :meth:`flush`."""

    def __init__(self, conn: Connection, ctx: Any, case_ids: list[Any], reg_nos: list[Any]) -> None:
        super().__init__(conn, ctx)
        ids = sorted({c for c in case_ids if isinstance(c, str) and c and len(c) <= 36})
        self.rows: dict[str, Any] = {}
        if ids:
            self.rows = {r.id: SimpleNamespace(**r._mapping) for r in conn.execute(
                select(t.cases).where(t.cases.c.id.in_(ids), visibility.readable(ctx)))}
        self.reg_nos = sorted({r for r in reg_nos if isinstance(r, str)})
        self.changed: dict[str, set[str]] = {}  # per case, the columns this run changed
        self.events: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []
        self.outbox: list[dict[str, Any]] = []
        self._documents: dict[str, set[str]] | None = None
        self._numbered: dict[str, set[str]] | None = None

    def case(self, case_id: Any) -> Any:
        return self.rows.get(case_id) if isinstance(case_id, str) else None

    def documents(self, row: Any) -> set[str]:
        if self._documents is None:  # once for every case of the run (no op of a run attaches documents)
            self._documents = {i: set() for i in self.rows}
            for case_id, code in self.conn.execute(select(t.attachments.c.case_id, t.attachments.c.doc_code)
                                                   .where(t.attachments.c.case_id.in_(sorted(self.rows)))):
                self._documents[case_id].add(code)
        return self._documents[row.id]

    def reg_no_taken(self, reg_no: Any, case_id: str) -> bool:
        if reg_no not in self.reg_nos:
            return super().reg_no_taken(reg_no, case_id)
        if self._numbered is None:  # the run's numbers as the database has them, once
            self._numbered = {n: set() for n in self.reg_nos}
            for found, number in self.conn.execute(select(t.cases.c.id, t.cases.c.reg_no)
                                                   .where(t.cases.c.reg_no.in_(self.reg_nos))):
                self._numbered[number].add(found)
        # and as this run has given them (a number, once given, is never taken back)
        mine = {row.id for row in self.rows.values() if row.reg_no == reg_no}
        return bool((self._numbered[reg_no] | mine) - {case_id})

    def update(self, row: Any, values: dict[str, Any]) -> None:
        # a new row: the op that changed it may go on reading the state it started from
        self.rows[row.id] = SimpleNamespace(**{**vars(self.rows[row.id]), **values})
        self.changed.setdefault(row.id, set()).update(values)

    def event(self, values: dict[str, Any]) -> None:
        self.events.append(values)

    def conflict(self, values: dict[str, Any]) -> None:
        self.conflicts.append(values)

    def notify(self, row: Any, action: str, now: str) -> None:
        self.outbox += notify.outbox_rows(row, action, now)

    def flush(self) -> None:
        """Write what the run did: one statement per kind (per set of changed columns for the cases)."""
        if self.conflicts:
            self.conn.execute(t.conflicts.insert(), self.conflicts)
        groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for case_id, columns in self.changed.items():
            row = self.rows[case_id]
            names = tuple(sorted(columns))
            groups.setdefault(names, []).append({"case_key": case_id, **{c: getattr(row, c) for c in names}})
        for rows in groups.values():  # the columns to set are the keys of the parameters
            self.conn.execute(update(t.cases).where(t.cases.c.id == bindparam("case_key")), rows)
        if self.events:
            self.conn.execute(t.case_events.insert(), self.events)
        if self.outbox:
            self.conn.execute(t.notify_outbox.insert(), self.outbox)
