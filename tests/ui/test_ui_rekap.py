"""The Rekap page on the demo's musrenbang year and school semesters: filters, tiles, charts, the flagged
rows, and an export read back. ``LOKET_SCREENSHOTS=1`` also saves both views to docs/screenshots/."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from app import clock
from app.reports.sekolah import Semester
from app.services.workspace import Workspace
from ui import demo_rekap

ROOT = Path(__file__).resolve().parents[2]


def _shot(widget, name: str) -> None:  # type: ignore[no-untyped-def]
    if os.environ.get("LOKET_SCREENSHOTS"):
        widget.grab().save(str(ROOT / "docs" / "screenshots" / name))


def test_rekap_views_show_the_demo_year(ws: Workspace, settle: Callable[..., None], tmp_path: Path) -> None:
    from ui.views.rekap import RekapView

    assert demo_rekap.seed(ws) == 20 + 39
    ws.add_local_user("camat", "Camat Klojen", "penandatangan", "35.73.02")
    ws.add_local_user("lurah1", "Lurah Oro-oro Dowo", "penandatangan", "35.73.02.1008")
    view = RekapView(ws, ws.actor("camat"))
    view.resize(1280, 860)
    view.show()
    mus = view.musrenbang
    assert mus.kecamatan.currentData() == "35.73.02" and mus.year.value() == clock.today().year + 1
    view.activate()
    settle()
    assert mus.rekap is not None and mus.count.value.text() == str(mus.rekap.total_count)
    assert mus.model.rowCount() == 20 and len(mus.per_kelurahan.items) == 4
    flagged = [r for r in mus.rekap.proposals if r.over_ceiling]
    assert mus.over.value.text() == str(len(flagged))
    mus.kelurahan.setCurrentIndex(mus.kelurahan.findData("35.73.02.1008"))
    assert mus.model.rowCount() == 5 and mus.set_pagu.isEnabled()
    mus.save_ceiling("35.73.02.1008", "Rp 150.000.000")  # the camat lowers Oro-oro Dowo's ceiling
    settle()
    oro = next(k for k in mus.rekap.per_kelurahan if k.code == "35.73.02.1008")
    assert oro.ceiling == 150_000_000 and oro.over_count >= 1
    _shot(view, "rekap-musrenbang.png")
    out = tmp_path / "mus.xlsx"
    mus.export_to(out)
    rows = list(openpyxl.load_workbook(out).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 6 and {r[2] for r in rows[1:]} == {"Oro-oro Dowo"}

    view.tabs.setCurrentWidget(view.sekolah)
    settle()
    sek = view.sekolah
    assert sek.rekap is not None
    today = clock.today()
    assert sek.rekap.semester == (Semester(today.year, 1) if today.month >= 7 else Semester(today.year - 1, 2))
    assert (len(sek.rekap.reports), len(sek.rekap.missing)) == (15, 6)
    assert sek.model.rowCount() == 15 and sek.missing_model.rowCount() == 6
    assert {t.key for t in sek.rekap.per_kecamatan} == {"Klojen", "Blimbing", "Kedungkandang", "Lowokwaru", "Sukun"}
    sek.kecamatan.setCurrentIndex(sek.kecamatan.findData("Klojen"))
    assert 0 < sek.model.rowCount() < 15
    sek.kecamatan.setCurrentIndex(0)
    _shot(view, "rekap-sekolah.png")
    view.close()
    lurah = RekapView(ws, ws.actor("lurah1"))
    lurah.musrenbang.show_data(lurah.musrenbang.compute())
    lurah.musrenbang.kelurahan.setCurrentIndex(lurah.musrenbang.kelurahan.findData("35.73.02.1008"))
    assert not lurah.musrenbang.set_pagu.isEnabled()  # a kelurahan does not set its own ceiling
    lurah.close()


def test_rekap_page_in_english(ws: Workspace) -> None:
    from ui import lang
    from ui.views.rekap import RekapView

    lang.apply_language("en")
    view = RekapView(ws, None)
    assert view.tabs.tabText(1) == "School reports"
    assert view.musrenbang.export_xlsx.text() == "Export XLSX…"
    assert view.sekolah.schools.caption.text() == "Schools reported"
    view.close()


def test_the_kecamatan_makes_its_berita_acara_from_the_rekap(ws: Workspace, settle: Callable[..., None],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox
    from sqlalchemy import select

    from app.storage.models import Case
    from ui.views.rekap import MusrenbangView

    demo_rekap.seed(ws)
    ws.add_local_user("dewi", "Dewi Anggraini", "petugas", "35.73.02")
    ws.add_local_user("camat", "Camat Klojen", "penandatangan", "35.73.02")
    assert not MusrenbangView(ws, ws.actor("camat")).may_make_berita_acara()  # he signs it, his staff make it
    view = MusrenbangView(ws, ws.actor("dewi"))
    view.show()
    view.reload()
    settle()
    assert view.make_ba.isVisible() and view.rekap is not None
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "question", lambda *_a, **_k: QMessageBox.StandardButton.Yes)
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    view.make_ba.click()
    settle()
    with ws.db.read() as s:
        [made] = s.scalars(select(Case).where(Case.service == "BAMUS")).all()
    assert made.status == "submitted" and made.office == "35.73.02" and made.reg_no
    accepted = [p for p in view.rekap.proposals if p.status in ("approved", "issued")]
    assert told and made.reg_no in told[0] and f"{len(accepted)} usulan" in told[0]
