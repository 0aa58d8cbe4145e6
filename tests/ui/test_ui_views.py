"""Dashboard numbers, the conflicts screen with an injected source, the demo profile, Enter opens a case,
accessible names, and the real entry point starting to an interactive window."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QComboBox, QLineEdit, QPlainTextEdit, QTableView

from app.domain.lifecycle import Action
from app.services import dashboard
from support.store_keys import share_with_subprocesses
from ui import demo
from ui.actions import Engines
from ui.dialogs.intake import IntakeDialog
from ui.main_window import MainWindow
from ui.views.case_detail import CaseDetailDialog
from ui.views.conflicts import Conflict, ConflictsView
from ui.views.dashboard import DashboardView

ROOT = Path(__file__).resolve().parents[2]


def test_dashboard_counts_from_sqlite(ws, staff, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    make_case(staff["petugas"])
    make_case(staff["petugas"], ((staff["petugas"], Action.SUBMIT), (staff["verifikator"], Action.VERIFY)),
              nik="3573015708900003")
    data = dashboard.snapshot(ws)
    assert dict(data.per_status)["Draf"] == 1 and dict(data.per_status)["Terverifikasi"] == 1
    assert data.per_service == [("SKD", 2)] and data.pending_signatures == 1 and data.total == 2
    assert sum(n for _, n in data.per_week) == 2 + 2  # two registrations, a submit and a verify
    view = DashboardView(ws)
    qtbot.addWidget(view)
    view.resize(1000, 700)
    view.show()
    view.reload()
    settle()
    assert view.pending.value.text() == "1" and view.per_service.items == [("SKD", 2)]
    view.grab()  # paints every chart without error


class FakeConflicts:
    def __init__(self) -> None:
        self.items = [Conflict("c1", "case-1", "SKD · Budi", "alamat", "Alamat", "Jl. A", "Jl. B"),
                      Conflict("c2", "case-1", "SKD · Budi", "telepon", "Telepon", "0811", None)]
        self.resolved: list[tuple[str, str]] = []

    def list(self) -> Sequence[Conflict]:
        return [c for c in self.items if c.id not in {r[0] for r in self.resolved}]

    def resolve(self, conflict_id: str, keep: str) -> None:
        self.resolved.append((conflict_id, keep))


def test_conflicts_show_both_values_and_resolve_the_pick(qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    source = FakeConflicts()
    view = ConflictsView(source)
    qtbot.addWidget(view)
    view.reload()
    settle()
    assert set(view.groups) == {"c1", "c2"}
    assert view.groups["c2"].button(1).text() == "(kosong)"
    view.groups["c1"].button(0).setChecked(True)  # keep this device's address
    view.apply_button.click()
    settle()
    assert sorted(source.resolved) == [("c1", "mine"), ("c2", "theirs")]
    assert view.groups == {} and not view.apply_button.isEnabled()


def test_conflicts_without_a_source_say_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = ConflictsView(None)
    qtbot.addWidget(view)
    assert "belum disiapkan" in view.note.text() and not view.apply_button.isEnabled()


def test_demo_profile_is_created_once(tmp_path: Path) -> None:
    from app.services.workspace import Workspace
    from app.storage import repo

    def counted(profile: Path) -> dict[str, int]:
        ws = Workspace(profile)
        try:
            with ws.db.read() as s:
                return dict(repo.status_counts(s))
        finally:
            ws.close()

    profile = demo.prepare(tmp_path, count=6)
    first = counted(profile)
    demo.prepare(tmp_path, count=6)  # a second run adds nothing (6 counter cases + the rekaps' seed)
    ws = Workspace(profile)
    try:
        assert [u.username for u in ws.users()] == ["bambang", "lurah", "siti"]
        with ws.db.read() as s:
            counts = repo.status_counts(s)
        assert dict(counts) == first and sum(counts.values()) >= 6 and len(counts) >= 3
        assert ws.actor().username == "siti"
    finally:
        ws.close()


def test_enter_on_a_row_opens_the_case(ws, petugas, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    make_case(petugas)
    window = MainWindow(ws, petugas, Engines())
    qtbot.addWidget(window)
    window.show()
    settle()
    table: QTableView = window.cases.table
    table.setFocus()
    table.selectRow(0)
    QTest.keyClick(table, Qt.Key.Key_Return)
    settle()
    dialogs = window.findChildren(CaseDetailDialog)
    assert len(dialogs) == 1 and dialogs[0].isVisible()
    QTest.keyClick(dialogs[0], Qt.Key.Key_Escape)
    assert not dialogs[0].isVisible()


def test_controls_have_accessible_names(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(ws, petugas, Engines())
    dialog = IntakeDialog(ws, petugas)
    for w in (window, dialog):
        qtbot.addWidget(w)
    settle()
    kinds = (QLineEdit, QComboBox, QPlainTextEdit, QAbstractButton, QTableView)
    for root in (window, dialog):
        controls = [c for kind in kinds for c in root.findChildren(kind)]
        unnamed = [type(c).__name__ for c in controls
                   if c.isVisibleTo(root) and not (c.accessibleName() or getattr(c, "text", lambda: "")())]
        assert unnamed == [], unnamed


def test_entry_point_starts_to_an_interactive_window(tmp_path: Path) -> None:
    profile = demo.prepare(tmp_path, count=2)
    share_with_subprocesses(profile / "loket.db")  # the GUI process reads the store key from the OS keyring
    env = {**os.environ, "LOKET_STARTUP_PROBE": "1", "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run([sys.executable, "-m", "ui.app", "--profile", str(profile), "--lang", "en"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("LOKET_READY ")
    assert (profile / "logs" / "loket.log").exists()


def test_login_enrols_with_the_injected_function(ws, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    from samples import OFFICE
    from ui.dialogs.login import LoginDialog

    calls: list[tuple[str, str, str | None]] = []

    def enroll(server: str, code: str, pin: str | None) -> dict[str, str]:
        calls.append((server, code, pin))
        ws.add_local_user("dewi", "Dewi Lurah", "penandatangan", OFFICE, enrolled=True)
        ws.use("dewi")
        return {"user": "dewi"}

    missing = LoginDialog(ws, None)
    qtbot.addWidget(missing)
    assert missing.tabs.currentIndex() == 1 and "belum disiapkan" in missing.enrol_message.text()
    dialog = LoginDialog(ws, enroll)
    qtbot.addWidget(dialog)
    dialog.server.setText("https://loket.example")
    dialog.code.setText("ABCD-EFGH")
    dialog.pin.setText("246810")
    dialog.pin_again.setText("246811")
    dialog.enrol_button.click()
    assert calls == [] and "tidak sama" in dialog.enrol_message.text()
    dialog.pin.setText("246810")
    dialog.pin_again.setText("246810")
    dialog.enrol_button.click()
    settle()
    assert calls == [("https://loket.example", "ABCD-EFGH", "246810")]
    assert dialog.username == "dewi" and dialog.result() == LoginDialog.DialogCode.Accepted
    assert dialog.pin.text() == ""


def test_the_engines_render_the_real_letter_preview_and_map_approvals(ws, staff, make_case, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from app.services import approvals
    from ui import actions
    from ui.widgets import pdf_first_page

    case_id = make_case(staff["petugas"], ((staff["petugas"], Action.SUBMIT), (staff["verifikator"], Action.VERIFY)))
    pdf = actions.preview_for(ws, staff["penandatangan"])(case_id)
    assert pdf is not None and pdf.startswith(b"%PDF")
    image = pdf_first_page(pdf, 400)
    assert image is not None and image.width() == 400

    assert actions.signing_for(ws, staff["petugas"]) is None  # not a signer
    monkeypatch.setattr(approvals.KeyStore, "has_key", lambda self: False)
    assert actions.signing_for(ws, staff["penandatangan"]) is None  # no key on this device
    monkeypatch.setattr(approvals.KeyStore, "has_key", lambda self: True)

    def fake(ws_, actor, ids, pin, *, progress=None, cancel=None):  # type: ignore[no-untyped-def]
        for i, _ in enumerate(ids):
            progress(i, len(ids), "")
        return [approvals.Approved(ids[0], "approved", "400.12.2.3/1/OR/2026"),
                approvals.Approved(ids[1], "refused", None, "Versi berkas sudah berubah.")]

    monkeypatch.setattr(approvals, "approve_batch", fake)
    run = actions.signing_for(ws, staff["penandatangan"])
    assert run is not None
    seen: list[tuple[int, int]] = []
    out = run(["a", "b"], "1234", lambda d, t: seen.append((d, t)))
    assert [(o.case_id, o.ok, o.reason, o.letter_number) for o in out] == [
        ("a", True, None, "400.12.2.3/1/OR/2026"), ("b", False, "Versi berkas sudah berubah.", None)]
    assert seen == [(0, 2), (1, 2)]
