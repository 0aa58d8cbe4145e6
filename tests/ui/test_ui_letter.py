"""A signed letter in the case detail: listed first with its preview, saved and printed."""

from __future__ import annotations

from pathlib import Path

from app.letters.model import today_wib
from app.letters.render import render_letter
from app.services import letters
from app.storage.models import Case


def test_letter_shows_first_and_prints(ws, petugas, make_case, qtbot, settle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtPrintSupport import QPrinter

    from ui import printing
    from ui.views.case_detail import CaseDetailView

    case_id = make_case(petugas)
    with ws.db.read() as s:
        case = s.get(Case, case_id)
        assert case is not None
        data = letters.letter_data(ws, case, letters.signer_for(petugas), "400.12.2.2/007/35.73.02.1008/2026",
                                   today_wib(), "https://example.invalid/verify/x")
    pdf = render_letter(data).pdf
    blob = ws.blobs.put(pdf)
    with ws.db.write() as s:
        stored = s.get(Case, case_id)
        assert stored is not None
        stored.letter_number, stored.letter_sha256 = data.number, blob.sha256
    view = CaseDetailView(ws, petugas, case_id)
    qtbot.addWidget(view)
    qtbot.waitUntil(lambda: view.data is not None, timeout=5000)
    settle()
    assert view.docs.item(0).text().startswith("Surat bertanda tangan — 400.12.2.2/007")
    labels = [view.buttons.itemAt(i).widget().text() for i in range(view.buttons.count())
              if view.buttons.itemAt(i).widget() is not None]
    assert "&Cetak surat…" in labels and "&Simpan surat (PDF)…" in labels

    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    printing.paint(printer, pdf)
    assert out.exists() and out.read_bytes().startswith(b"%PDF") and out.stat().st_size > 10_000
