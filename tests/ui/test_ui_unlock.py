"""Switching user on a shared laptop asks the chosen person's own secret (story: anyone at the keyboard)."""

from __future__ import annotations

from app.services import unlock


def test_switch_user_asks_the_persons_secret(ws, staff, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.login import LoginDialog

    unlock.set_secret(ws, "verifikator", "paraf-sekretaris-77", "verifikator")
    dialog = LoginDialog(ws, None, current="verifikator")
    qtbot.addWidget(dialog)
    dialog.show()
    settle()
    assert dialog.focusWidget() is dialog.users  # who first, then the secret
    assert dialog.users.currentItem().data(0x0100) == "verifikator"

    dialog.login_button.click()  # nothing typed: asked for it, nothing checked
    assert "Ketik kata sandi" in dialog.login_message.text() and dialog.username is None

    dialog.secret.setText("sandi-petugas-01")  # the petugas's own password
    dialog.login_button.click()
    qtbot.waitUntil(lambda: dialog.login_button.isEnabled(), timeout=10_000)  # the check ran and answered
    assert "salah" in dialog.login_message.text() and dialog.username is None
    assert dialog.result() != LoginDialog.DialogCode.Accepted and dialog.secret.text() == ""

    dialog.secret.setText("paraf-sekretaris-77")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.login_button.click()
    assert dialog.username == "verifikator" and dialog.result() == LoginDialog.DialogCode.Accepted


def test_a_local_user_without_a_secret_goes_straight_in(ws, staff, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.login import LoginDialog

    dialog = LoginDialog(ws, None, current="petugas")
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.login_button.click()
    assert dialog.username == "petugas"
