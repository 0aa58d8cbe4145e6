"""Qt translators and the core's language, always switched together.

Bahasa Indonesia is the source language of every ``tr()`` string; English comes from
``resources/translations/loket_en.qm`` (built from ``loket_en.ts`` by ``python -m ui.i18n_build``).
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from app import i18n
from app.paths import resources_dir

log = logging.getLogger(__name__)
_installed: list[QTranslator] = []


def translations_dir() -> str:
    return str(resources_dir() / "translations")


def apply_language(lang: str) -> bool:
    """Install the translators for ``lang`` ('id' or 'en'). Returns False when the .qm file is missing."""
    app = QCoreApplication.instance()
    lang = lang if lang in i18n.LANGUAGES else i18n.DEFAULT_LANGUAGE
    i18n.set_language(lang)
    QLocale.setDefault(QLocale(QLocale.Language.Indonesian if lang == "id" else QLocale.Language.English,
                               QLocale.Country.Indonesia))
    if app is None:
        return False
    for old in _installed:
        app.removeTranslator(old)
    _installed.clear()
    ok = True
    if lang != "id":  # Bahasa Indonesia is the source language of Loket's own strings
        ok = _install(app, f"loket_{lang}", translations_dir())
    # Qt's own words (file and print dialogs, standard buttons, context menus): Qt ships qtbase_en but no
    # Indonesian, so Loket carries qtbase_id itself.
    qt_dir = translations_dir() if lang == "id" else QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    ok = _install(app, f"qtbase_{lang}", qt_dir, required=lang == "id") and ok
    return ok


def _install(app: QCoreApplication, name: str, folder: str, required: bool = True) -> bool:
    translator = QTranslator(app)
    if translator.load(name, folder):
        app.installTranslator(translator)
        _installed.append(translator)
        return True
    if required:
        log.warning("no translation file %s.qm in %s (run: python -m ui.i18n_build)", name, folder)
    return not required


def current() -> str:
    return i18n.language()
