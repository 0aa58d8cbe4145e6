"""Signing benchmark.

  batch approval of 100 cases with one PIN entry (number + render + approval event + PAdES per letter)
                                                         target ≤ 10 s end to end
  server-side verification of 10,000 approval events    target ≤ 5 s

Each is printed beside the raw ECDSA P-256 sign / verify rate measured in the same run.
Usage: python bench/signing.py [--letters 100] [--events 10000]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import keyring  # noqa: E402

from support.memory_keyring import MemoryKeyring  # noqa: E402

PIN = "rahasia123"
OFFICE = "35.73.02.1008"


def prepare(letters: int):  # type: ignore[no-untyped-def]
    from app import clock
    from app.domain.lifecycle import Action
    from app.services import cases
    from app.services.workspace import Workspace
    from app.signing.certificates import CityCA, SignerIdentity, build_csr
    from app.signing.keystore import KeyStore
    from app.storage.models import NumberLease

    ws = Workspace(Path(tempfile.mkdtemp(prefix="loket-bench-sign-")))
    ws.add_local_user("siti", "Siti Aminah", "petugas", OFFICE)
    ws.add_local_user("bambang", "Bambang", "verifikator", OFFICE)
    ws.add_local_user("lurah", "Drs. Hendro Prasetyo, M.Si.", "penandatangan", OFFICE, "197504171998031003",
                      "Lurah Oro-oro Dowo")
    lurah = ws.actor("lurah")
    store = KeyStore(ws.profile, ws.device_id, "lurah")
    store.create_key(PIN)
    ca = CityCA.create()
    with store.unlocked(PIN) as key:
        csr = build_csr(key, SignerIdentity(lurah.full_name, lurah.nip or "", lurah.position or "", "Kelurahan"))
    store.save_chain([ca.issue_signing_certificate(csr), ca.certificate])
    with ws.db.write() as s:
        s.add(NumberLease(id=str(uuid.uuid4()), username="lurah", office=OFFICE, classification="400.12.2.2",
                          year=time.gmtime().tm_year, first=1, last=letters + 10, next=1, created_at=clock.now_iso()))
    scan = ws.profile / "scan.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    fields = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
              "no_kk": "3573021204180003", "alamat": "Jl. Ijen 5", "keperluan": "Melamar kerja"}
    ids = []
    for n in range(letters):
        new = cases.create(ws, ws.actor("siti"), "SKD", "3573015708900003", f"Warga {n}", fields,
                           {"ktp": scan, "kk": scan, "pengantar_rt": scan})
        cases.transition(ws, ws.actor("siti"), new.id, Action.SUBMIT)
        cases.transition(ws, ws.actor("bambang"), new.id, Action.VERIFY)
        ids.append(new.id)
    return ws, lurah, ids, ca


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--letters", type=int, default=100)
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()
    keyring.set_keyring(MemoryKeyring())

    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    from app.services.approvals import approve_batch
    from app.signing.approvals import ApprovalEvent, SignedApproval, sign_event, verify_event

    ws, lurah, ids, ca = prepare(args.letters)

    key = ec.generate_private_key(ec.SECP256R1())
    message = b"x" * 400
    start = time.perf_counter()
    sigs = [key.sign(message, ec.ECDSA(hashes.SHA256())) for _ in range(2000)]
    raw_sign = (time.perf_counter() - start) / 2000
    start = time.perf_counter()
    for sig in sigs:
        key.public_key().verify(sig, message, ec.ECDSA(hashes.SHA256()))
    raw_verify = (time.perf_counter() - start) / 2000

    start = time.perf_counter()
    results = approve_batch(ws, lurah, ids, PIN)
    batch = time.perf_counter() - start
    assert all(r.status == "approved" for r in results), [r.error for r in results if r.error]

    events = []
    prev = None
    for n in range(args.events):
        event = ApprovalEvent(case_id=str(uuid.uuid4()), case_version=3, content_hash="a" * 64, template_version=1,
                              pdf_sha256="b" * 64, letter_number=f"400.12.2.2/{n + 1:05d}/{OFFICE}/2026",
                              signer_cert_serial="1f", device_id=str(uuid.uuid4()), device_counter=n + 1,
                              prev_event_hash=prev)
        events.append(sign_event(event, key).to_dict())
        prev = event.hash
    start = time.perf_counter()
    for wire in events:  # what the server does: strict parse, re-derive the JCS bytes, verify
        verify_event(SignedApproval.from_dict(wire), key.public_key())
    verify_all = time.perf_counter() - start

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"{'scenario':42} {'items':>6} {'total s':>8} {'per item ms':>12} {'raw ECDSA ms':>13} {'ratio':>7}")
    per = batch / len(ids) * 1000
    print(f"{'batch approve (one PIN): render+sign':42} {len(ids):>6} {batch:>8.2f} {per:>12.1f} "
          f"{raw_sign * 1000:>13.3f} {per / (raw_sign * 1000):>7.0f}x")
    per = verify_all / len(events) * 1000
    print(f"{'verify approval events (server)':42} {len(events):>6} {verify_all:>8.2f} {per:>12.3f} "
          f"{raw_verify * 1000:>13.3f} {per / (raw_verify * 1000):>7.1f}x")
    print(f"targets: {len(ids)} letters ≤ 10 s: {'met' if batch <= 10 else 'MISSED'}; "
          f"{len(events)} events ≤ 5 s: {'met' if verify_all <= 5 else 'MISSED'}")


if __name__ == "__main__":
    main()
