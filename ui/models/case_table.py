"""The case list: a ``QAbstractTableModel`` over windowed SQL queries (after Anki's browser table model).

Only the row count and a few pages of ``page_size`` rows are ever in memory. ``data()`` reads a tuple from a
cached page; a missing page is asked for on the DB lane (``queries.case_page(offset, limit)``) and the rows
repaint when it arrives. Display strings are prepared in the worker, so painting does no formatting and no
SQL. Sorting and filtering are a new :class:`~app.services.queries.CaseQuery`, i.e. done by SQLite.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from dataclasses import replace
from typing import Any, NamedTuple

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from app import clock, timefmt
from app.domain.lifecycle import CaseStatus
from app.services import queries
from app.services.queries import CaseQuery
from app.services.workspace import Workspace
from app.storage.models import Case
from ui.tasks import op

CaseIdRole = Qt.ItemDataRole.UserRole + 1
OverdueRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3

# (column key, sort key in SQL)
COLUMNS: tuple[tuple[str, str], ...] = (
    ("case", "created_at"),
    ("service", "service"),
    ("nik", "nik"),
    ("name", "name"),
    ("status", "status"),
    ("due", "due_date"),
    ("updated", "updated_at"),
    ("letter", "letter_number"),
)
_OVERDUE_BRUSH = QBrush(QColor(253, 226, 226))
_OVERDUE_TEXT = QBrush(QColor(150, 20, 20))
_Index = QModelIndex | QPersistentModelIndex


class CaseRow(NamedTuple):
    id: str
    cells: tuple[str, ...]
    status: str
    overdue: bool
    service_name: str


def _short_date(iso: str | None) -> str:
    if not iso:
        return ""
    try:
        return dt.date.fromisoformat(iso[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return iso


def local_time(iso: str | None) -> str:
    """An ISO UTC time as dd/mm/yyyy hh.mm in Malang's time (WIB), whatever the machine's zone."""
    return timefmt.moment_short(iso) if iso else ""


def _rows(ws: Workspace, cases: list[Case]) -> list[CaseRow]:
    today = clock.today().isoformat()
    out: list[CaseRow] = []
    for c in cases:
        status = CaseStatus(c.status)
        overdue = status.is_open and c.due_date < today
        service = ws.catalog.services.get(c.service)
        out.append(CaseRow(c.id, (c.reg_no or c.id[:8], c.service, c.nik or "", c.name, status.label,
                                  _short_date(c.due_date),
                                  local_time(c.updated_at), c.letter_number or ""),
                           c.status, overdue, service.name if service else c.service))
    return out


def fetch_page(ws: Workspace, q: CaseQuery, offset: int, limit: int, total: int | None = None) -> list[CaseRow]:
    """One page of display-ready rows. Runs in a worker."""
    return _rows(ws, queries.case_page(ws, q, offset, limit, total))


def fetch_first(ws: Workspace, q: CaseQuery, limit: int) -> tuple[int | None, list[CaseRow]]:
    """The first page, and the row count when it comes cheaply; else None and the model counts next."""
    total, cases = queries.first_page(ws, q, limit)
    return total, _rows(ws, cases)


def fetch_count(ws: Workspace, q: CaseQuery) -> int:
    return queries.case_count(ws, q)


class CaseTableModel(QAbstractTableModel):
    """Rows of the case list (``queries.case_page``).

    A (re)query shows its first page as soon as it is read (``loaded``); when that page is full the total is
    counted next and the rows beyond it appear when the count is in (``counted``). ``busy`` is True until both.
    """

    loaded = Signal()
    counted = Signal()
    page_loaded = Signal(int)

    def __init__(self, ws: Workspace, query: CaseQuery | None = None, *, page_size: int = 200,
                 max_pages: int = 6, parent: Any = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self._query = query or CaseQuery()
        self.page_size = page_size
        self.max_pages = max(3, max_pages)
        self._count = 0
        self._pages: OrderedDict[int, list[CaseRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self.pages_fetched = 0
        self.loading = False
        self.counting = False

    # ---- query -------------------------------------------------------------------------------------
    @property
    def query(self) -> CaseQuery:
        return self._query

    def set_query(self, query: CaseQuery) -> None:
        if query != self._query:
            self._query = query
            self.refresh(reset=True)

    def update_query(self, **changes: Any) -> None:
        self.set_query(replace(self._query, **changes))

    def refresh(self, reset: bool = False) -> None:
        """Re-run the query. Without ``reset`` rows stay on screen (and selected) until the new data is in."""
        self._generation += 1
        gen, q, size = self._generation, self._query, self.page_size
        self.loading = True
        self.counting = False
        self._pending.clear()
        op(lambda: fetch_first(self.ws, q, size)).success(
            lambda result: self._first_arrived(gen, reset, *result)).run_in_background()

    @property
    def busy(self) -> bool:
        return self.loading or self.counting

    def _first_arrived(self, gen: int, reset: bool, exact: int | None, rows: list[CaseRow]) -> None:
        if gen != self._generation:
            return
        self.loading = False
        count = exact if exact is not None else max(len(rows), self._count if not reset else 0)
        if exact is None:
            self.counting = True
            q = self._query
            op(lambda: fetch_count(self.ws, q)).success(
                lambda n: self._count_arrived(gen, n)).run_in_background()
        if reset or count != self._count:
            self.beginResetModel()
            self._count = count
            self._pages.clear()
            self._pages[0] = rows
            self.endResetModel()
        else:
            self._pages.clear()
            self._pages[0] = rows
            if count:
                self.dataChanged.emit(self.index(0, 0), self.index(count - 1, len(COLUMNS) - 1))
        self.loaded.emit()
        if exact is not None:
            self.counted.emit()

    def _count_arrived(self, gen: int, count: int) -> None:
        if gen != self._generation:
            return
        self.counting = False
        if count > self._count:
            self.beginInsertRows(QModelIndex(), self._count, count - 1)
            self._count = count
            self.endInsertRows()
        elif count < self._count:
            self.beginRemoveRows(QModelIndex(), count, self._count - 1)
            self._count = count
            self.endRemoveRows()
        self.counted.emit()

    # ---- paging ------------------------------------------------------------------------------------
    def _request(self, page: int) -> None:
        if page in self._pending or page < 0 or page * self.page_size >= self._count:
            return
        self._pending.add(page)
        gen, q, size, total = self._generation, self._query, self.page_size, self._count

        def work() -> list[CaseRow] | None:
            if gen != self._generation:  # the query changed while this waited in the lane: skip the SQL
                return None
            return fetch_page(self.ws, q, page * size, size, total)

        op(work).success(lambda rows: self._page_arrived(gen, page, rows)).run_in_background()

    def _page_arrived(self, gen: int, page: int, rows: list[CaseRow] | None) -> None:
        if gen != self._generation or rows is None:
            return
        self._pending.discard(page)
        self.pages_fetched += 1
        self._pages[page] = rows
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        first = page * self.page_size
        last = min(first + self.page_size, self._count) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.page_loaded.emit(page)

    def row_at(self, row: int) -> CaseRow | None:
        """The row if its page is cached (asks for it otherwise). Cheap: dict lookup and list index."""
        page, pos = divmod(row, self.page_size)
        rows = self._pages.get(page)
        if rows is None:
            self._request(page)
            return None
        self._pages.move_to_end(page)
        if pos >= self.page_size * 3 // 4:
            if page + 1 not in self._pages:
                self._request(page + 1)
        elif pos < self.page_size // 4 and page > 0 and page - 1 not in self._pages:
            self._request(page - 1)
        return rows[pos] if pos < len(rows) else None

    def case_id(self, row: int) -> str | None:
        r = self.row_at(row)
        return r.id if r else None

    def row_of(self, case_id: str) -> int | None:
        for page, rows in self._pages.items():
            for i, r in enumerate(rows):
                if r.id == case_id:
                    return page * self.page_size + i
        return None

    # ---- Qt model API ------------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.row_at(index.row())
        if r is None:
            return "…" if role == Qt.ItemDataRole.DisplayRole and index.column() == 0 else None
        if role == Qt.ItemDataRole.DisplayRole:
            return r.cells[index.column()]
        if role == CaseIdRole:
            return r.id
        if role == OverdueRole:
            return r.overdue
        if role == StatusRole:
            return r.status
        if r.overdue:
            if role == Qt.ItemDataRole.BackgroundRole:
                return _OVERDUE_BRUSH
            if role == Qt.ItemDataRole.ForegroundRole:
                return _OVERDUE_TEXT
        if role == Qt.ItemDataRole.ToolTipRole:
            if index.column() == 1:
                return r.service_name
            if r.overdue and index.column() == 5:
                return self.tr("Lewat tenggat")
        if role == Qt.ItemDataRole.AccessibleTextRole:
            text = r.cells[index.column()]
            return f"{text}, {self.tr('lewat tenggat')}" if r.overdue and index.column() == 0 else text
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.titles()[section]

    def titles(self) -> list[str]:
        return [self.tr("Berkas"), self.tr("Layanan"), self.tr("NIK"), self.tr("Nama"), self.tr("Status"),
                self.tr("Tenggat"), self.tr("Diperbarui (WIB)"), self.tr("Nomor surat")]

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if 0 <= column < len(COLUMNS):
            self.update_query(sort=COLUMNS[column][1], descending=order == Qt.SortOrder.DescendingOrder)

    def sort_column(self) -> int:
        keys = [c[1] for c in COLUMNS]
        return keys.index(self._query.sort) if self._query.sort in keys else 6
