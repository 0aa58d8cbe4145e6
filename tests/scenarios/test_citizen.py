"""The citizen's side of an ordinary day: Ani agrees at the counter to be told; when the Lurah signs, the real
server tells her once by e-mail and once by WhatsApp (through the city's SMTP server and gateway, here local
stand-ins; no consent, no message: tests/sync/test_notify.py); at home she opens /status with the number and
code on her receipt, sees the steps with no NIK, downloads the letter, and the letter verifies. Both public
pages render in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from samples import NIK_WOMAN, SKD_FIELDS
from scenarios.office import CONTACT_FIELDS, approve, reg_no_of, register_skd
from support.citizen import (
    GatewayStandIn,
    SmtpStandIn,
    gateway_stand_in,
    notify_toml,
    smtp_stand_in,
)
from support.server import Laptop, ServerProcess

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def smtp() -> Iterator[SmtpStandIn]:
    with smtp_stand_in() as standin:
        yield standin


@pytest.fixture
def gateway() -> Iterator[GatewayStandIn]:
    with gateway_stand_in() as standin:
        yield standin


@pytest.fixture
def server(tmp_path: Path, smtp: SmtpStandIn, gateway: GatewayStandIn) -> Iterator[ServerProcess]:
    """The kit's server, with IT's notify.toml switching e-mail and WhatsApp on (the stand-ins)."""
    data = tmp_path / "server"
    data.mkdir()
    srv = ServerProcess(data)
    srv.init_demo()
    notify_toml(data, smtp, gateway)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def _wait(predicate: object, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not predicate():  # type: ignore[operator]
        assert time.monotonic() < deadline, "the server sent nothing in time"
        time.sleep(0.2)


def receipt_numbers(office: Laptop, case_id: str, tmp_path: Path) -> tuple[str, str]:
    """The registration number and access code as the printed receipt shows them (pdftotext of its PDF)."""
    pdf = tmp_path / "tanda-terima.pdf"
    office.ok("case", "receipt", case_id, "--out", str(pdf))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    code = re.search(r"Kode akses\s+([A-Z0-9]{8,16})", text)
    assert code, text
    return reg_no_of(office, case_id), code.group(1)


def browser_dom(url: str, width: int = 390) -> str:
    """The page as headless Chromium renders it (no JavaScript is needed by either page)."""
    out = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                          f"--window-size={width},844", "--dump-dom", url],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_ani_is_told_once_per_channel_follows_her_request_and_downloads_a_letter_that_verifies(
        office: Laptop, server: ServerProcess, smtp: SmtpStandIn, gateway: GatewayStandIn, tmp_path: Path) -> None:
    case_id = register_skd(office, tmp_path, extra=CONTACT_FIELDS)
    office.ok("sync")
    reg_no, code = receipt_numbers(office, case_id, tmp_path)  # what Ani reads off her receipt
    office.ok("--user", "bambang", "case", "verify", case_id)
    numbers = approve(office, case_id)
    assert office.ok("sync")["rejected"] == 0

    _wait(lambda: smtp.received and gateway.delivered)
    time.sleep(1.0)  # a second message (there must be none) would have had time to arrive
    assert [m["to"] for m in smtp.received] == [["ani.lestari@contoh.id"]]
    assert [r["json"]["to"] for r in gateway.delivered] == ["6281234567890"]
    assert reg_no in gateway.delivered[0]["json"]["text"]
    assert NIK_WOMAN not in smtp.received[0]["data"] + gateway.delivered[0]["json"]["text"]
    office.ok("sync")
    history = [e["reason"] for e in office.ok("case", "show", case_id)["events"] if e["action"] == "notify"]
    assert len(history) == 2 and all("terkirim" in h for h in history)

    page = requests.post(f"{server.url}/status", data={"reg_no": reg_no, "code": code},
                         timeout=10)
    assert page.status_code == 200 and "Surat sudah ditandatangani" in page.text
    for secret in (NIK_WOMAN, SKD_FIELDS["alamat"], SKD_FIELDS["no_kk"], CONTACT_FIELDS["telepon"]):
        assert secret not in page.text
    letter = requests.post(f"{server.url}/status/surat", data={"reg_no": reg_no, "code": code},
                           timeout=10)
    assert letter.status_code == 200
    path = tmp_path / "unduhan.pdf"
    path.write_bytes(letter.content)
    checked = office.run("--json", "verify", str(path))
    result = json.loads(checked.stdout)
    assert checked.returncode == 0 and result["valid"], result

    form = browser_dom(f"{server.url}/status")
    assert "<form" in form and 'name="reg_no"' in form and "Cek Status Permohonan" in form
    verified = browser_dom(f"{server.url}/verify/{case_id}", width=1280)
    assert "SAH" in verified and numbers[case_id] in verified and NIK_WOMAN not in verified
