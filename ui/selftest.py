"""``loket --self-test``: what IT runs after installing a bundle (works offscreen, touches nothing real).

In a temporary profile: open the database (migrations), load the catalogue and the translations, open the
main window and render it, render a letter, sign it with a throwaway key certified by a throwaway CA (in
memory: the OS keyring is not touched), verify it, and print one line per check. Exit 0 when all pass.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path


def _checks(profile: Path) -> list[tuple[str, Callable[[], str]]]:
    state: dict[str, object] = {}

    def database() -> str:
        from app.services.workspace import Workspace
        from app.storage.db import SCHEMA_HEAD

        ws = Workspace(profile)
        ws.add_local_user("selftest", "Uji Mandiri", "petugas", "35.73.02.1008")
        state["ws"] = ws
        return f"schema {SCHEMA_HEAD}"

    def catalogue() -> str:
        from app.domain.catalog import default_catalog

        catalog = default_catalog()
        if catalog.problems or len(catalog.services) < 8:
            raise RuntimeError(f"{len(catalog.services)} services, problems: {catalog.problems[:2]}")
        return f"{len(catalog.services)} services"

    def translations() -> str:
        from ui import lang

        lang.apply_language("en")
        lang.apply_language("id")
        return "id, en"

    def window() -> str:
        from PySide6.QtWidgets import QApplication

        from app.services.workspace import Workspace
        from ui.actions import Engines
        from ui.main_window import MainWindow

        app = QApplication.instance() or QApplication(sys.argv[:1])
        ws = state["ws"]
        assert isinstance(ws, Workspace)
        main = MainWindow(ws, ws.actor(), Engines(), on_switch_user=lambda: None,
                          on_language=lambda _l: None)
        main.show()
        app.processEvents()
        image = main.grab()
        main.close()
        if image.isNull() or image.width() < 200:
            raise RuntimeError("the main window did not render")
        return f"{image.width()}×{image.height()}"

    def letter() -> str:
        from cryptography.hazmat.primitives.asymmetric import ec

        from app.domain.catalog import default_catalog
        from app.letters.model import LetterData, LetterOffice, Signer
        from app.letters.render import render_letter
        from app.signing.certificates import CityCA, SignerIdentity, build_csr
        from app.signing.pades import sign_pdf, verify_pdf

        key = ec.generate_private_key(ec.SECP256R1())
        ca = CityCA.create(common_name="Loket Self-Test CA")
        cert = ca.issue_signing_certificate(build_csr(key, SignerIdentity("Uji Mandiri", "000000000000000000",
                                                                          "Lurah", "Kelurahan Oro-oro Dowo")))
        data = LetterData(service=default_catalog().get("SKD"), office=LetterOffice.from_directory("35.73.02.1008"),
                          number="400.12.2.2/000/35.73.02.1008/2026", case_name="Uji Mandiri",
                          case_nik="3573015708900003", fields={"alamat": "Jl. Ijen 5", "keperluan": "uji"},
                          signer=Signer("Uji Mandiri", "000000000000000000", "Lurah", "Oro-oro Dowo"),
                          letter_date=dt.date.today(), verify_url="https://example.invalid/verify/selftest")
        rendered = render_letter(data)
        signed = sign_pdf(rendered.pdf, key, [cert, ca.certificate], box=rendered.signature_box,
                          letter_number=data.number)
        result = verify_pdf(signed, [ca.certificate])
        if not (result.valid and result.trusted):
            raise RuntimeError("; ".join(result.problems) or "signature not valid")
        tampered = bytearray(signed)
        tampered[len(tampered) // 3] ^= 0x01
        if verify_pdf(bytes(tampered), [ca.certificate]).valid:
            raise RuntimeError("a tampered letter was accepted")
        return f"signed and verified ({len(signed) // 1024} KB), tampering detected"

    return [("database", database), ("catalogue", catalogue), ("translations", translations),
            ("main window", window), ("letter", letter)]


def _memory_keyring() -> object:
    """A keyring that lives and dies with this process: the throwaway profile's store key goes there."""
    from keyring.backend import KeyringBackend

    class SelfTestKeyring(KeyringBackend):
        priority = 1

        def __init__(self) -> None:
            super().__init__()  # type: ignore[no-untyped-call]  # keyring ships no types for it
            self.items: dict[tuple[str, str], str] = {}

        def get_password(self, service: str, username: str) -> str | None:
            return self.items.get((service, username))

        def set_password(self, service: str, username: str, password: str) -> None:
            self.items[(service, username)] = password

        def delete_password(self, service: str, username: str) -> None:
            self.items.pop((service, username), None)

    return SelfTestKeyring()


def run() -> int:
    import keyring

    keyring.set_keyring(_memory_keyring())  # type: ignore[arg-type]  # the OS keyring is never touched
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen" if not os.environ.get("DISPLAY") else "")
    if not os.environ["QT_QPA_PLATFORM"]:
        del os.environ["QT_QPA_PLATFORM"]
    failures = 0
    with tempfile.TemporaryDirectory(prefix="loket-selftest-") as folder:
        os.environ["LOKET_LOG_DIR"] = folder
        for name, check in _checks(Path(folder) / "profile"):
            started = time.perf_counter()
            try:
                detail = check()
                print(f"OK    {name:13} {detail} ({(time.perf_counter() - started) * 1000:.0f} ms)", flush=True)
            except Exception as err:  # every check reports; the first failure does not hide the others
                failures += 1
                print(f"GAGAL {name:13} {type(err).__name__}: {err}", flush=True)
                traceback.print_exc(file=sys.stderr)
    print("Uji mandiri berhasil." if not failures else f"Uji mandiri gagal: {failures} pemeriksaan.")
    return 0 if not failures else 1
