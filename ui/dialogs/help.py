"""The Help menu's windows: the user guide (bundled Markdown, opened offline in a QTextBrowser), the keyboard
shortcuts (generated from the main window's actions) and *Tentang Loket* (version, server, licences)."""

from __future__ import annotations

from importlib import metadata

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.paths import resources_dir

# (distribution, shown name, licence) of the main components Loket is built on and ships.
COMPONENTS = (
    ("PySide6", "Qt for Python (PySide6) / Qt", "LGPL-3.0"),
    ("SQLAlchemy", "SQLAlchemy", "MIT"),
    ("alembic", "Alembic", "MIT"),
    ("reportlab", "ReportLab", "BSD-3-Clause"),
    ("pyHanko", "pyHanko", "MIT"),
    ("pypdfium2", "pypdfium2 / PDFium", "Apache-2.0 / BSD-3-Clause"),
    ("cryptography", "cryptography", "Apache-2.0 / BSD-3-Clause"),
    ("requests", "Requests", "Apache-2.0"),
    ("keyring", "keyring", "MIT"),
    ("sqlcipher3", "SQLCipher (sqlcipher3)", "BSD-3-Clause / zlib"),
    ("qrcode", "qrcode", "BSD-3-Clause"),
)


def guide_path() -> object:
    return resources_dir() / "help" / "panduan.md"


def _close_box(dialog: QDialog) -> QDialogButtonBox:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
    box.button(QDialogButtonBox.StandardButton.Close).setText(dialog.tr("Tutup"))
    box.rejected.connect(dialog.reject)
    return box


class GuideDialog(QDialog):
    """*Panduan*: the Indonesian guide from resources/help (text and pictures on this laptop, no network)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Panduan Loket"))
        self.setAccessibleName(self.windowTitle())
        self.browser = QTextBrowser(self)
        self.browser.setAccessibleName(self.tr("Isi panduan"))
        self.browser.setOpenExternalLinks(False)
        self.browser.setOpenLinks(True)
        path = resources_dir() / "help" / "panduan.md"
        self.browser.setSearchPaths([str(path.parent)])
        try:
            self.browser.setMarkdown(path.read_text(encoding="utf-8"))
        except OSError:
            self.browser.setPlainText(self.tr("Panduan tidak ditemukan di perangkat ini ({path}).").format(path=path))
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        layout.addWidget(_close_box(self))
        self.resize(860, 720)


def shortcut_rows(actions: list[QAction]) -> list[tuple[str, str]]:
    """(what, keys) for every action that has a shortcut, as its menu shows it, without the mnemonic's &."""
    rows: list[tuple[str, str]] = []
    for act in actions:
        keys = act.shortcut().toString(act.shortcut().SequenceFormat.NativeText)
        if keys:
            text = act.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").strip()
            rows.append((text, keys))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Pintasan keyboard"))
        self.setAccessibleName(self.windowTitle())
        rows = shortcut_rows(actions)
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setAccessibleName(self.windowTitle())
        self.table.setHorizontalHeaderLabels([self.tr("Perintah"), self.tr("Tombol")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (text, keys) in enumerate(rows):
            self.table.setItem(i, 0, QTableWidgetItem(text))
            self.table.setItem(i, 1, QTableWidgetItem(keys))
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.resizeColumnToContents(1)
        note = QLabel(self.tr("Di daftar berkas: Enter membuka berkas terpilih. Di pratinjau surat: Page Down/Page "
                              "Up berpindah halaman, Ctrl++ dan Ctrl+- memperbesar dan memperkecil."), self)
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addWidget(note)
        layout.addWidget(_close_box(self))
        self.resize(560, 560)


def component_versions() -> list[tuple[str, str, str]]:
    out = []
    for dist, name, licence in COMPONENTS:
        version = None
        for candidate in (dist, f"{dist}-Essentials"):  # the bundle installs Qt for Python as PySide6-Essentials
            try:
                version = metadata.version(candidate)
                break
            except metadata.PackageNotFoundError:
                continue
        if version is None:
            continue
        out.append((name, version, licence))
    return out


class AboutDialog(QDialog):
    def __init__(self, server_url: str | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from html import escape

        from app import __version__

        self.setWindowTitle(self.tr("Tentang Loket"))
        self.setAccessibleName(self.windowTitle())
        server = escape(server_url) if server_url else self.tr("belum terdaftar ke server")
        rows = "".join(f"<tr><td>{escape(n)}</td><td>{escape(v)}</td><td>{escape(lic)}</td></tr>"
                       for n, v, lic in component_versions())
        self.text = QLabel(self)
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.text.setText(
            "<h2>Loket " + escape(__version__) + "</h2><p>" +
            self.tr("Layanan surat dan perizinan Pemerintah Kota Malang: pendaftaran di loket, verifikasi, tanda "
                    "tangan elektronik, bekerja juga tanpa jaringan.") + "</p><p><b>" + self.tr("Server:") +
            "</b> " + server + "</p><p><b>" + self.tr("Komponen utama dan lisensinya:") +
            "</b></p><table cellspacing='0' cellpadding='3'><tr><th align='left'>" + self.tr("Komponen") +
            "</th><th align='left'>" + self.tr("Versi") + "</th><th align='left'>" + self.tr("Lisensi") +
            "</th></tr>" + rows + "</table>")
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(_close_box(self))
        self.resize(520, 480)
