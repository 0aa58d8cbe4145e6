"""Who is working: pick a person already on this device and unlock with their own secret (password, or a
signer's PIN), or enrol the device with a one-time code and choose that secret.

The same dialog opens at start-up (the active person is preselected and must unlock) and on *Ganti
pengguna*. The secret is checked off the GUI thread (scrypt, ≈ 0.7 s); a wrong one is counted in the
keyring (:mod:`app.services.unlock`) and the dialog says so in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.domain.roles import Role
from app.errors import UserFacingError
from app.services.workspace import Workspace
from ui import errors
from ui.tasks import Lane, op

# enrol(server_url, one-time code, a signer's new PIN or None): adds the person to the profile and makes them the
# active user (``sync.enroll.enroll``); may raise UserFacingError. Run on the network lane.
Enroll = Callable[[str, str, str | None], Any]


class LoginDialog(QDialog):
    def _prefill_server(self) -> None:
        """The address IT provisioned (loket.toml): filled in, and read-only when IT pinned it."""
        from app import config

        try:
            settings = config.load(self.ws.profile)
        except Exception:  # a broken settings file: the person types the address; doctor reports the file
            return
        url = settings.get(config.SERVER_URL)
        if url:
            self.server.setText(url)
            source = settings.source(config.SERVER_URL)
            if source not in (config.DEFAULT_SOURCE, str(config.user_settings_path(self.ws.profile))):
                self.server.setReadOnly(True)
                self.server.setToolTip(self.tr("Alamat server ditetapkan oleh TI."))

    def __init__(self, ws: Workspace, enroll: Enroll | None = None, parent: QWidget | None = None, *,
                 current: str | None = None) -> None:
        super().__init__(parent)
        from ui.main_window import role_label

        self.ws, self.enroll = ws, enroll
        self.username: str | None = None
        self.setWindowTitle(self.tr("Loket — masuk"))
        self.setAccessibleName(self.windowTitle())
        self.tabs = QTabWidget(self)

        pick = QWidget(self)
        self.users = QListWidget(pick)
        self.users.setAccessibleName(self.tr("Pengguna di perangkat ini"))
        for u in ws.users():
            office = ws.offices.get(u.office)
            item = QListWidgetItem(f"{u.full_name} ({u.username}) — {role_label(Role(u.role))} — "
                                   f"{office.display_name if office else u.office}")
            item.setData(Qt.ItemDataRole.UserRole, u.username)
            self.users.addItem(item)
        self.users.itemActivated.connect(lambda _i: self.secret.setFocus())
        self.users.currentItemChanged.connect(lambda *_a: self._person_changed())
        self.secret: QLineEdit = QLineEdit(pick)
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(self.tr("Kata sandi atau PIN"))
        self.secret.setPlaceholderText(self.tr("kata sandi Anda (penandatangan: PIN tanda tangan)"))
        self.secret.returnPressed.connect(self._login)
        self.login_message = QLabel(pick)
        self.login_message.setWordWrap(True)
        self.login_message.setStyleSheet("color: #a8071a;")
        self.login_message.setAccessibleName(self.tr("Pesan masuk"))
        self.login_button = QPushButton(self.tr("&Masuk"), pick)
        self.login_button.setDefault(True)
        self.login_button.clicked.connect(self._login)
        empty = QLabel(self.tr("Belum ada pengguna di perangkat ini. Daftarkan perangkat dengan kode dari admin TI."),
                       pick)
        empty.setWordWrap(True)
        empty.setVisible(self.users.count() == 0)
        intro = QLabel(self.tr("Perangkat ini dipakai bersama. Pilih nama Anda, lalu masuk dengan kata sandi "
                               "Anda sendiri (penandatangan: PIN tanda tangan)."), pick)
        intro.setWordWrap(True)
        pl = QVBoxLayout(pick)
        pl.addWidget(intro)
        pl.addWidget(QLabel(self.tr("Pilih nama Anda:"), pick))
        pl.addWidget(self.users, 1)
        pl.addWidget(empty)
        secret_label = QLabel(self.tr("&Kata sandi atau PIN:"), pick)
        secret_label.setBuddy(self.secret)
        pl.addWidget(secret_label)
        pl.addWidget(self.secret)
        pl.addWidget(self.login_message)
        pl.addWidget(self.login_button, 0, Qt.AlignmentFlag.AlignRight)
        self.login_button.setEnabled(self.users.count() > 0)
        self.secret.setEnabled(self.users.count() > 0)
        if self.users.count():
            rows = [self.users.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.users.count())]
            self.users.setCurrentRow(rows.index(current) if current in rows else 0)

        enrol = QWidget(self)
        self.server = QLineEdit(enrol)
        self.server.setAccessibleName(self.tr("Alamat server"))
        self.server.setPlaceholderText("https://loket.malangkota.go.id")
        self._prefill_server()
        self.code = QLineEdit(enrol)
        self.code.setAccessibleName(self.tr("Kode pendaftaran"))
        self.code.setPlaceholderText("ABCD-EFGH-JKLM")
        self.pin = QLineEdit(enrol)  # the new person's secret: a password, or a signer's PIN
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setAccessibleName(self.tr("Kata sandi baru (penandatangan: PIN tanda tangan)"))
        self.pin.setPlaceholderText(self.tr("minimal 8 karakter; penandatangan: PIN minimal 6"))
        self.pin_again = QLineEdit(enrol)
        self.pin_again.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_again.setAccessibleName(self.tr("Ulangi kata sandi atau PIN"))
        self.enrol_message = QLabel(enrol)
        self.enrol_message.setWordWrap(True)
        self.enrol_button = QPushButton(self.tr("&Daftarkan perangkat"), enrol)
        self.enrol_button.clicked.connect(self._enrol)
        form = QFormLayout(enrol)
        form.addRow(self.tr("Alamat &server:"), self.server)
        form.addRow(self.tr("&Kode pendaftaran:"), self.code)
        form.addRow(self.tr("Kata sandi / &PIN:"), self.pin)
        form.addRow(self.tr("&Ulangi:"), self.pin_again)
        form.addRow(self.enrol_message)
        form.addRow(self.enrol_button)
        if enroll is None:
            self.enrol_message.setText(self.tr("Pendaftaran dengan kode belum disiapkan di perangkat ini. "
                                               "Hubungi admin TI (Diskominfo)."))
            self.enrol_message.setStyleSheet("color: #8a5300;")

        self.tabs.addTab(pick, self.tr("Pilih pengguna"))
        self.tabs.addTab(enrol, self.tr("Daftar dengan kode"))
        if self.users.count() == 0:
            self.tabs.setCurrentIndex(1)
        box = QDialogButtonBox(self)
        box.addButton(self.tr("Keluar"), QDialogButtonBox.ButtonRole.RejectRole)
        box.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs)
        layout.addWidget(box)
        self.resize(560, 440)
        if self.users.count():
            self.users.setFocus()  # the person first says who they are, then types their secret

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.users.count() and self.tabs.currentIndex() == 0:
            from PySide6.QtCore import QTimer

            QTimer.singleShot(0, self.users.setFocus)  # after Qt gives focus to the first tab stop

    def _person_changed(self) -> None:
        self.secret.clear()
        self.login_message.clear()

    def _login(self) -> None:
        from app.services import unlock

        item = self.users.currentItem()
        if item is None:
            return
        username = str(item.data(Qt.ItemDataRole.UserRole))
        secret = self.secret.text()
        self.secret.clear()
        if not secret and unlock.needs_secret(self.ws, username):
            self.login_message.setText(self.tr("Ketik kata sandi atau PIN Anda untuk masuk."))
            self.secret.setFocus()
            return
        self.login_button.setEnabled(False)
        self.login_message.setText(self.tr("Memeriksa…"))

        def done(_result: object) -> None:
            self.login_message.clear()
            self.username = username
            self.accept()

        def refused(exc: BaseException) -> None:
            if isinstance(exc, UserFacingError):
                self.login_message.setText(exc.message)
                self.secret.setFocus()
            else:
                self.login_message.clear()
                errors.report(exc, self)

        op(lambda: unlock.check(self.ws, username, secret)).success(done).failure(refused) \
            .finally_(lambda: self.login_button.setEnabled(True)).run_in_background(Lane.DB)

    def _enrol(self) -> None:
        if self.enroll is None:
            self.enrol_message.setText(self.tr("Pendaftaran dengan kode belum disiapkan di perangkat ini. "
                                               "Hubungi admin TI (Diskominfo)."))
            return
        server, code = self.server.text().strip(), self.code.text().strip()
        pin, again = self.pin.text(), self.pin_again.text()
        self.pin.clear()
        self.pin_again.clear()
        if not server or not code:
            self.enrol_message.setText(self.tr("Isi alamat server dan kode pendaftaran."))
            return
        if not pin:
            self.enrol_message.setText(self.tr("Pilih kata sandi Anda sendiri (penandatangan: PIN tanda tangan)."))
            return
        if pin != again:
            self.enrol_message.setText(self.tr("Kata sandi dan ulangannya tidak sama. Ketik keduanya lagi."))
            return
        enroll = self.enroll
        self.enrol_button.setEnabled(False)
        self.enrol_message.setText(self.tr("Menghubungi server…"))

        def done(result: object) -> None:
            self.enrol_message.setText(self.tr("Perangkat terdaftar."))
            name = result.get("user") if isinstance(result, dict) else None
            if not name:
                try:
                    name = self.ws.actor().username
                except Exception:
                    name = None
            if name:
                self.username = str(name)
                self.accept()

        op(lambda: enroll(server, code, pin)).success(done).failure(errors.failure_handler(self)) \
            .finally_(lambda: self.enrol_button.setEnabled(True)).run_in_background(Lane.NET)
