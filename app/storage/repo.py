"""SQL for cases, their history and the outbox: the only place the services' queries are spelled out."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, literal_column, or_, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.storage import meta
from app.storage.models import Attachment, Case, CaseEvent, OutboxOp, User

CASE_COLUMNS = (
    "id", "service", "office", "nik", "name", "fields", "status", "version", "server_version",
    "created_at", "updated_at", "created_by", "device", "due_date", "letter_number", "reason",
)  # letter_sha256 comes only from the server
OUTBOX_COLUMNS = ("op_id", "kind", "case_id", "base_version", "payload", "created_at", "state",
                  "priority", "attempts", "actor")
_CASE_INSERT = f"INSERT INTO cases ({', '.join(CASE_COLUMNS)}) VALUES ({', '.join('?' * len(CASE_COLUMNS))})"
_OUTBOX_INSERT = (f"INSERT INTO outbox ({', '.join(OUTBOX_COLUMNS)}) "
                  f"VALUES ({', '.join('?' * len(OUTBOX_COLUMNS))})")


def insert_cases(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    """Bulk insert of case rows in ``CASE_COLUMNS`` order (one executemany)."""
    with search_indexed_in_bulk(session, len(rows)):
        session.connection().exec_driver_sql(_CASE_INSERT, list(rows))


BULK_INDEX_MIN = 50
_INDEX_NEW = ("INSERT INTO cases_search (rowid, name, reg_no, letter_number) "
              "SELECT rowid, name, reg_no, letter_number FROM cases WHERE rowid > ?")


@contextlib.contextmanager
def search_indexed_in_bulk(session: Session, rows: int) -> Iterator[None]:
    """Around a bulk insert into ``cases``: the search index takes the new rows in one statement at the end
    instead of through its per-row trigger (FTS5 writes its pending entries out at every statement a trigger
    runs in: ~40× the cost of the insert itself). The trigger is dropped and recreated inside the caller's
    transaction, so a rollback or a crash leaves it in place."""
    conn = session.connection()
    trigger = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                                   "AND name = 'cases_search_insert'").first() if rows >= BULK_INDEX_MIN else None
    if trigger is None:  # a few rows, or the index is being rebuilt after an initial pull
        yield
        return
    before = conn.exec_driver_sql("SELECT coalesce(max(rowid), 0) FROM cases").scalar()
    conn.exec_driver_sql("DROP TRIGGER cases_search_insert")
    yield
    conn.exec_driver_sql(_INDEX_NEW, (before,))
    conn.exec_driver_sql(trigger[0])


def insert_outbox(session: Session, rows: Sequence[tuple[Any, ...]]) -> None:
    session.connection().exec_driver_sql(_OUTBOX_INSERT, list(rows))


def find_case(session: Session, ident: str, *, for_update: bool = False) -> list[Case]:
    """Cases whose id is ``ident`` or starts with it (a person may type the first characters)."""
    ident = ident.strip().lower()
    case = session.get(Case, ident)
    if case is not None:
        return [case]
    if "-" in ident and len(ident) <= 40:  # a registration number (SKD-2026-KLJ08-0042)
        by_reg = list(session.scalars(select(Case).where(Case.reg_no == ident.upper()).limit(2)))
        if by_reg:
            return by_reg
    if len(ident) < 4:
        return []
    stmt = select(Case).where(Case.id.like(ident.replace("%", "").replace("_", "") + "%")).limit(2)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class CaseQuery:
    status: str | None = None
    service: str | None = None
    office: str | None = None
    search: str | None = None
    sort: str = "updated_at"
    descending: bool = True
    overdue_before: str | None = None  # ISO date: due_date < this and still open
    # the signing queue: cases whose next signing step is taken at one of these offices (cases.next_office)
    next_offices: tuple[str, ...] | None = None
    # separation of duties: (person, "verify" | "approve", services that keep duties apart) leaves out the
    # cases that person may not act on (app/domain/duties.py), so a queue never lists what would be refused
    duties: tuple[str, str, tuple[str, ...]] | None = None


SORTABLE = {"updated_at", "created_at", "status", "service", "nik", "name", "due_date", "letter_number"}


def _duties_clause(person: str, action: str, services: tuple[str, ...]) -> ColumnElement[bool]:
    """Cases ``person`` may take ``action`` on: not registered by them, and for a signing step not verified by
    them (the latest verification counts, as on the server)."""
    conflict: ColumnElement[bool] = func.coalesce(Case.created_by, "") == person
    if action == "approve":
        verifier = (select(CaseEvent.actor).where(CaseEvent.case_id == Case.id, CaseEvent.action == "verify")
                    .order_by(CaseEvent.id.desc()).limit(1).scalar_subquery())
        conflict = or_(conflict, func.coalesce(verifier, "") == person)
    return ~and_(Case.service.in_(services), conflict) if services else literal_column("1") == 1


def text_search(q: CaseQuery) -> bool:
    """A name/registration/letter-number search (served by the trigram index from 3 characters on)."""
    return bool(q.search and q.search.strip() and not q.search.strip().isdigit())


SEARCH_MIN = 3  # the search index holds trigrams: a shorter term is matched by LIKE over the rows


def search_hits(term: str, *, with_ids: bool = False) -> Any:
    """The rowids of cases whose name, registration number or letter number contains ``term`` (case
    insensitive), from the FTS5 trigram index ``cases_search`` (migration 0010); ``with_ids`` adds the cases
    whose id starts with it. One set of rowids: SQLite then reads just those rows (an OR beside it would scan)."""
    phrase = '"' + term.replace('"', '""') + '"'
    sql = "SELECT rowid FROM cases_search WHERE cases_search MATCH :phrase"
    if with_ids:
        sql += " UNION ALL SELECT rowid FROM cases WHERE id >= :low AND id < :high"  # a set: no need to dedupe
        ident = term.lower()
        return text(sql).bindparams(phrase=phrase, low=ident, high=ident + "~").columns(literal_column("rowid"))
    return text(sql).bindparams(phrase=phrase).columns(literal_column("rowid"))


OTHERS_CAP = 300_000  # cases at other offices walked at most to count a common term's hits by difference


def count_common_hits(session: Session, q: CaseQuery) -> int | None:
    """The number of cases of ``q.office`` matching a common search term (no other filter), without reading
    the cases: all the term's hits (the search index's rowid set, counted as such) minus those at other
    offices (``office`` is never NULL), found by walking the office index's other ranges with the set as a
    filter. Reading each hit's row to test its office costs a page read per hit (~0.7 s for 40,000 hits in a
    million cases); the other offices' index entries are few on a laptop that mostly holds its own office's
    cases. None when the query has other filters or more than ``OTHERS_CAP`` cases are at other offices (the
    caller counts plainly)."""
    term = (q.search or "").strip()
    if (not text_search(q) or len(term) < SEARCH_MIN or not q.office or q.status or q.service
            or q.next_offices is not None or q.duties is not None or q.overdue_before):
        return None
    conn = session.connection()
    others = conn.exec_driver_sql(
        "SELECT count(*) FROM (SELECT 1 FROM cases WHERE office < ?1 UNION ALL "
        "SELECT 1 FROM cases WHERE office > ?1 LIMIT ?2)", (q.office, OTHERS_CAP)).scalar_one()
    if others >= OTHERS_CAP:
        return None
    ident = term.lower()
    phrase = '"' + term.replace('"', '""') + '"'
    # One rowid set, built once: both other ranges of the office index are walked in one MULTI-INDEX OR.
    found = conn.exec_driver_sql(
        "SELECT (SELECT count(*) FROM cases_search WHERE cases_search MATCH ?1) "
        "+ (SELECT count(*) FROM cases WHERE id >= ?2 AND id < ?3 "
        "   AND rowid NOT IN (SELECT rowid FROM cases_search WHERE cases_search MATCH ?1)) "
        "- (SELECT count(*) FROM cases WHERE (office < ?4 OR office > ?4) AND +cases.rowid IN "
        "   (SELECT rowid FROM cases_search WHERE cases_search MATCH ?1 "
        "    UNION ALL SELECT rowid FROM cases WHERE id >= ?2 AND id < ?3))",
        (phrase, ident, ident + "~", q.office)).scalar_one()
    return int(found)


def few_hits(session: Session, q: CaseQuery, under: int = 2000) -> bool:
    """True when the search index holds fewer than ``under`` entries for the text search (at any office): the
    hits are then fetched by rowid and sorted, cheaper than walking the sort index for a page of them."""
    term = (q.search or "").strip()
    if not text_search(q) or len(term) < SEARCH_MIN:
        return False
    hits = search_hits(term).subquery()
    found = session.execute(select(func.count()).select_from(select(hits).limit(under).subquery())).scalar_one()
    return int(found) < under


def case_filter(q: CaseQuery, *, scan: bool = False, index: bool = True, walk: bool = False) -> Select[Case]:
    """The WHERE of the case list. A text search uses the search index unless ``index`` is False (a walk of
    the sort index that stops at the first page checks each row's text instead). With ``walk`` the search
    index's rowid set is only a filter (``+rowid``): SQLite walks the sort index and tests each entry's rowid
    against the set before it reads the row, so a common term's first page costs a few thousand index
    entries instead of reading and sorting every hit."""
    stmt = select(Case)
    term = (q.search or "").strip()
    # The search index's hits drive the query: "+column" keeps SQLite off the other indexes, as does a scan
    # for a filter that matches most rows (see list_cases).
    plain = scan or (index and text_search(q) and len(term) >= SEARCH_MIN)

    def col(name: str) -> Any:
        return literal_column(f"+cases.{name}") if plain else getattr(Case, name)

    if q.status:
        stmt = stmt.where(col("status") == q.status)
    if q.service:
        stmt = stmt.where(col("service") == q.service.upper())
    if q.office:
        stmt = stmt.where(col("office") == q.office)
    if q.next_offices is not None:
        stmt = stmt.where(Case.next_office.in_(q.next_offices))
    if q.duties is not None:
        stmt = stmt.where(_duties_clause(*q.duties))
    if q.overdue_before:
        stmt = stmt.where(Case.due_date < q.overdue_before,
                          Case.status.not_in(("issued", "rejected", "withdrawn")))
    if term:
        if term.isdigit() and len(term) == 16:
            stmt = stmt.where(Case.nik == term)
        elif term.isdigit():  # a range, not LIKE: SQLite's LIKE ignores case and so cannot use ix_cases_nik
            stmt = stmt.where(Case.nik >= term, Case.nik < term + "~")
        else:
            ident = term.lower()
            by_id = and_(Case.id >= ident, Case.id < ident + "~")
            if index and len(term) >= SEARCH_MIN:
                rowid: ColumnElement[Any] = literal_column("+cases.rowid" if walk else "cases.rowid")
                stmt = stmt.where(rowid.in_(search_hits(term, with_ids=True)))
            else:
                like = f"%{term}%"
                stmt = stmt.where(or_(Case.name.like(like), Case.reg_no.like(like), Case.letter_number.like(like),
                                      by_id))
    return stmt


def list_cases(session: Session, q: CaseQuery, offset: int = 0, limit: int | None = 200) -> list[Case]:
    return list(session.scalars(_list_stmt(q, offset, limit)))


def page_with_total(session: Session, q: CaseQuery, offset: int, limit: int, *,
                    index: bool = True) -> tuple[list[Case], int | None]:
    """One page and the number of all matches from a single statement (``count(*) OVER ()``): a text search
    scans the office's cases anyway, so counting in the same pass saves a second scan. The total is None
    when the page is empty past the first row (nothing to read it from)."""
    rows = session.execute(_list_stmt(q, offset, limit, index=index).add_columns(func.count().over())).all()
    if not rows:
        return [], (0 if offset == 0 else None)
    return [r[0] for r in rows], int(rows[0][1])


def list_cases_within(session: Session, q: CaseQuery, offset: int, limit: int,
                      budget: int = 150, walk: bool = True) -> list[Case] | None:
    """``list_cases`` walking the sort index even for a text search (its hits from the search index as a
    rowid filter, see ``case_filter(walk=)``), given up (None) after ``budget`` × 10,000 SQLite VM steps. A
    common name fills a page after a few thousand index entries; a rare one would walk the whole index, and
    the caller then reads its hits instead (``page_with_total``)."""
    raw = session.connection().connection.driver_connection
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 1 if steps[0] > budget else 0

    raw.set_progress_handler(tick, 10_000)  # type: ignore[union-attr]
    try:
        rows = list(session.scalars(_list_stmt(q, offset, limit, scan=False, index=walk, walk=walk)))
    except OperationalError:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]
        if steps[0] > budget:  # interrupted by tick(), not a real failure
            session.rollback()
            return None
        raise
    raw.set_progress_handler(None, 0)  # type: ignore[union-attr]
    return rows


def _list_stmt(q: CaseQuery, offset: int, limit: int | None, scan: bool | None = None,
               index: bool = True, walk: bool = False) -> Select[Case]:
    key = q.sort if q.sort in SORTABLE else "updated_at"
    # A substring search reads every case anyway: one sequential scan and a sort of the hits (~0.25 s at a
    # million cases) beats walking the sort index with a table lookup per row (~1 s when hits are rare).
    scan = text_search(q) if scan is None else scan
    # A walk keeps a plain list's filters off their indexes (the sort index drives) and stops at the page.
    filters_plain = scan or (walk and not text_search(q))
    column: ColumnElement[Any] = literal_column(f"+cases.{key}") if scan and not walk else getattr(Case, key)
    # Ties are broken by rowid: an index on (column) is ordered by (column, rowid), so SQLite reads the
    # page straight from the index instead of sorting every matching row (see migration 0004).
    rowid: ColumnElement[Any] = literal_column("cases.rowid")
    order = [column.desc() if q.descending else column.asc(), rowid.desc() if q.descending else rowid.asc()]
    stmt = case_filter(q, scan=filters_plain, index=index, walk=walk).order_by(*order).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return stmt


def count_cases(session: Session, q: CaseQuery, *, index: bool = True) -> int:
    # maintain_column_froms: without a WHERE the count would otherwise lose its FROM and answer 1.
    stmt = case_filter(q, index=index).with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return int(session.execute(stmt).scalar_one())


def open_cases_for(session: Session, nik: str, service: str) -> list[Case]:
    stmt = select(Case).where(Case.nik == nik, Case.service == service,
                              Case.status.not_in(("issued", "rejected", "withdrawn")))
    return list(session.scalars(stmt))


def events_of(session: Session, case_id: str) -> list[CaseEvent]:
    return list(session.scalars(select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)))


def device_names(session: Session) -> dict[str, str]:
    """Names of the devices the server told this laptop about (by server device id)."""
    return {r[0]: r[1] for r in session.execute(text("SELECT id, name FROM device_names"))}


def own_devices(session: Session) -> set[str]:
    """The server's device ids of this laptop (one per enrolled user)."""
    return meta.server_devices(session)


def attachments_of(session: Session, case_id: str) -> list[Attachment]:
    return list(session.scalars(select(Attachment).where(Attachment.case_id == case_id).order_by(Attachment.id)))


def outbox_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(OutboxOp.state, func.count()).group_by(OutboxOp.state))
    return {state: int(n) for state, n in rows}


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def status_counts(session: Session) -> dict[str, int]:
    rows = session.execute(select(Case.status, func.count()).group_by(Case.status))
    return {s: int(n) for s, n in rows}


