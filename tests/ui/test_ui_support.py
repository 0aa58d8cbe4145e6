"""Help → device check: doctor's verdicts in the GUI, and the support bundle written from there."""

from __future__ import annotations

import zipfile
from pathlib import Path


def test_device_check_lists_verdicts_and_writes_a_bundle(ws, petugas, qtbot, settle, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                         monkeypatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    from ui.dialogs.support import SupportDialog

    dialog = SupportDialog(ws)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.list.topLevelItemCount() > 5, timeout=20_000)
    names = {dialog.list.topLevelItem(i).text(1) for i in range(dialog.list.topLevelItemCount())}
    assert {"database", "audit_chain", "keyring", "server"} <= names
    server_row = next(dialog.list.topLevelItem(i) for i in range(dialog.list.topLevelItemCount())
                      if dialog.list.topLevelItem(i).text(1) == "server")
    assert server_row.text(0) in ("GAGAL", "AWAS", "OK")  # not enrolled here: reported, never a crash
    out = tmp_path / "dukungan.zip"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a, **k: (str(out), "Zip (*.zip)"))
    dialog.save_bundle()
    qtbot.waitUntil(out.exists, timeout=10_000)
    settle()
    with zipfile.ZipFile(out) as zf:
        assert "loket-support/doctor.json" in zf.namelist()
