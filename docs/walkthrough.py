"""``docs/walkthrough.md`` and its screenshots: one SKD request walked through the counter's day on the demo
office — intake, receipt, verification, signing, the signed letter, hand-over, the register — against the real
reference server (the Lurah's signature is real). Run by ``make screenshots`` under a keyring:

    QT_QPA_PLATFORM=offscreen tools/with-keyring python docs/walkthrough.py

Each step names the module it shows. A step whose module is not in this build (the receipt, the hand-over
dialog and the register view come with the registration feature) is skipped with a message, and left out of
the page; run it again once they are merged and the page is complete.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LOKET_LANG", "id")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "docs"))

from PySide6.QtWidgets import QApplication, QDialog, QWidget  # noqa: E402
from screenshots import settle, wait_signal  # noqa: E402

from app.domain.lifecycle import Action  # noqa: E402
from app.services import cases  # noqa: E402
from app.services.workspace import Workspace  # noqa: E402
from ui import demo, lang  # noqa: E402
from ui.actions import Engines, preview_for  # noqa: E402
from ui.main_window import SyncState  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
PAGE = ROOT / "docs" / "walkthrough.md"
NIK, NAME = "3573015708900003", "Ani Lestari"
FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P", "no_kk": "3573021708900005",
          "alamat": "Jl. Kawi No. 12, RT 03/RW 05", "keperluan": "Persyaratan melamar kerja"}


@dataclass
class Day:
    """What the steps share: the demo profile, its server, and the case walked through the day."""

    ws: Workspace
    profile: Path
    sync: SyncState
    server: Any = None
    case_id: str = ""
    letter_pdf: Path | None = None


@dataclass(frozen=True)
class Step:
    name: str  # the screenshot's file name
    title: str
    text: str
    module: str  # the module the step shows; missing → the step is skipped
    shoot: Callable[[Day], QWidget | Path | None]


def grab(widget: QWidget, name: str, width: int = 1280, height: int = 800) -> Path:
    widget.resize(width, height)
    widget.show()
    settle(700)
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    widget.close()
    return path


# ---- the steps --------------------------------------------------------------------------------------------

def intake(day: Day) -> Path:
    from ui.dialogs.intake import IntakeDialog

    dialog = IntakeDialog(day.ws, day.ws.actor("siti"))
    dialog.service.setCurrentIndex(max(0, dialog.service.findData("SKD")))
    dialog.nik.setText(NIK)
    dialog.name.setText(NAME)
    rows = {r.spec.key: r for r in dialog.rows}
    for key, value in FIELDS.items():
        if key in rows:
            rows[key].set_value("17/08/1990" if key == "tanggal_lahir" else value)
    for doc in dialog.docs:
        sample = day.profile / "demo-files" / f"{doc.spec.code}.pdf"
        dialog.attach(doc, sample if sample.exists() else day.profile / "demo-files" / "ktp.pdf")
    path = grab(dialog, "walk-1-intake", 860, 900)
    docs = {d.spec.code: d.path for d in dialog.docs if d.path}
    new = cases.create(day.ws, day.ws.actor("siti"), "SKD", NIK, NAME, FIELDS, docs)
    cases.transition(day.ws, day.ws.actor("siti"), new.id, Action.SUBMIT)
    day.case_id = new.id
    return path


def receipt(day: Day) -> QWidget | None:
    from ui.dialogs.receipt import ReceiptDialog

    return ReceiptDialog(day.ws, day.case_id)


def verification(day: Day) -> Path:
    from ui.main_window import MainWindow

    bambang = day.ws.actor("bambang")  # the verifier sees the letter he initials, as the signer does
    window = MainWindow(day.ws, bambang, Engines(render_preview=preview_for(day.ws, bambang)), sync_state=day.sync)
    assert window.verify_queue is not None
    window.show()
    window.show_page(window.verify_queue)
    wait_signal(window.verify_queue.model.loaded, window.verify_queue.model.refresh)
    queue = window.verify_queue
    row = next((r for r in range(queue.model.rowCount()) if queue.model.case_id(r) == day.case_id), 0)
    queue.table.selectRow(row)
    settle(900)  # the preview renders on a worker thread
    path = grab(window, "walk-3-verify")
    cases.transition(day.ws, day.ws.actor("bambang"), day.case_id, Action.VERIFY)
    return path


def signing(day: Day) -> Path:
    from ui.main_window import MainWindow

    lurah = day.ws.actor("lurah")
    window = MainWindow(day.ws, lurah, Engines(render_preview=preview_for(day.ws, lurah)), sync_state=day.sync)
    assert window.sign_queue is not None
    window.show()
    window.show_page(window.sign_queue)
    wait_signal(window.sign_queue.model.loaded, window.sign_queue.model.refresh)
    queue = window.sign_queue
    row = next((r for r in range(queue.model.rowCount()) if queue.model.case_id(r) == day.case_id), 0)
    queue.table.selectRow(row)
    settle(900)
    return grab(window, "walk-4-sign")


def letter(day: Day) -> Path | None:
    """The real signature (the Lurah's key, enrolled with the demo server), then the letter's first page."""
    from app.services.approvals import approve_batch
    from app.services.letters import export

    if day.server is None:
        return None
    [result] = approve_batch(day.ws, day.ws.actor("lurah"), [day.case_id], demo.DEMO_PIN)
    if not result.ok:
        print(f"not signed: {result}")
        return None
    pdf = OUT.parent / "walk-letter.tmp.pdf"
    export(day.ws, day.case_id, pdf)
    day.letter_pdf = pdf
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(OUT / "walk-5-letter")], check=True)
    pdf.unlink()
    return OUT / "walk-5-letter.png"


def handover(day: Day) -> Path:
    from app.services import cases
    from ui.dialogs.handover import HandoverDialog

    dialog = HandoverDialog(cases.show(day.ws, day.case_id))
    dialog.collector.setText("Budi Santoso")
    dialog.id_shown.setText("KTP-el 3573020101850001")
    dialog.relation.setCurrentIndex(max(dialog.relation.findData("keluarga"), 0))
    return grab(dialog, "walk-6-handover", 640, max(dialog.sizeHint().height(), 220))


def case_after(day: Day) -> Path:
    from app.services.handover import hand_over
    from ui.views.case_detail import CaseDetailDialog

    hand_over(day.ws, day.ws.actor("siti"), day.case_id, "Budi Santoso", "keluarga", "KTP-el 3573020101850001")

    detail = CaseDetailDialog(day.ws, day.ws.actor("siti"), day.case_id, Engines())
    return grab(detail, "walk-7-case", 1100, 760)


def register(day: Day) -> QWidget | None:
    from ui.views.register import RegisterView

    view = RegisterView(day.ws, day.ws.actor("siti"))
    view.resize(1000, 760)
    view.show()
    wait_signal(view.loaded, view.reload)  # the register is read on the database lane
    return view


STEPS = [
    Step("walk-1-intake", "Intake at the counter",
         "Siti, the petugas, opens *Berkas baru* (Ctrl+N), types the citizen's NIK and name, fills the SKD form "
         "and attaches the documents the service asks for, then *Ajukan*.", "ui.dialogs.intake", intake),
    Step("walk-2-receipt", "The receipt",
         "The citizen leaves with a receipt (tanda terima): the registration number, the service, the expected "
         "date and how to follow the request.", "ui.dialogs.receipt", receipt),
    Step("walk-3-verify", "Verification",
         "Bambang, the verifikator, unlocks from the *Pengguna* menu; the request waits in his *Antrean "
         "verifikasi*. He checks it and initials it (*Verifikasi*).", "ui.views.queues", verification),
    Step("walk-4-sign", "Signing",
         "The Lurah's *Antrean tanda tangan* shows the letter as it will be signed. He "
         "selects one or many and signs them with one PIN entry, online or offline.", "ui.views.queues", signing),
    Step("walk-5-letter", "The signed letter",
         "The signed letter: its number, the Lurah's electronic signature with the time in WIB, and the QR code "
         "to the public verification page.", "app.letters.render", letter),
    Step("walk-6-handover", "Hand-over",
         "When the citizen comes back, the petugas hands the letter over and records who collected it.",
         "ui.dialogs.handover", handover),
    Step("walk-7-case", "The case after hand-over",
         "The case shows the letter and its whole history, each step with its time in WIB, and who collected the "
         "letter.", "ui.views.case_detail", case_after),
    Step("walk-8-register", "The day's register",
         "At the end of the day the office's register (buku agenda surat keluar) lists the letters that went "
         "out; it is exported to XLSX or PDF.", "ui.views.register", register),
]


def _start(day: Day, data: Path) -> None:
    """The demo server, and the kelurahan's three people enrolled against it (needs a keyring)."""
    from sync.enroll import enroll

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server = demo.DemoServer(data, port)
    if not server.wait(120):
        server.stop()
        print("walkthrough: the demo server did not start; the letter is left out")
        return
    for username in ("siti", "bambang", "lurah"):
        enroll(day.ws, server.url, server.code(username), demo.DEMO_PIN if username == "lurah" else None,
               secret=demo.DEMO_SECRETS[username])
    day.ws.use("siti")
    day.server = server


def main() -> int:
    if QApplication.instance() is None:
        QApplication(sys.argv[:1])
    lang.apply_language("id")
    OUT.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="loket-walk-"))
    profile = demo.prepare(data, 8)
    ws = Workspace(profile)
    sync = SyncState()
    day = Day(ws, profile, sync)
    shown: list[tuple[Step, Path]] = []
    try:
        try:
            _start(day, data)
        except Exception as err:  # no keyring: the day without the real signature
            print(f"walkthrough: offline ({err}); the letter is left out")
        sync.update(online=day.server is not None)
        for step in STEPS:
            if importlib.util.find_spec(step.module) is None:
                print(f"skipped {step.name}: {step.module} is not in this build")
                continue
            made = step.shoot(day)
            if isinstance(made, QDialog | QWidget):
                made = grab(made, step.name, 1000, 760)
            if made is None:
                print(f"skipped {step.name}: nothing to show")
                continue
            print(made.relative_to(ROOT))
            shown.append((step, made))
    finally:
        if day.server is not None:
            day.server.stop()
        ws.close()
        shutil.rmtree(data, ignore_errors=True)
    write_page(shown)
    return 0


def write_page(shown: list[tuple[Step, Path]]) -> None:
    lines = ["# The counter's day", "",
             "One request for a *Surat Keterangan Domisili* walked from the counter to the letter handed over, on "
             "the demo office of `make run` (Kelurahan Oro-oro Dowo). Generated by `make screenshots` "
             "(`docs/walkthrough.py`); the screens are in Bahasa Indonesia, as the office uses them.", ""]
    for number, (step, path) in enumerate(shown, 1):
        lines += [f"## {number}. {step.title}", "", step.text, "", f"![{step.title}](screenshots/{path.name})", ""]
    PAGE.write_text("\n".join(lines), encoding="utf-8")
    print(PAGE.relative_to(ROOT))


if __name__ == "__main__":
    raise SystemExit(main())
