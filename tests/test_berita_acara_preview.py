"""The berita acara before the Camat signs it: its draft preview is the berita acara as it will be signed (the
same renderer as the signing path, not a letter printing its frozen JSON), and each proposal's reference is
its registration number, or a clear mark while it has none — never a case id's prefix."""

from __future__ import annotations

import json
import random
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from app.errors import UserFacingError
from app.reports import berita_acara
from app.reports.common import UNNUMBERED
from app.services import rekaps
from app.services.workspace import Workspace
from app.storage.models import Case
from ui import demo_rekap


def _text(pdf: bytes, tmp_path: Path) -> str:
    path = tmp_path / "preview.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_the_draft_preview_is_the_berita_acara_as_it_will_be_signed(ws: Workspace, tmp_path: Path) -> None:
    from ui.actions import DRAFT_NUMBER, preview_for

    rows = demo_rekap.proposals(random.Random(27), 2027)
    unnumbered = next(c for c in rows if c.status == "approved")
    unnumbered.reg_no = None  # pulled before it had its number
    with ws.db.write() as s:
        s.add_all(rows)
    ws.add_local_user("dewi", "Dewi Anggraini", "petugas", "35.73.02")
    ws.add_local_user("camat", "Camat Klojen", "penandatangan", "35.73.02")
    made = rekaps.make_berita_acara(ws, ws.actor("dewi"), 2027)
    expected = berita_acara.accepted(rekaps.musrenbang_rekap(ws, 2027, "35.73.02"))
    assert UNNUMBERED in [r.reg_no for r in expected]

    pdf = preview_for(ws, ws.actor("camat"))(str(made["id"]))
    assert pdf is not None
    text = _text(pdf, tmp_path)
    assert "BERITA ACARA MUSYAWARAH PERENCANAAN PEMBANGUNAN" in text and DRAFT_NUMBER in text
    assert '"pengusul"' not in text and '"kel"' not in text  # not the frozen JSON printed as a letter field
    numbered = [r.reg_no for r in expected if r.reg_no != UNNUMBERED]
    positions = [text.index(reg_no) for reg_no in numbered]
    assert positions == sorted(positions) and UNNUMBERED in text
    assert unnumbered.id[:8] not in text
    assert f"{len(expected)} usulan" in text and "Rekapitulasi per kelurahan" in text


def test_the_berita_acara_is_named_by_its_number_or_as_a_draft(ws: Workspace) -> None:
    demo_rekap.seed(ws)
    ws.add_local_user("dewi", "Dewi Anggraini", "petugas", "35.73.02")
    year = rekaps.check_year(max(2024, min(2100, demo_rekap.clock.today().year + 1)))
    made = rekaps.make_berita_acara(ws, ws.actor("dewi"), year)
    assert made["reg_no"] and berita_acara.reference(str(made["reg_no"])) == made["reg_no"]
    with ws.db.write() as s:  # as one pulled before it had its number
        s.scalars(select(Case).where(Case.id == made["id"])).one().reg_no = None
    with pytest.raises(UserFacingError) as refused:
        rekaps.make_berita_acara(ws, ws.actor("dewi"), year)
    assert berita_acara.DRAFT_REFERENCE in str(refused.value) and str(made["id"])[:8] not in str(refused.value)


def test_case_show_prints_the_frozen_proposals_as_a_table(ws: Workspace, profile: Path,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    from ui.cli import main

    rows = demo_rekap.proposals(random.Random(27), 2027)
    hostile = next(c for c in rows if c.status == "approved")
    fields = json.loads(hostile.fields)  # an escape sequence from the network stays off the terminal
    hostile.fields = json.dumps(dict(fields, program="\x1b[2J" + fields["program"]))
    with ws.db.write() as s:
        s.add_all(rows)
    ws.add_local_user("dewi", "Dewi Anggraini", "petugas", "35.73.02")
    made = rekaps.make_berita_acara(ws, ws.actor("dewi"), 2027)
    expected = berita_acara.accepted(rekaps.musrenbang_rekap(ws, 2027, "35.73.02"))
    assert main(["case", "show", str(made["id"]), "--profile", str(profile)]) == 0
    out = capsys.readouterr().out
    assert '"pengusul"' not in out and "\x1b" not in out
    table = out[out.index("  usulan:"):].splitlines()
    assert table[1].split() == ["No.", "Kelurahan", "Usulan", "Bidang", "Biaya"]
    for line, row in zip(table[2:], expected, strict=False):
        assert line.split()[0] == str(row.number) and row.kelurahan in line and row.bidang[:10] in line
        assert line.endswith(berita_acara_rupiah(row.cost))
    assert f"{len(expected)} usulan, {berita_acara_rupiah(sum(r.cost for r in expected))}" in out


def berita_acara_rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")
