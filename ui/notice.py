"""A short confirmation after a person's action (saved, printed, verified, returned), in the main window's
status bar for a while, or in a small message when no main window is around (a dialog on its own)."""

from __future__ import annotations

from collections import deque

from PySide6.QtWidgets import QMainWindow, QMessageBox, QWidget

SHOW_MS = 10_000
recent: deque[str] = deque(maxlen=20)  # the last confirmations, newest last (tests and the support bundle read it)


def main_window(widget: QWidget | None) -> QMainWindow | None:
    while widget is not None:
        if isinstance(widget, QMainWindow):
            return widget
        widget = widget.parentWidget()
    return None


def confirm(widget: QWidget | None, text: str) -> None:
    """Say that ``text`` happened; the status bar when there is one, else a small message box."""
    recent.append(text)
    window = main_window(widget)
    if window is not None:
        window.statusBar().showMessage("✓ " + text, SHOW_MS)
        return
    if widget is not None:
        box = QMessageBox(QMessageBox.Icon.Information, widget.window().windowTitle() or "Loket", text,
                          QMessageBox.StandardButton.Ok, widget)
        box.setModal(False)
        box.open()
