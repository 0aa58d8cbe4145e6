"""Render the counter's screens offscreen into ``docs/screenshots/``: the letter preview on page 2 of an SKTM
letter, the intake form with a NIK contradiction flagged, the user guide and the About box.

    QT_QPA_PLATFORM=offscreen tools/with-keyring .venv/bin/python docs/screenshots_counter.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LOKET_LANG", "id")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
SKTM = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P", "no_kk": "3573021708900005",
        "pekerjaan": "Buruh harian lepas", "alamat": "Jl. Kawi No. 12, RT 03/RW 05, Kelurahan Oro-oro Dowo",
        "untuk": "pendidikan", "penghasilan": "1500000", "tanggungan": "4", "nama_tertanggung": "Rina Wahyuni",
        "instansi_tujuan": "SMP Negeri 3 Malang", "keperluan": "keringanan biaya sekolah anak"}


def settle(ms: int = 400) -> None:
    from ui.tasks import manager

    app = QApplication.instance()
    assert app is not None
    end = time.monotonic() + ms / 1000
    while True:
        app.processEvents()
        manager().wait_idle(3000)
        app.processEvents()
        if time.monotonic() > end and not manager().busy:
            return
        time.sleep(0.01)


def save(widget: QWidget, name: str) -> None:
    settle()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))


def main() -> int:
    from app.domain.lifecycle import Action
    from app.events import EventBus
    from app.services import cases
    from app.services.workspace import Workspace
    from samples import NIK_WOMAN, OFFICE, documents
    from ui import lang
    from ui.actions import Engines, preview_for
    from ui.dialogs.help import AboutDialog, GuideDialog
    from ui.dialogs.intake import IntakeDialog
    from ui.views.queues import QueueView

    app = QApplication.instance() or QApplication([])
    app.setApplicationDisplayName("Loket")
    lang.apply_language("id")
    tmp = Path(tempfile.mkdtemp())
    ws = Workspace(tmp / "profile", events=EventBus())
    for user, role, name in (("siti", "petugas", "Siti Rahmawati"), ("bambang", "verifikator", "Bambang Wicaksono"),
                             ("lurah", "penandatangan", "Drs. Hendro Prasetyo")):
        ws.add_local_user(user, name, role, OFFICE)
    siti, bambang = ws.actor("siti"), ws.actor("bambang")
    case = cases.create(ws, siti, "SKTM", NIK_WOMAN, "Sri Wahyuni", SKTM, documents(tmp))
    files = {d: p for d, p in documents(tmp).items()}
    for doc in ws.catalog.get("SKTM").documents:
        if doc.required and doc.code not in files:
            files[doc.code] = next(iter(documents(tmp).values()))
    cases.edit(ws, siti, case.id, {}, {d.code: files[d.code] for d in ws.catalog.get("SKTM").documents
                                      if d.required})
    cases.transition(ws, siti, case.id, Action.SUBMIT)

    queue = QueueView(ws, bambang, "verify", Engines(render_preview=preview_for(ws, bambang)))
    queue.resize(1280, 760)
    queue.show()
    settle()
    queue.table.selectRow(0)
    settle(1500)
    queue.preview.next_page()
    save(queue, "preview-page-2")

    intake = IntakeDialog(ws, siti)
    intake.resize(780, 760)
    intake.show()
    intake.service.setCurrentIndex(intake.service.findData("SKD"))
    QTest.keyClicks(intake.nik, NIK_WOMAN)
    QTest.keyClicks(intake.name, "Sri Wahyuni")
    birth = intake.row("tanggal_lahir")
    assert birth is not None
    birth.set_value("01/01/1985")
    sex = intake.row("jenis_kelamin")
    assert sex is not None
    sex.set_value("L")
    save(intake, "intake-nik-contradiction")

    guide = GuideDialog()
    guide.show()
    save(guide, "help-guide")
    about = AboutDialog("https://loket.malangkota.go.id")
    about.show()
    save(about, "help-about")
    ws.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
