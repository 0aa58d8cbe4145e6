"""A letter signed, timestamped, then its signer revoked: the files to check it with other validators.

    tools/with-keyring .venv/bin/python docs/revocation_check.py OUT_DIR [--keep-running]

Starts a real loket-server and an office laptop (loket-cli processes), has the Lurah sign an SKD letter, syncs
(the server upgrades it to B-LT), revokes the Lurah (``--reason-code mutasi``) and writes into OUT_DIR:
``letter.pdf`` (the upgraded letter), ``ca.pem``, ``crl.der`` (the server's CRL after the revocation),
``verify.html`` (the public page) and ``verify.txt`` (what ``loket-cli verify`` says). With
``--keep-running`` the server stays up (its address is printed) until Enter is pressed, so a browser, or
pyHanko fetching the CRL from the certificate's distribution point, can reach it. See docs/signing.md.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from scenarios.office import PIN, enrol, register_skd  # noqa: E402

from support.server import Laptop, ServerProcess  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--keep-running", action="store_true")
    args = parser.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="loket-revocation-"))
    (work / "server").mkdir()
    server = ServerProcess(work / "server")
    server.init_demo()
    server.start()
    try:
        office = Laptop(work / "kantor", {}, subprocess=True)
        for user in ("siti", "bambang"):
            enrol(office, server, user)
        enrol(office, server, "lurah", signer=True)
        case_id = register_skd(office, work)
        office.ok("--user", "bambang", "case", "verify", case_id)
        office.ok("--user", "lurah", "case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
        office.ok("sync")
        office.ok("letter", "export", case_id, "--out", str(out / "letter.pdf"))
        time.sleep(2)
        server.admin("revoke", "--user", "lurah", "--reason", "Mutasi ke Kecamatan Blimbing", "--reason-code", "mutasi")
        (out / "ca.pem").write_bytes((work / "server" / "ca" / "ca.pem").read_bytes())
        (out / "crl.der").write_bytes(requests.get(f"{server.url}/crl", timeout=10).content)
        (out / "verify.html").write_text(requests.get(f"{server.url}/verify/{case_id}", timeout=10).text)
        (out / "verify.txt").write_text(office.run("verify", str(out / "letter.pdf")).stdout)
        print(f"{server.url}/verify/{case_id}")
        if args.keep_running:
            with contextlib.suppress(EOFError):  # stdin closed: stop as if Enter was pressed
                input("server running; Enter stops it ")
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
