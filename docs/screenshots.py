"""Render Loket's main screens offscreen into ``docs/screenshots/*.png`` (Bahasa Indonesia).

    QT_QPA_PLATFORM=offscreen python docs/screenshots.py          # all screens, then the 150 % one
    QT_SCALE_FACTOR=1.5 python docs/screenshots.py --only main-150

The demo office (``ui.demo``) provides real data written through the services layer and the letter preview is
the real renderer. No signing key exists in a screenshot run, so the signing queue injects a stand-in
``approve_batch`` (clearly marked) to show a batch's results; the conflicts screen uses a stand-in source.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("LOKET_LANG", "id")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import SignalInstance  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from app.services.workspace import Workspace  # noqa: E402
from ui import demo, lang  # noqa: E402
from ui.actions import ApprovalOutcome, Engines, preview_for  # noqa: E402
from ui.main_window import SyncState  # noqa: E402
from ui.tasks import manager  # noqa: E402
from ui.views.conflicts import Conflict  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def settle(ms: int = 300) -> None:
    """Let background ops finish and their callbacks run."""
    app = QApplication.instance()
    assert app is not None
    end = time.monotonic() + ms / 1000
    while True:
        app.processEvents()
        manager().wait_idle(2000)
        app.processEvents()
        if time.monotonic() > end and not manager().busy:
            break
        time.sleep(0.01)


def wait_signal(signal: SignalInstance, trigger: Callable[[], object] | None = None, timeout_ms: int = 20_000) -> None:
    """Run the event loop until ``signal`` is emitted (after calling ``trigger``, connected first so a quick
    answer is not missed), as pytest-qt's ``waitSignal`` does; ``TimeoutError`` if it never comes."""
    app = QApplication.instance()
    assert app is not None
    fired: list[bool] = []

    def seen(*_args: object) -> None:
        fired.append(True)

    signal.connect(seen)
    try:
        if trigger is not None:
            trigger()
        end = time.monotonic() + timeout_ms / 1000
        while not fired:
            if time.monotonic() > end:
                raise TimeoutError(f"no signal within {timeout_ms} ms")
            app.processEvents()
            manager().wait_idle(50)
            time.sleep(0.005)
    finally:
        signal.disconnect(seen)
    app.processEvents()


def save(widget: QWidget, name: str) -> Path:
    settle()
    path = OUT / f"{name}.png"
    widget.grab().save(str(path))
    print(path.relative_to(ROOT))
    return path


class StandInConflicts:
    def __init__(self, ws: Workspace) -> None:
        from app.storage import repo
        from app.storage.repo import CaseQuery

        with ws.db.read() as s:
            rows = repo.list_cases(s, CaseQuery(status="draft"), 0, 2)
        self.items = [
            Conflict("c1", rows[0].id, f"{rows[0].service} · {rows[0].name}", "alamat", "Alamat (jalan, RT/RW)",
                     "Jl. Kawi No. 12, RT 03/RW 05", "Jl. Kawi Atas No. 12, RT 03/RW 05"),
            Conflict("c2", rows[0].id, f"{rows[0].service} · {rows[0].name}", "telepon", "Nomor telepon/WA",
                     "081233445566", "085790001122"),
            Conflict("c3", rows[-1].id, f"{rows[-1].service} · {rows[-1].name}", "keperluan", "Keperluan",
                     "Persyaratan melamar kerja", None),
        ]

    def list(self) -> Sequence[Conflict]:
        return self.items

    def resolve(self, conflict_id: str, keep: str) -> None:
        self.items = [c for c in self.items if c.id != conflict_id]


def _returned_case(ws: Workspace) -> str:
    from app.storage import repo
    from app.storage.repo import CaseQuery

    with ws.db.read() as s:
        return repo.list_cases(s, CaseQuery(status="returned"), 0, 1)[0].id


def _withdraw_elsewhere(server: demo.DemoServer, case_id: str) -> None:
    """Siti withdraws a submitted request from her other laptop, at the citizen's wish (real HTTP)."""
    import uuid

    from app import clock
    from sync.client import SyncClient

    enrolled = SyncClient(server.url).enroll(server.code("siti"), "Laptop rumah Siti (Windows)")
    client = SyncClient(server.url, enrolled["token"])
    [snap] = [c for c in client.changes(0, 5000)["changes"] if c["id"] == case_id]
    client.push([{"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": case_id,
                  "base_version": snap["version"],
                  "payload": {"action": "withdraw", "reason": "Atas permintaan pemohon", "at": clock.now_iso()}}])


def synced_shots(ws: Workspace, profile: Path, data: Path, sync: SyncState, only: str | None) -> None:
    """With the real reference server: the history after a sync (device time beside receipt time, device
    names) and the *Ditolak server* list with a step another laptop overtook. Offline history without a
    usable keyring (the demo users cannot enrol)."""
    import socket

    from app.domain.lifecycle import Action
    from app.services import cases
    from app.storage import repo
    from app.storage.repo import CaseQuery
    from ui.views.case_detail import CaseDetailDialog

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    server: demo.DemoServer | None = demo.DemoServer(data, port)
    try:
        assert server is not None
        if not server.wait(120):
            raise RuntimeError(f"the demo server did not start: {(data / 'server.log').read_text()[-800:]}")
        demo.enrol_demo_users(profile, server, only={u for u, *_ in demo.USERS})  # the kelurahan's three
    except Exception as err:  # no keyring here: the history as it stands offline
        print(f"offline history only: {err}")
        if server is not None:
            server.stop()
        server = None
    try:
        if server is not None:
            from sync.engine import SyncEngine

            SyncEngine(ws).run()
        if only in (None, "case-detail"):
            detail = CaseDetailDialog(ws, ws.actor("siti"), _returned_case(ws), Engines())
            detail.resize(1100, 760)
            detail.show()
            settle(600)
            save(detail, "case-detail")
            detail.close()
        if server is None or only not in (None, "refusals"):
            return
        with ws.db.read() as s:
            waiting = repo.list_cases(s, CaseQuery(status="submitted"), 0, 1)[0].id
        _withdraw_elsewhere(server, waiting)
        cases.transition(ws, ws.actor("bambang"), waiting, Action.VERIFY)
        SyncEngine(ws).run()
        from ui.views.refusals import RefusalsDialog

        dialog = RefusalsDialog(ws, ws.actor("bambang"), Engines(), lambda _id: None)
        dialog.resize(1060, 420)
        dialog.show()
        settle(600)
        save(dialog, "refusals")
        dialog.close()
    finally:
        if server is not None:
            server.stop()


