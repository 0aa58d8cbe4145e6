"""Verifier and signing queues; the signing engine is a fake (the only fake: it is not built yet)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtWidgets import QProgressDialog

from app.domain.lifecycle import Action
from app.services import cases
from ui.actions import ApprovalOutcome, Engines
from ui.views.queues import QueueView


class FakeSigner:
    """Stands in for ``approve_batch``: approves every case but the stale one, reporting progress."""

    def __init__(self, stale: str) -> None:
        self.stale = stale
        self.calls: list[tuple[list[str], str]] = []
        self.progress: list[tuple[int, int]] = []

    def __call__(self, ids: Sequence[str], pin: str, progress: Callable[[int, int], None]) -> list[ApprovalOutcome]:
        self.calls.append((list(ids), pin))
        out = []
        for i, case_id in enumerate(ids, start=1):
            progress(i, len(ids))
            self.progress.append((i, len(ids)))
            if case_id == self.stale:
                out.append(ApprovalOutcome(case_id, False, "Berkas sudah diubah di server; periksa ulang."))
            else:
                out.append(ApprovalOutcome(case_id, True, None, f"400.12.2.3/{i}/OR/2026"))
        return out


def _verified(make_case, staff, n: int) -> list[str]:  # type: ignore[no-untyped-def]
    steps = ((staff["petugas"], Action.SUBMIT), (staff["verifikator"], Action.VERIFY))
    return [make_case(staff["petugas"], steps, nik=f"35730201018500{10 + i:02d}", name=f"Warga {i}")
            for i in range(n)]


def test_signing_queue_batch_asks_pin_once_and_lists_refusals(ws, staff, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    ids = _verified(make_case, staff, 3)
    signer = FakeSigner(stale=ids[1])
    view = QueueView(ws, staff["penandatangan"], "sign", Engines(approve_batch=signer))
    qtbot.addWidget(view)
    view.show()
    settle()
    assert view.model.rowCount() == 3 and view.buttons["approve"].isEnabled()
    view.table.selectAll()
    assert sorted(view.selected_ids()) == sorted(ids)
    pins: list[int] = []
    started = view.approve_selected(ask_pin=lambda n: pins.append(n) or "582047")
    assert started
    dialog = view.property("signing_progress")
    assert isinstance(dialog, QProgressDialog)
    settle(100)
    assert pins == [3]  # one PIN for the whole batch
    assert len(signer.calls) == 1 and sorted(signer.calls[0][0]) == sorted(ids) and signer.calls[0][1] == "582047"
    assert signer.progress == [(1, 3), (2, 3), (3, 3)]
    assert view.progress_seen == [(1, 3), (2, 3), (3, 3)]  # relayed to the GUI thread, in order
    assert view.property("signing_progress") is None  # closed
    assert view.result_summary.text() == "2 disetujui, 1 ditolak atau kedaluwarsa."
    reg_no = cases.show(ws, ids[1])["reg_no"]  # named as people name it, by its registration number
    assert view.result_list.item(0).text() == f"{reg_no} — Berkas sudah diubah di server; periksa ulang."


def test_without_signing_engine_the_button_says_why(ws, staff, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    view = QueueView(ws, staff["penandatangan"], "sign", Engines())
    qtbot.addWidget(view)
    settle()
    button = view.buttons["approve"]
    assert not button.isEnabled()
    assert button.toolTip() == "Penandatanganan belum disiapkan di perangkat ini."


def test_verifier_queue_shows_submitted_cases_and_verifies_a_selection(ws, staff, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    submitted = [make_case(staff["petugas"], ((staff["petugas"], Action.SUBMIT),), nik=f"35730201018500{10 + i:02d}")
                 for i in range(2)]
    make_case(staff["petugas"], nik="3573020101850099")  # a draft: not in the queue
    view = QueueView(ws, staff["verifikator"], "verify", Engines())
    qtbot.addWidget(view)
    view.show()
    settle()
    assert view.model.rowCount() == 2
    view.table.selectAll()
    view.buttons["verify"].click()
    settle()
    assert {cases.show(ws, c)["status"] for c in submitted} == {"verified"}
    assert view.model.rowCount() == 0


def test_a_recommendation_reads_recommended_not_approved(ws, staff, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The Lurah's step of a three-step chain is a recommendation: the result line says so (no letter yet)."""
    view = QueueView(ws, staff["penandatangan"], "sign", Engines())
    qtbot.addWidget(view)
    view.show_results([ApprovalOutcome("a" * 36, True, None, None)])
    assert view.result_summary.text() == "1 direkomendasikan ke penandatangan berikutnya."
    assert view.result_list.item(0).text() == "aaaaaaaa — direkomendasikan"
    view.show_results([ApprovalOutcome("a" * 36, True, None, None),
                       ApprovalOutcome("b" * 36, True, None, "400.12.2.3/1/OR/2026")])
    assert view.result_summary.text() == ("1 direkomendasikan ke penandatangan berikutnya. "
                                          "1 disetujui, 0 ditolak atau kedaluwarsa.")
