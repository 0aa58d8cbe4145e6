"""A three-step chain: the kelurahan verifies a Musrenbang proposal, the Lurah endorses it with a signed
recommendation, the Camat approves it and signs the letter that names the Lurah's endorsement."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from scenarios.office import PIN, USULMUS_FIELDS, enrol, register_usulmus
from support.server import Laptop, ServerProcess


def _queue(device: Laptop, *user: str) -> list[str]:
    return [row["id"] for row in device.ok(*user, "case", "list", "--queue", "sign")]


# Two laptops and some twenty loket-cli processes: several minutes on a busy two-core machine.
@pytest.mark.timeout(900)
def test_usulmus_moves_from_lurah_to_camat(office: Laptop, server: ServerProcess, tmp_path: Path,
                                           new_laptop: Callable[[str], Laptop]) -> None:
    case_id = register_usulmus(office, tmp_path)
    office.ok("--user", "bambang", "case", "verify", case_id)

    # The Lurah endorses on the office laptop, offline-capable: a signed recommendation, no letter number.
    assert case_id in _queue(office, "--user", "lurah")
    [endorsed] = office.ok("--user", "lurah", "case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert endorsed["status"] == "verified", endorsed
    assert endorsed["letter_number"] is None and endorsed["step"] == 2 and endorsed["steps"] == 3
    assert case_id not in _queue(office, "--user", "lurah")
    # Not his step any more: refused before the key is asked for, with a sentence that says whose step it is.
    again = office.run("--user", "lurah", "case", "approve", case_id, "--pin-stdin")
    assert again.returncode != 0 and "Kecamatan Klojen" in again.stderr and "PIN" not in again.stderr
    report = office.ok("sync")
    assert report["rejected"] == 0 and report["pending"] == 0, report

    # The Camat, on his own laptop, finds it in his queue and signs the letter.
    camat = new_laptop("kecamatan")
    enrol(camat, server, "camat", signer=True)
    camat.ok("sync")
    assert _queue(camat) == [case_id]
    [signed] = camat.ok("case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert signed["status"] == "approved" and signed["letter_number"], signed
    report = camat.ok("sync")
    assert report["rejected"] == 0 and report["pending"] == 0, report
    assert _queue(camat) == []

    shown = camat.ok("case", "show", case_id)
    assert shown["letter"]["number"] == signed["letter_number"]
    [lurah_step] = shown["steps"]
    assert lurah_step["name"] == "Drs. Hendro Prasetyo, M.Si." and lurah_step["position"] == "Lurah Oro-oro Dowo"

    letter = tmp_path / "usulmus.pdf"
    camat.ok("letter", "export", case_id, "--out", str(letter))
    text = " ".join(subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True,
                                   check=True).stdout.split())
    assert "Drs. Hendro Prasetyo, M.Si." in text and "Lurah Oro-oro Dowo" in text
    assert "Taufik Hidayat, S.STP." in text  # the Camat signs
    verdict = camat.ok("verify", str(letter))
    assert verdict["valid"] is True, verdict

    page = requests.get(f"{server.url}/verify/{case_id}", timeout=10)
    assert page.status_code == 200
    assert "Drs. Hendro Prasetyo, M.Si." in page.text and "Lurah Oro-oro Dowo" in page.text
    assert "Taufik Hidayat" in page.text
    assert "<dt>Kantor</dt><dd>Kecamatan Klojen</dd>" in page.text  # the office that signed, not the kelurahan
    assert USULMUS_FIELDS["penanggung_jawab"] not in page.text and USULMUS_FIELDS["telepon"] not in page.text

    # The kelurahan's laptop sees the signed letter too.
    office.ok("sync")
    assert office.ok("case", "show", case_id)["status"] == "approved"
