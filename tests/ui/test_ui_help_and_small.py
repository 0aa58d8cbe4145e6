"""The Help menu (guide offline, shortcuts, about), unique mnemonics, and the small things a clerk trips over:
the switch-user list has the focus, the title says the office once, the dashboard speaks in dates, the
sidebar and the menu call cases the same."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import QApplication, QMenu

from app.services import dashboard
from ui import lang
from ui.actions import Engines
from ui.main_window import MainWindow


def _window(ws, actor, qtbot, settle) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(ws, actor, Engines())
    qtbot.addWidget(window)
    window.show()
    settle()
    return window


def mnemonic(text: str) -> str | None:
    clean = text.replace("&&", "")
    at = clean.find("&")
    return clean[at + 1].lower() if at >= 0 and at + 1 < len(clean) else None


def test_mnemonics_are_unique_in_the_menu_bar_and_in_each_menu(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    for language in ("id", "en"):
        assert lang.apply_language(language)
        window = _window(ws, petugas, qtbot, settle)
        menus = [a.menu() for a in window.menuBar().actions() if isinstance(a.menu(), QMenu)]
        bar = [mnemonic(a.text()) for a in window.menuBar().actions()]
        assert None not in bar and len(set(bar)) == len(bar), (language, [a.text() for a in window.menuBar().actions()])
        todo = list(menus)
        while todo:
            menu = todo.pop()
            items = [a for a in menu.actions() if not a.isSeparator()]
            keys = [k for k in (mnemonic(a.text()) for a in items) if k]
            assert len(set(keys)) == len(keys), (language, menu.title(), [a.text() for a in items])
            todo.extend(a.menu() for a in items if isinstance(a.menu(), QMenu))
    lang.apply_language("id")


def test_help_menu_opens_the_guide_offline_the_shortcuts_and_about(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    window = _window(ws, petugas, qtbot, settle)
    titles = [a.text() for a in window.menuBar().actions()]
    help_menu = window.menuBar().actions()[titles.index("Ba&ntuan")].menu()
    assert [a.text() for a in help_menu.actions() if not a.isSeparator()] == [
        "&Panduan", "Pintasan &keyboard", "Pemeriksaan perangkat dan paket &dukungan…", "&Tentang Loket"]

    window.act_guide.trigger()
    guide = window.help_dialog
    qtbot.waitUntil(guide.isVisible)
    text = guide.browser.toPlainText()
    assert text.startswith("Panduan Loket") and "NIK" in text and "Ctrl+N" in text
    doc = guide.browser.document()
    images = [f for f in ("daftar-berkas.png", "berkas-baru.png", "antrean-tanda-tangan.png")
              if doc.resource(doc.ResourceType.ImageResource.value, f) is not None]  # type: ignore[attr-defined]
    assert len(images) == 3  # the pictures ship with it: no network needed
    guide.close()

    from ui.dialogs.help import AboutDialog, ShortcutsDialog, shortcut_rows

    rows = dict(shortcut_rows(window.actions()))
    assert rows["Berkas baru"] == "Ctrl+N" and rows["Panduan"] == "F1" and rows["Keluar"] == "Ctrl+Q"
    shortcuts = ShortcutsDialog(window.actions(), window)
    qtbot.addWidget(shortcuts)
    assert shortcuts.table.rowCount() == len([a for a in window.actions() if not a.shortcut().isEmpty()])

    about = AboutDialog("https://loket.malangkota.go.id", window)
    qtbot.addWidget(about)
    shown = about.text.text()
    from app import __version__

    assert f"Loket {__version__}" in shown and "https://loket.malangkota.go.id" in shown
    assert "LGPL-3.0" in shown and "SQLAlchemy" in shown and "MIT" in shown


def test_the_window_title_names_the_office_once(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    QApplication.instance().setApplicationDisplayName("Loket")  # type: ignore[union-attr]
    window = _window(ws, petugas, qtbot, settle)
    assert window.windowTitle() == "Kelurahan Oro-oro Dowo"  # the system adds " — Loket"


def test_switch_user_starts_on_the_list(ws, staff, qtbot) -> None:  # type: ignore[no-untyped-def]
    from ui.dialogs.login import LoginDialog

    dialog = LoginDialog(ws, None, current="petugas")
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is dialog.users, timeout=2000)


def test_the_dashboard_names_weeks_by_their_dates() -> None:
    from ui.views.dashboard import week_label

    assert week_label(dashboard.iso_week(dt.date(2026, 11, 4))) == "2–8 Nov"
    assert week_label("2026-W44") == "26 Okt – 1 Nov"
    assert "W" not in week_label("2026-W01")


def test_the_dashboard_title_is_not_jargon(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    window = _window(ws, petugas, qtbot, settle)
    window.show_page(window.dashboard)
    settle()
    assert "ISO" not in window.dashboard.per_week.title
    assert all("-W" not in label for label, _n in window.dashboard.per_week.items)


def test_sidebar_and_menu_call_cases_the_same(ws, petugas, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    for language in ("id", "en"):
        assert lang.apply_language(language)
        window = _window(ws, petugas, qtbot, settle)
        menu = window.menuBar().actions()[0].text().replace("&", "")
        assert window.nav.item(0).text() == menu, language
    lang.apply_language("id")