def integrity_check(session: Session) -> list[str]:
    return [r[0] for r in session.execute(text("PRAGMA integrity_check"))]


def reg_numbers(session: Session, ids: Iterable[str]) -> dict[str, str]:
    """The registration number of each of ``ids`` that has one."""
    rows = session.execute(select(Case.id, Case.reg_no).where(Case.id.in_(list(ids)), Case.reg_no.is_not(None)))
    return {case_id: reg_no for case_id, reg_no in rows if reg_no}


def iter_ids(session: Session, ids: Iterable[str]) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.id.in_(list(ids)))))


# --- Read queries for the desktop client's dashboard (ui/views/dashboard.py via services/dashboard.py) ---

_CLOSED = ("issued", "rejected", "withdrawn")


def cases_per_service(session: Session) -> dict[str, int]:
    rows = session.execute(select(Case.service, func.count()).group_by(Case.service))
    return {s: int(n) for s, n in rows}


def overdue_per_office(session: Session, today_iso: str) -> dict[str, int]:
    """Open cases whose due date is before ``today_iso``, per office."""
    stmt = (select(Case.office, func.count()).where(Case.due_date < today_iso, Case.status.not_in(_CLOSED))
            .group_by(Case.office))
    return {o: int(n) for o, n in session.execute(stmt)}


def activity_per_day(session: Session, since_iso: str) -> dict[str, int]:
    """Registrations plus lifecycle events per calendar day (``YYYY-MM-DD``) since ``since_iso``."""
    out: dict[str, int] = {}
    for column in (Case.created_at, CaseEvent.at):
        day = func.substr(column, 1, 10)
        stmt = select(day, func.count()).where(column >= since_iso).group_by(day)
        for d, n in session.execute(stmt):
            out[d] = out.get(d, 0) + int(n)
    return out
