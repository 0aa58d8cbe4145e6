"""The case list model: windowed fetch from SQLite, sorting and filtering in SQL, the overdue role."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from PySide6.QtCore import Qt

from app.services import cases, importer
from app.services.workspace import Actor, Workspace
from app.storage.repo import CaseQuery
from samples import SKD_FIELDS
from ui.demo import backdated
from ui.models.case_table import CaseIdRole, CaseTableModel, OverdueRole, StatusRole

N = 450


@pytest.fixture
def many(ws: Workspace, petugas: Actor) -> list[str]:
    rows = [(f"35730201018500{i % 90 + 10:02d}", f"Warga {i:04d}", SKD_FIELDS) for i in range(N)]
    return importer.create_many(ws, petugas, "SKD", rows).ids


def _loaded(model: CaseTableModel, settle: Callable[..., None]) -> CaseTableModel:
    model.refresh(reset=True)
    settle()
    return model


def test_windowed_fetch_loads_only_the_pages_it_needs(ws, petugas, many, settle) -> None:  # type: ignore[no-untyped-def]
    model = _loaded(CaseTableModel(ws, CaseQuery(office=petugas.office), page_size=50, max_pages=3), settle)
    assert model.rowCount() == N and model.columnCount() == 8
    assert model.index(0, 3).data() is not None  # page 0 came with the count
    # A row far away is a placeholder until its page arrives, then real data.
    assert model.index(420, 3).data() is None
    settle()
    assert str(model.index(420, 3).data()).startswith("Warga ")
    assert model.index(420, 0).data(CaseIdRole) in many
    for row in range(0, N, 50):  # scroll through everything: the cache stays bounded
        model.index(row, 0).data()
        settle()
    assert len(model._pages) <= 3
    assert model.pages_fetched >= N // 50 - 1


def test_sort_is_done_by_sql(ws, petugas, many, settle) -> None:  # type: ignore[no-untyped-def]
    model = _loaded(CaseTableModel(ws, CaseQuery(office=petugas.office), page_size=100), settle)
    model.sort(3, Qt.SortOrder.AscendingOrder)  # "Nama"
    settle()
    assert model.query.sort == "name" and not model.query.descending
    assert model.index(0, 3).data() == "Warga 0000"
    model.sort(3, Qt.SortOrder.DescendingOrder)
    settle()
    assert model.index(0, 3).data() == f"Warga {N - 1:04d}"


def test_filters_search_by_nik_name_and_status(ws, petugas, many, settle) -> None:  # type: ignore[no-untyped-def]
    model = _loaded(CaseTableModel(ws, CaseQuery(office=petugas.office)), settle)
    model.update_query(search="Warga 0007")
    settle()
    assert model.rowCount() == 1 and model.index(0, 3).data() == "Warga 0007"
    model.update_query(search="3573020101850010")
    settle()
    assert model.rowCount() == N // 90
    model.update_query(search=None, status="submitted")
    settle()
    assert model.rowCount() == 0
    model.update_query(status="draft", service="SKD")
    settle()
    assert model.rowCount() == N
    assert model.index(0, 0).data(StatusRole) == "draft"


def test_overdue_rows_are_marked(ws, petugas, settle, make_case) -> None:  # type: ignore[no-untyped-def]
    with backdated(30):
        late = make_case(petugas, name="Terlambat")
    fresh = make_case(petugas, name="Baru", nik="3573024101900002")
    model = _loaded(CaseTableModel(ws, CaseQuery(sort="name", descending=False)), settle)
    rows = {model.index(r, 0).data(CaseIdRole): r for r in range(model.rowCount())}
    late_index, fresh_index = model.index(rows[late], 5), model.index(rows[fresh], 5)
    assert late_index.data(OverdueRole) is True and fresh_index.data(OverdueRole) is False
    assert late_index.data(Qt.ItemDataRole.BackgroundRole) is not None
    assert fresh_index.data(Qt.ItemDataRole.BackgroundRole) is None
    model.update_query(overdue_before=__import__("datetime").date.today().isoformat())
    settle()
    assert model.rowCount() == 1 and model.index(0, 0).data(CaseIdRole) == late


def test_changes_refresh_keeps_rows_and_shows_new_data(ws, petugas, settle, make_case) -> None:  # type: ignore[no-untyped-def]
    first = make_case(petugas)
    model = _loaded(CaseTableModel(ws), settle)
    assert model.rowCount() == 1
    cases.edit(ws, petugas, first, name="Nama Baru")
    model.refresh()
    settle()
    assert model.index(0, 3).data() == "Nama Baru"
