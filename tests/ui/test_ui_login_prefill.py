"""The enrolment page starts with the server address from the settings (IT's loket.toml, or the user's)."""

from __future__ import annotations

import subprocess
import sys

from app.services.workspace import Workspace


def test_enrolment_page_prefills_the_configured_server(tmp_path, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.login import LoginDialog

    profile = tmp_path / "profile"
    subprocess.run([sys.executable, "-m", "ui.cli", "--profile", str(profile), "config", "set", "server_url",
                    "https://loket.malangkota.go.id"], check=True, capture_output=True)
    ws = Workspace(profile)
    dialog = LoginDialog(ws, lambda *_a: None)
    qtbot.addWidget(dialog)
    assert dialog.server.text() == "https://loket.malangkota.go.id"
    assert not dialog.server.isReadOnly()  # the person's own setting, not IT's: still editable
