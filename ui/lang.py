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
    if lang == "id":
        return True
    ok = True
    ours = QTranslator(app)
    if ours.load(f"loket_{lang}", translations_dir()):
        app.installTranslator(ours)
        _installed.append(ours)
    else:
        log.warning("no translation file loket_%s.qm in %s (run: python -m ui.i18n_build)", lang, translations_dir())
        ok = False
    qt = QTranslator(app)
    if qt.load(f"qtbase_{lang}", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        _installed.append(qt)
    return ok


def current() -> str:
    return i18n.language()
