"""Screenshots of the citizen's pages (the status page and the letter verification page) as headless Chromium
shows them on a phone (390 px) and a desktop (1280 px): ``make citizen-screenshots``.

The pages are rendered by the server's own code from a sample request (no server, no database), written to
a temporary folder and opened by Chromium from there: the same HTML and styles a citizen's browser gets.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.domain.catalog import default_catalog  # noqa: E402
from app.domain.offices import directory  # noqa: E402
from sync.server.status_page import StatusDesk, form_page, throttled_page  # noqa: E402
from sync.server.verify_page import render_verify_page  # noqa: E402

OUT = ROOT / "docs" / "screenshots"
NUMBER = "400.12.2.2/017/35.73.02.1008/XII/2026"


def _events() -> list[SimpleNamespace]:
    def event(action: str, at: str) -> SimpleNamespace:
        return SimpleNamespace(action=action, at=at)

    return [event("create", "2026-12-01T01:12:00Z"), event("submit", "2026-12-01T01:20:00Z"),
            event("verify", "2026-12-01T03:05:00Z"), event("approve", "2026-12-01T07:41:00Z"),
            event("notify", "2026-12-01T07:42:00Z")]


def status_page(signed: bool, returned: bool = False) -> str:
    case = SimpleNamespace(
        id="0f6c2d1e-0000-4000-8000-000000000001", service="SKD", office="35.73.02.1008",
        signer_office="35.73.02.1008", status="approved" if signed else "returned" if returned else "verified",
        reg_no="SKD/OOD/2026/0017", letter_number=NUMBER if signed else None,
        letter_sha256="ab" * 32 if signed else None, created_at="2026-12-01T01:12:00Z",
        reason="Foto KTP buram; mohon bawa KTP asli ke kantor kelurahan" if returned else None)
    desk = StatusDesk(None, default_catalog(), directory())  # type: ignore[arg-type]
    events = _events() if signed else _events()[:3]
    if returned:
        events = [*_events()[:2], SimpleNamespace(action="return", at="2026-12-01T03:05:00Z")]
    return desk.render(SimpleNamespace(case=case, events=events), "SKD/OOD/2026/0017", "K7M2QX9P")  # type: ignore[arg-type]


def verify_page() -> str:
    return render_verify_page({
        "letter_number": NUMBER, "service": "Surat Keterangan Domisili", "office": "Kelurahan Oro-oro Dowo",
        "signer": "Drs. Hendro Prasetyo, M.Si.", "position": "Lurah Oro-oro Dowo",
        "signed_at": "2026-12-01T07:41:00Z", "status": "approved", "certificate_revoked_at": None,
        "sha256": "3f5e0c1b9a7d4e2f8c6b1a0d9e8f7c6b5a4d3e2f1c0b9a8d7e6f5c4b3a2d1e0f", "earlier_steps": []})


PAGES = {
    "status-form": form_page(),
    "status-signed": status_page(True),
    "status-in-progress": status_page(False),
    "status-returned": status_page(False, returned=True),
    "status-throttled": throttled_page(2400),
    "verify-letter": verify_page(),
    "verify-not-found": render_verify_page(None),
}
SHOTS = [("status-form", 390), ("status-signed", 390), ("status-signed", 1280), ("status-in-progress", 390),
         ("status-returned", 390),
         ("status-throttled", 390), ("verify-letter", 390), ("verify-letter", 1280), ("verify-not-found", 390)]


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is needed (make system-deps installs it)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in PAGES.items():
            (Path(tmp) / f"{name}.html").write_text(text, encoding="utf-8")
        for name, width in SHOTS:
            target = OUT / f"citizen-{name}-{width}.png"
            height = 1500 if width < 500 else 1200
            subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                            "--hide-scrollbars", f"--window-size={width},{height}", f"--screenshot={target}",
                            (Path(tmp) / f"{name}.html").as_uri()], check=True, capture_output=True, timeout=90)
            print(target.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
