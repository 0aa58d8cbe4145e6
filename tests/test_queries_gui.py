"""The GUI's look-ups about cases come from app.services.queries; no view or dialog opens a storage session."""

from __future__ import annotations

import re
from pathlib import Path

from app.domain.lifecycle import Action
from app.services import cases, queries
from app.services.workspace import Actor, Workspace
from samples import NIK_WOMAN, SKD_FIELDS, documents

UI = Path(__file__).resolve().parents[1] / "ui"


def test_cases_are_named_by_registration_number_or_id_start(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    first = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", SKD_FIELDS, documents(tmp_path)).id
    second = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Siti Aminah", SKD_FIELDS, documents(tmp_path)).id
    cases.transition(ws, petugas, first, Action.SUBMIT)
    reg_no = cases.show(ws, first)["reg_no"]
    unknown = "f" * 36
    assert queries.shown_ids(ws, [first, second, unknown, first]) == {
        first: reg_no, second: second[:8], unknown: "ffffffff"}
    assert queries.open_duplicates(ws, NIK_WOMAN, "SKD") == 2
    assert queries.open_duplicates(ws, NIK_WOMAN, "SKD", besides=second) == 1
    assert queries.open_duplicates(ws, NIK_WOMAN, "SKTM") == 0


def test_no_view_or_dialog_opens_a_storage_session() -> None:
    pattern = re.compile(r"\.db\.(read|write)\(|from app\.storage import|from app\.storage\.models import")
    offenders = [f"{path.relative_to(UI.parent)}:{n}" for folder in ("views", "dialogs")
                 for path in sorted((UI / folder).glob("*.py"))
                 for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                 if pattern.search(line)]
    assert offenders == []
