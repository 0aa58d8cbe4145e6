"""The one place a failure becomes something a person reads (after Anki's ``aqt/errors.py``).

* :class:`app.errors.CancelledError` → nothing.
* :class:`app.errors.UserFacingError` (incl. ``ValidationError``) → a clear dialog with the translated message.
* anything else → the traceback goes to the log only; the person reads a short apology with the log path.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app import logs
from app.errors import CancelledError, UserFacingError

log = logging.getLogger("loket.ui")


class Kind(Enum):
    IGNORE = "ignore"
    USER = "user"
    INTERNAL = "internal"


@dataclass(frozen=True)
class Triage:
    kind: Kind
    title: str
    text: str


def log_path() -> str:
    configured = logs._configured
    return str(configured if configured is not None else logs.log_dir(None) / "loket.log")


def triage(exc: BaseException) -> Triage:
    """Decide what to show for ``exc`` (pure: no dialog, logs internal errors)."""
    if isinstance(exc, CancelledError):
        return Triage(Kind.IGNORE, "", "")
    if isinstance(exc, UserFacingError):
        return Triage(Kind.USER, QCoreApplication.translate("Errors", "Tidak dapat dilanjutkan"), exc.message)
    log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
    text = QCoreApplication.translate(
        "Errors", "Maaf, terjadi kesalahan tak terduga. Rinciannya tercatat di berkas log:\n{log}")
    text = text.format(log=log_path())
    return Triage(Kind.INTERNAL, QCoreApplication.translate("Errors", "Terjadi kesalahan"), text)


Presenter = Callable[[Triage, QWidget | None], None]


def _message_box(t: Triage, parent: QWidget | None) -> None:
    icon = QMessageBox.Icon.Warning if t.kind is Kind.USER else QMessageBox.Icon.Critical
    box = QMessageBox(icon, t.title, t.text, QMessageBox.StandardButton.Ok, parent)
    box.setAccessibleName(t.title)
    box.button(QMessageBox.StandardButton.Ok).setText(QCoreApplication.translate("Errors", "Tutup"))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()


presenter: Presenter = _message_box
shown: list[Triage] = []  # the last few triaged errors (diagnostics and tests)


def report(exc: BaseException, parent: QWidget | None = None) -> Triage:
    """Triage ``exc`` and show it (GUI thread only)."""
    result = triage(exc)
    if result.kind is Kind.IGNORE:
        return result
    shown.append(result)
    del shown[:-20]
    if parent is None:
        parent = QApplication.activeWindow()
    presenter(result, parent)
    return result


def failure_handler(parent: QWidget | None = None) -> Callable[[BaseException], None]:
    """For ``op(...).failure(failure_handler(self))``."""

    def handle(exc: BaseException) -> None:
        report(exc, parent)

    return handle
