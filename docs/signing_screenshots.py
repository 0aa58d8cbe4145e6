"""Screenshots of signing that need a server and signed letters: a three-step USULMUS letter and the public
page of a letter whose signer was revoked after its document timestamp.

    tools/with-keyring .venv/bin/python docs/signing_screenshots.py

Builds the signing simulation's office (tests/faults/sim_signing.py: an in-process server with its CA, the
office laptop of Oro-oro Dowo and the Camat's laptop, everyone enrolled with real keys); the Lurah recommends a
Musrenbang proposal, the Camat signs the letter (the server upgrades it to B-LT) and its first page is rendered
with ``pdftoppm -png -r 80`` into ``docs/screenshots/letter-usulmus.png``. Then the Lurah signs an SKD letter,
it is timestamped, IT revokes him (``mutasi``), and headless Chromium photographs the public page served by a
real uvicorn into ``docs/screenshots/verify-revoked-after.png``.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from faults.harness import ThreadedServer  # noqa: E402
from faults.sim_signing import PIN, SigningOffice  # noqa: E402

from app.services import approvals  # noqa: E402

OUT = ROOT / "docs" / "screenshots"


def _letter(office: SigningOffice, case_id: str) -> bytes:
    [(data,)] = office._server("SELECT b.data FROM blobs b JOIN approvals a ON a.letter_sha256 = b.sha256 "
                               f"WHERE a.case_id = '{case_id}'")
    return bytes(data)


def _sign(office: SigningOffice, laptop: str, user: str, case_id: str) -> None:
    where = office.laptops[laptop]
    [done] = approvals.approve_batch(where.ws, where.ws.actor(user), [case_id], PIN)
    assert done.ok, done
    where.sync()


def usulmus_letter(office: SigningOffice) -> Path:
    k, c = office.laptops["k"], office.laptops["c"]
    [case_id] = [i for i in k.queue("lurah") if k.query("SELECT service FROM cases WHERE id = ?", (i,))[0][0]
                 == "USULMUS"]
    _sign(office, "k", "lurah", case_id)  # the recommendation
    c.sync()
    _sign(office, "c", "camat", case_id)  # the letter
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "usulmus.pdf"
        pdf.write_bytes(_letter(office, case_id))
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                        str(OUT / "letter-usulmus")], check=True)
    return OUT / "letter-usulmus.png"


def revoked_after(office: SigningOffice) -> Path:
    k = office.laptops["k"]
    [case_id] = [i for i in k.queue("lurah") if k.query("SELECT service FROM cases WHERE id = ?", (i,))[0][0]
                 == "SKD"][:1]
    _sign(office, "k", "lurah", case_id)
    time.sleep(2)  # the revocation comes later than the letter's timestamp, as on the Lurah's transfer
    office.local.server.revoke(user="lurah", reason="Mutasi ke Kecamatan Blimbing", reason_code="mutasi")
    served = ThreadedServer(office.local.app)
    try:
        shot = OUT / "verify-revoked-after.png"
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        f"--screenshot={shot}", "--window-size=1280,900", f"{served.url}/verify/{case_id}"],
                       check=True, capture_output=True, timeout=120)
    finally:
        served.close()
    return shot


def main() -> int:
    office = SigningOffice()
    try:
        for shot in (usulmus_letter(office), revoked_after(office)):
            print(shot)
    finally:
        office._close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
