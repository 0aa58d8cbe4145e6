"""Sync conflicts: the same field changed here and on the server. Both values side by side; the person picks.

The view reads a ``ConflictSource`` (``list()`` and ``resolve(id, keep)``): :class:`ConflictAdapter` over the
core's conflicts service in the application, a stand-in in tests. Without one, the screen says that sync is not
set up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtWidgets import (
    QButtonGroup,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.services import queries
from app.services.workspace import Actor, Workspace
from ui import errors
from ui.tasks import Lane, op


@dataclass(frozen=True)
class Conflict:
    """One field changed on this device and on the server since the common base version."""

    id: str
    case_id: str
    case_label: str  # e.g. "SKTM · Budi Santoso"
    field: str
    field_label: str
    local: str | None
    remote: str | None


class ConflictSource(Protocol):
    def list(self) -> Sequence[Conflict]: ...

    def resolve(self, conflict_id: str, keep: str) -> Any:  # keep: "mine" (this device) or "theirs" (server)
        ...


class ConflictAdapter:
    """``ConflictSource`` over the core's conflicts service (both values side by side, a person picks)."""

    def __init__(self, ws: Workspace, actor: Actor) -> None:
        self.ws, self.actor = ws, actor

    def list(self) -> list[Conflict]:
        from app.services import conflicts

        out = []
        waiting = conflicts.list_open(self.ws)
        cases = queries.cases_by_id(self.ws, {v.case_id for v in waiting})
        for item in waiting:
            case = cases.get(item.case_id)
            service = self.ws.catalog.services.get(case.service) if case else None
            spec = service.field(item.field) if service else None
            out.append(Conflict(item.id, item.case_id, f"{case.service} · {case.name}" if case else item.case_id,
                                item.field, spec.label if spec else item.field,
                                None if item.mine is None else str(item.mine),
                                None if item.theirs is None else str(item.theirs)))
        return out

    def resolve(self, conflict_id: str, keep: str) -> Any:
        from app.services import conflicts

        return conflicts.resolve(self.ws, self.actor, conflict_id, keep)


class ConflictsView(QWidget):
    def __init__(self, source: ConflictSource | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.source = source
        self.conflicts: list[Conflict] = []
        self.refused = 0  # steps the server refused, waiting in the Ditolak server list (not conflicts)
        self.groups: dict[str, QButtonGroup] = {}
        title = QLabel(self.tr("Konflik sinkronisasi"), self)
        title.setStyleSheet("font-size: 14pt; font-weight: 600;")
        self.note = QLabel(self)
        self.note.setWordWrap(True)
        self.host = QWidget(self)
        self.grid = QGridLayout(self.host)
        self.grid.setHorizontalSpacing(18)
        self.grid.setColumnStretch(2, 1)
        self.grid.setColumnStretch(3, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.host)
        self.apply_button = QPushButton(self.tr("&Simpan pilihan"), self)
        self.apply_button.setAccessibleName(self.tr("Simpan pilihan konflik"))
        self.apply_button.clicked.connect(self.apply)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.apply_button)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(self.note)
        layout.addWidget(scroll, 1)
        layout.addLayout(buttons)
        self._render()

    def set_refused(self, count: int) -> None:
        if count != self.refused:
            self.refused = count
            if not self.conflicts:  # never rebuild choices a person is making
                self._render()

    def activate(self) -> None:
        self.reload()

    def reload(self) -> None:
        source = self.source
        if source is None:
            self._render()
            return
        op(lambda: list(source.list())).success(self._loaded).failure(errors.failure_handler(self)) \
            .run_in_background(Lane.DB)

    def _loaded(self, conflicts: list[Conflict]) -> None:
        self.conflicts = conflicts
        self._render()

    def _render(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            w = item.widget() if item is not None else None
            if w is not None:
                w.deleteLater()
        self.groups.clear()
        if self.source is None:
            self.note.setText(self.tr("Sinkronisasi belum disiapkan di perangkat ini, jadi belum ada konflik."))
            self.apply_button.setEnabled(False)
            return
        if not self.conflicts:
            if self.refused:
                self.note.setText(self.tr("Tidak ada konflik isian. Namun {n} langkah ditolak server dan menunggu "
                                          "tindakan: buka \u201cDitolak server\u201d di bilah status "
                                          "(Ctrl+Shift+R).").format(n=self.refused))
            else:
                self.note.setText(self.tr("Tidak ada konflik. Semua perubahan sudah cocok dengan server."))
            self.apply_button.setEnabled(False)
            return
        self.note.setText(self.tr("Isian berikut diubah di perangkat ini dan di server sejak sinkronisasi "
                                  "terakhir. Pilih nilai yang benar untuk setiap isian."))
        self.apply_button.setEnabled(True)
        for col, text in enumerate((self.tr("Berkas"), self.tr("Isian"), self.tr("Nilai di perangkat ini"),
                                    self.tr("Nilai di server"))):
            head = QLabel(f"<b>{text}</b>", self.host)
            self.grid.addWidget(head, 0, col)
        for row, c in enumerate(self.conflicts, start=1):
            self.grid.addWidget(QLabel(c.case_label, self.host), row, 0)
            self.grid.addWidget(QLabel(c.field_label, self.host), row, 1)
            group = QButtonGroup(self)
            local = QRadioButton(c.local if c.local not in (None, "") else self.tr("(kosong)"), self.host)
            remote = QRadioButton(c.remote if c.remote not in (None, "") else self.tr("(kosong)"), self.host)
            local.setAccessibleName(self.tr("{field}: pakai nilai perangkat ini, {v}").format(
                field=c.field_label, v=local.text()))
            remote.setAccessibleName(self.tr("{field}: pakai nilai server, {v}").format(
                field=c.field_label, v=remote.text()))
            group.addButton(local, 0)
            group.addButton(remote, 1)
            remote.setChecked(True)
            self.grid.addWidget(local, row, 2)
            self.grid.addWidget(remote, row, 3)
            self.groups[c.id] = group
        self.grid.setRowStretch(len(self.conflicts) + 1, 1)

    def choices(self) -> dict[str, str]:
        return {cid: ("mine" if g.checkedId() == 0 else "theirs") for cid, g in self.groups.items()}

    def apply(self) -> None:
        source = self.source
        if source is None:
            return
        picked = self.choices()

        def work() -> int:
            for cid, keep in picked.items():
                source.resolve(cid, keep)
            return len(picked)

        op(work).success(lambda _n: self.reload()).failure(errors.failure_handler(self)).run_in_background()
