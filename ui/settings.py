"""The GUI's settings, declared once (key, type, default, description), stored per profile in ``ui.ini``.

After Electrum's ``ConfigVar``: code reads ``settings.LANGUAGE.get(store)`` and never spells a key twice.
Device-wide facts that live with the data (active user, device id) stay in the database's meta table.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from PySide6.QtCore import QSettings

T = TypeVar("T", str, int, bool)


@dataclass(frozen=True)
class Setting(Generic[T]):
    key: str
    type: type[T]
    default: T
    description: str

    def get(self, store: QSettings) -> T:
        raw = store.value(self.key, self.default)
        if self.type is bool:
            value: object = raw if isinstance(raw, bool) else str(raw).lower() in ("1", "true", "yes")
            return value  # type: ignore[return-value]
        try:
            return self.type(raw)  # type: ignore[call-overload, no-any-return]
        except (TypeError, ValueError):
            return self.default

    def set(self, store: QSettings, value: T) -> None:
        store.setValue(self.key, value)


LANGUAGE = Setting("ui/language", str, "id", "Bahasa tampilan: 'id' (Bahasa Indonesia) atau 'en' (English)")
PAGE_SIZE = Setting("ui/page_size", int, 200, "Baris per halaman yang diambil dari basis data untuk daftar berkas")
SEARCH_DELAY_MS = Setting("ui/search_delay_ms", int, 250, "Jeda setelah mengetik sebelum pencarian dijalankan")
GEOMETRY = Setting("ui/geometry", str, "", "Posisi dan ukuran jendela utama (diisi otomatis)")

ALL: tuple[Setting[str] | Setting[int] | Setting[bool], ...] = (LANGUAGE, PAGE_SIZE, SEARCH_DELAY_MS, GEOMETRY)


def store_for(profile: Path) -> QSettings:
    return QSettings(str(profile / "ui.ini"), QSettings.Format.IniFormat)