def shots(only: str | None) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from ui.dialogs.intake import IntakeDialog
    from ui.main_window import MainWindow

    if QApplication.instance() is None:
        QApplication(sys.argv[:1])
    lang.apply_language("id")
    data = Path(tempfile.mkdtemp(prefix="loket-shots-"))
    profile = demo.prepare(data, 30)
    ws = Workspace(profile)
    OUT.mkdir(parents=True, exist_ok=True)
    sync = SyncState()
    sync.update(online=False)
    siti = ws.actor("siti")

    if only in (None, "main", "main-150"):
        window = MainWindow(ws, siti, Engines(), sync_state=sync)
        window.resize(1280, 800)
        wait_signal(window.cases.model.loaded, window.show)  # the case list is read on the database lane
        window.cases.table.selectRow(2)
        save(window, only or "main")
        window.close()
        if only == "main-150":
            manager().wait_idle()
            ws.close()
            shutil.rmtree(data, ignore_errors=True)
            return

    if only in (None, "intake"):
        dialog = IntakeDialog(ws, siti)
        dialog.resize(820, 860)
        dialog.service.setCurrentIndex(max(0, dialog.service.findData("SKTM")))
        dialog.show()
        settle()
        QTest.keyClicks(dialog.nik, "35730257089")
        QTest.keyClicks(dialog.name, "Sri Wahyuni")
        rows = {r.spec.key: r for r in dialog.rows}
        rows["tempat_lahir"].set_value("Malang")
        rows["tanggal_lahir"].set_value("31/02/1990")
        rows["jenis_kelamin"].set_value("P")
        rows["no_kk"].set_value("3573021708900005")
        dialog.docs[0].preview.show_image(None)
        dialog.attach(dialog.docs[0], profile / "demo-files" / "ktp.pdf")
        dialog.nik.setFocus()
        save(dialog, "intake")
        dialog.close()

    if only in (None, "case-detail", "refusals"):
        synced_shots(ws, profile, data, sync, only)

    if only in (None, "signing-queue"):
        lurah = ws.actor("lurah")

        def approve_stand_in(ids: Sequence[str], pin: str, progress: Callable[[int, int], None]) \
                -> list[ApprovalOutcome]:
            out = []
            for i, cid in enumerate(ids):
                progress(i + 1, len(ids))
                out.append(ApprovalOutcome(cid, False, "Berkas sudah diubah di server (versi 3); periksa ulang.")
                           if i == 0 else ApprovalOutcome(cid, True, None, f"400.12.2.3/{41 + i}/35.73.02.1008/2026"))
            return out

        engines = Engines(approve_batch=approve_stand_in, render_preview=preview_for(ws, lurah))
        window = MainWindow(ws, lurah, engines, sync_state=sync)
        window.resize(1280, 800)
        window.show()
        assert window.sign_queue is not None
        window.show_page(window.sign_queue)
        wait_signal(window.sign_queue.model.loaded, window.sign_queue.model.refresh)
        queue = window.sign_queue
        queue.show_results(approve_stand_in([queue.model.case_id(0) or "", "5f1c2a9e-0000"], "", lambda *_: None))
        queue.table.selectRow(1)
        queue.table.setFocus()
        settle(800)
        save(window, "signing-queue")
        window.close()

    if only in (None, "dashboard"):
        window = MainWindow(ws, siti, Engines(), sync_state=sync)
        window.resize(1280, 800)
        window.show()
        window.show_page(window.dashboard)
        settle(600)
        save(window, "dashboard")
        window.close()

    if only in (None, "unlock"):  # needs a keyring: run under tools/with-keyring
        from app.services import unlock
        from ui.dialogs.login import LoginDialog

        for username, secret in demo.DEMO_SECRETS.items():
            unlock.set_secret(ws, username, secret, ws.actor(username).role)
        dialog = LoginDialog(ws, None, current="bambang")
        dialog.show()
        settle()
        QTest.keyClicks(dialog.secret, "kata-sandi-siti")  # someone else's password: refused, counted
        dialog.login_button.click()
        settle(1500)
        save(dialog, "unlock")
        dialog.close()
        for username in demo.DEMO_SECRETS:
            unlock.forget(ws, username)

    if only in (None, "conflicts"):
        window = MainWindow(ws, siti, Engines(conflicts=StandInConflicts(ws)), sync_state=sync)
        window.resize(1280, 800)
        window.show()
        window.show_page(window.conflicts)
        settle(400)
        window.conflicts.groups["c2"].button(0).setChecked(True)
        save(window, "conflicts")
        window.close()
    del Qt
    manager().wait_idle()
    ws.close()
    shutil.rmtree(data, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--only", default=None)
    args = p.parse_args(argv)
    shots(args.only)
    if args.only is None:
        env = {**os.environ, "QT_SCALE_FACTOR": "1.5"}
        subprocess.run([sys.executable, __file__, "--only", "main-150"], env=env, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
