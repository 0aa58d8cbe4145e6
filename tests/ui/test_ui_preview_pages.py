"""The signer sees what he signs: every page of the letter, zoomed, signed by whoever will sign it; the preview
leaves a case that left the queue; saving and steps say that they happened, under a safe file name."""

from __future__ import annotations

import io
from pathlib import Path

from app.domain.lifecycle import Action
from ui import notice
from ui.actions import Engines
from ui.views.queues import QueueView


def two_pages(label: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    for page in (1, 2):
        pdf.drawString(72, 770, f"{label} halaman {page}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def pdf_text(data: bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(data)
    try:
        return "\n".join(doc[i].get_textpage().get_text_range() for i in range(len(doc)))
    finally:
        doc.close()


def test_the_queue_pages_through_and_zooms_and_follows_the_queue(ws, staff, make_case, qtbot, settle) -> None:  # type: ignore[no-untyped-def]
    first, second = (make_case(staff["petugas"], ((staff["petugas"], Action.SUBMIT),), nik=f"35730201018500{n}")
                     for n in (11, 12))
    rendered: list[str] = []

    def render(case_id: str) -> bytes:
        rendered.append(case_id)
        return two_pages(case_id)

    view = QueueView(ws, staff["verifikator"], "verify", Engines(render_preview=render))
    qtbot.addWidget(view)
    view.resize(1100, 700)
    view.show()
    settle()
    view.table.selectRow(0)
    settle()
    shown = view._preview_for
    assert shown in (first, second) and view.preview.page_count == 2
    assert view.preview.page_label.text() == "Halaman 1 dari 2" and not view.preview.prev_button.isEnabled()
    view.preview.next_button.click()
    assert view.preview.page == 1 and view.preview.page_label.text() == "Halaman 2 dari 2"
    width = view.preview.image.pixmap().width()
    view.preview.zoom_in_button.click()
    assert view.preview.image.pixmap().width() > width
    view.preview.fit_button.click()
    assert view.preview.zoom is None

    notice.recent.clear()
    view.buttons["verify"].click()  # the current case leaves the queue
    settle()
    assert notice.recent and "diverifikasi" in notice.recent[-1]
    assert view._preview_for != shown
    view.table.selectAll()
    view.buttons["verify"].click()
    settle()
    assert view.model.rowCount() == 0 and view._preview_for is None and view.preview.page_count == 0


def test_the_preview_names_who_will_sign_not_who_looks(ws, staff, make_case) -> None:  # type: ignore[no-untyped-def]
    from ui import actions

    case_id = make_case(staff["petugas"], ((staff["petugas"], Action.SUBMIT),))
    text = pdf_text(actions.preview_for(ws, staff["verifikator"])(case_id) or b"")
    assert staff["penandatangan"].full_name in text and staff["verifikator"].full_name not in text
    signer_text = pdf_text(actions.preview_for(ws, staff["penandatangan"])(case_id) or b"")
    assert staff["penandatangan"].full_name in signer_text


def test_a_letter_number_makes_a_safe_file_name_in_the_documents_folder() -> None:
    from ui.printing import documents_folder, safe_filename, suggested_path

    assert safe_filename("400.12.2.2/001/35.73.02") == "400.12.2.2-001-35.73.02.pdf"
    for hostile in ("../../etc/passwd", "..\\..\\Windows\\x", "a/../b", "/", "..", "CON:*?<>|\x00"):
        name = safe_filename(hostile)
        assert "/" not in name and "\\" not in name and ".." not in name and not name.startswith(".")
        assert name.endswith(".pdf") and len(name) <= 110 and "\x00" not in name
    assert safe_filename("x" * 500).__len__() <= 110
    path = suggested_path("400.12.2.2/001/35.73.02")
    assert path.parent == documents_folder() and path.name == "400.12.2.2-001-35.73.02.pdf"


def test_saving_a_letter_says_where_it_went(ws, staff, make_case, qtbot, settle, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from ui.printing import save_pdf

    asked: list[Path] = []
    target = tmp_path / "surat.pdf"

    def ask(_parent, suggested: Path) -> str:  # type: ignore[no-untyped-def]
        asked.append(suggested)
        return str(target)

    from PySide6.QtWidgets import QWidget

    parent = QWidget()
    qtbot.addWidget(parent)
    notice.recent.clear()
    assert save_pdf(parent, two_pages("x"), Path("/nonexistent/400.12.2.2-001-35.73.02.pdf"), ask=ask) == target
    assert target.read_bytes().startswith(b"%PDF") and asked[0].name == "400.12.2.2-001-35.73.02.pdf"
    assert notice.recent[-1] == f"Surat disimpan: {target}"

