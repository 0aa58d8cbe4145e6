"""One language at a time: every window and dialog of the GUI, walked in Bahasa Indonesia and in English,
shows no word of the other language — Loket's own strings and Qt's (file dialog, message box buttons, the
context menu of a text field)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFileDialog,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QMenu,
    QMessageBox,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QWidget,
)

from app.domain.lifecycle import Action
from support.langcheck import foreign_words
from ui import lang
from ui.actions import Engines
from ui.main_window import MainWindow


def _texts(root: QWidget) -> Iterator[tuple[str, str]]:
    """(where, text) for every piece of text a person can read in ``root`` and its children."""
    widgets = [root, *root.findChildren(QWidget)]
    for w in widgets:
        where = f"{type(w).__name__}:{w.objectName()}"
        if w.isWindow() and w.windowTitle():
            yield where + " title", w.windowTitle()
        if isinstance(w, QLabel | QAbstractButton):
            yield where, w.text()
        if w.toolTip():
            yield where + " tooltip", w.toolTip()
        if isinstance(w, QLineEdit):
            yield where + " placeholder", w.placeholderText()
        if isinstance(w, QGroupBox):
            yield where, w.title()
        if isinstance(w, QComboBox):
            yield from ((where, w.itemText(i)) for i in range(w.count()))
        if isinstance(w, QTabWidget):
            yield from ((where, w.tabText(i)) for i in range(w.count()))
        if isinstance(w, QListWidget):
            yield from ((where, w.item(i).text()) for i in range(w.count()))
        if isinstance(w, QTreeWidget):
            header = w.headerItem()
            yield from ((where + " header", header.text(i)) for i in range(header.columnCount()))
        if isinstance(w, QTableView) and w.model() is not None:
            model = w.model()
            yield from ((where + " header", str(model.headerData(c, Qt.Orientation.Horizontal) or ""))
                        for c in range(model.columnCount(QModelIndex())))
        for action in w.actions():
            yield where + " action", action.text()
            if action.menu() is not None:
                yield from ((where + " submenu", a.text()) for a in action.menu().actions())


def _check(root: QWidget, language: str, found: list[str]) -> None:
    for where, text in _texts(root):
        if text.startswith("/"):  # a folder's path
            continue
        bad = foreign_words(text, language)
        if bad:
            found.append(f"{where}: {text!r} → {bad}")


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_window_speaks_one_language(language, ws, staff, make_case, qtbot, settle, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from ui.actions import PinDialog, ReasonDialog
    from ui.dialogs.intake import IntakeDialog
    from ui.dialogs.support import SupportDialog
    from ui.views.case_detail import CaseDetailDialog
    from ui.views.refusals import RefusalsDialog

    assert lang.apply_language(language), "translations missing: python -m ui.i18n_build"
    petugas, verifikator, lurah = staff["petugas"], staff["verifikator"], staff["penandatangan"]
    case_id = make_case(petugas)
    make_case(petugas, steps=((petugas, Action.SUBMIT),), nik="3573015708900003", name="Sri Wahyuni")
    make_case(petugas, steps=((petugas, Action.SUBMIT), (verifikator, Action.VERIFY)), nik="3573024101850002",
              name="Ani Lestari")
    found: list[str] = []
    for actor in (petugas, verifikator, lurah):
        window = MainWindow(ws, actor, Engines())
        qtbot.addWidget(window)
        window.show()
        settle()
        for row in range(window.nav.count()):
            window.nav.setCurrentRow(row)
            settle()
            _check(window, language, found)
        for menu in window.menuBar().findChildren(QMenu):
            _check(menu, language, found)
        window.close()

    dialogs: list[QWidget] = [
        IntakeDialog(ws, petugas), SupportDialog(ws), CaseDetailDialog(ws, petugas, case_id, Engines()),
        RefusalsDialog(ws, petugas, Engines()), ReasonDialog("Kembalikan"), PinDialog(2),
    ]
    # Qt's own: the (non-native) file dialog, standard buttons, a text field's context menu
    files = QFileDialog(None)
    files.setOption(QFileDialog.Option.DontUseNativeDialog)
    files.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    files.setDirectory(str(tmp_path))
    box = QMessageBox(QMessageBox.Icon.Question, "Loket", "?", QMessageBox.StandardButton.Yes
                      | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel
                      | QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Close)
    dialogs += [files, box]
    for dialog in dialogs:
        qtbot.addWidget(dialog)
        dialog.show()
        settle()
        _check(dialog, language, found)
        dialog.hide()
    edit = QLineEdit()
    qtbot.addWidget(edit)
    _check(edit.createStandardContextMenu(), language, found)
    assert not found, f"{language}: words of the other language:\n" + "\n".join(dict.fromkeys(found))
