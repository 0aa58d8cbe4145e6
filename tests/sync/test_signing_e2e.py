"""Signing end to end with the real server: offline batch approval, letters that validate anywhere, the
server's upgrade to B-LT, the public verification page, stale and revoked approvals refused, and number
blocks of two offline laptops that never collide."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from samples import documents
from support.server import Laptop, ServerProcess
from support.store_keys import open_store

PIN = "rahasia123"
NIK = "3573015708900003"


def verified_cases(siti: Laptop, bambang: Laptop, count: int) -> list[str]:
    folder = siti.profile.parent / "scans"
    folder.mkdir(exist_ok=True)
    scans = documents(folder)
    ids = []
    for n in range(count):
        args = ["case", "new", "--service", "SKD", "--nik", NIK, "--name", f"Ani Lestari {n}",
                "--field", "tempat_lahir=Malang", "--field", "tanggal_lahir=1990-08-17", "--field", "jenis_kelamin=P",
                "--field", "no_kk=3573021204180003", "--field", "alamat=Jl. Ijen 5", "--field", "keperluan=Kerja"]
        for doc, path in scans.items():
            args += ["--attach", f"{doc}={path}"]
        case_id = str(siti.ok(*args)["id"])
        siti.ok("case", "submit", case_id)
        ids.append(case_id)
    siti.ok("sync")
    bambang.ok("sync")
    for case_id in ids:
        bambang.ok("case", "verify", case_id)
    bambang.ok("sync")
    return ids


def enrol_signer(server: ServerProcess, tmp: Path, keyring_env: dict[str, str], name: str = "lurah") -> Laptop:
    device = Laptop(tmp / f"laptop-{name}", keyring_env)
    device.ok("enroll", "--server", server.url, "--code", server.code("lurah"), "--pin-stdin", stdin=PIN + "\n")
    return device


def nss_trusting(server: ServerProcess, folder: Path) -> str:
    folder.mkdir(exist_ok=True)
    ca = folder / "ca.pem"
    ca.write_text(subprocess.run([*server._base(), "ca", "export"], capture_output=True, text=True,
                                 check=True).stdout)
    db = f"sql:{folder}"
    subprocess.run(["certutil", "-N", "-d", db, "--empty-password"], check=True, capture_output=True)
    subprocess.run(["certutil", "-A", "-d", db, "-n", "loket-root", "-t", "CT,C,C", "-i", str(ca)], check=True,
                   capture_output=True)
    return db


def test_offline_batch_signed_validated_then_upgraded(laptop: Callable[..., Laptop], server: ServerProcess,
                                                       tmp_path: Path, keyring_env: dict[str, str]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    lurah = enrol_signer(server, tmp_path, keyring_env)
    ids = verified_cases(siti, bambang, 3)
    lurah.ok("sync")
    server.stop()  # the Lurah is in the field
    results = lurah.ok("case", "approve", *ids, "--pin-stdin", stdin=PIN + "\n")
    assert [r["status"] for r in results] == ["approved"] * 3
    numbers = [r["letter_number"] for r in results]
    assert len(set(numbers)) == 3 and all(n.startswith("400.12.2.2/") for n in numbers)
    offline_pdf = tmp_path / "offline.pdf"
    lurah.ok("letter", "export", ids[0], "--out", str(offline_pdf))
    check = lurah.ok("verify", str(offline_pdf))
    assert check["valid"] and check["tier"] == "B-B" and check["letter_number"] == numbers[0]
    text = subprocess.run(["pdfsig", "-nssdir", nss_trusting(server, tmp_path / "nss"), str(offline_pdf)],
                          capture_output=True, text=True).stdout
    assert "Signature is Valid." in text and "Certificate is Trusted." in text

    server.start()
    report = lurah.ok("sync")
    assert report["pushed"] == 3 and report["rejected"] == 0
    upgraded = tmp_path / "upgraded.pdf"
    lurah.ok("letter", "export", ids[0], "--out", str(upgraded))
    check = lurah.ok("verify", str(upgraded))
    assert check["valid"] and check["tier"] == "B-LT", check
    page = requests.get(f"{server.url}/verify/{ids[0]}", timeout=10)
    assert page.status_code == 200 and numbers[0] in page.text and "SAH" in page.text
    assert NIK not in page.text, "the public page shows nothing the letter does not"
    siti.ok("sync")
    shown = siti.ok("case", "show", ids[0])
    assert shown["status"] == "approved"


@pytest.mark.parametrize("backend", ["sqlite"])  # the PostgreSQL path is covered above
def test_wrong_pin_refused_before_anything_changes(laptop: Callable[..., Laptop], server: ServerProcess,
                                                   tmp_path: Path, keyring_env: dict[str, str]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    lurah = enrol_signer(server, tmp_path, keyring_env)
    [case_id] = verified_cases(siti, bambang, 1)
    lurah.ok("sync")
    out = lurah.run("case", "approve", case_id, "--pin-stdin", stdin="salah-pin\n")
    assert out.returncode == 1 and "PIN" in out.stderr
    assert lurah.ok("case", "show", case_id)["status"] == "verified"


@pytest.mark.parametrize("backend", ["sqlite"])  # the PostgreSQL path is covered above
def test_stale_approval_is_refused_and_the_number_becomes_a_gap(
        laptop: Callable[..., Laptop], server: ServerProcess, tmp_path: Path, keyring_env: dict[str, str]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    lurah = enrol_signer(server, tmp_path, keyring_env)
    [case_id] = verified_cases(siti, bambang, 1)
    lurah.ok("sync")
    [approved] = lurah.ok("case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")  # offline, not yet synced
    bambang.ok("case", "return", case_id, "--reason", "Alamat belum sesuai KK")
    bambang.ok("sync")
    report = lurah.ok("sync")
    assert report["rejected"] == 1 and "changed" in report["refused"][0]["message"]
    assert lurah.ok("case", "show", case_id)["status"] == "returned"
    db = open_store(lurah.profile / "loket.db")
    assert db.execute("SELECT number FROM letter_gaps").fetchall() == [(approved["letter_number"],)]
    # the chain goes on: the next approval of the same device is accepted
    siti.ok("sync")
    siti.ok("case", "edit", case_id, "--field", "alamat=Jl. Ijen 7")
    siti.ok("case", "submit", case_id)
    siti.ok("sync")
    bambang.ok("sync")
    bambang.ok("case", "verify", case_id)
    bambang.ok("sync")
    lurah.ok("sync")
    [again] = lurah.ok("case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    assert again["letter_number"] != approved["letter_number"]
    assert lurah.ok("sync")["rejected"] == 0


@pytest.mark.parametrize("backend", ["sqlite"])  # the PostgreSQL path is covered above
def test_revoked_signer_later_approvals_refused(laptop: Callable[..., Laptop], server: ServerProcess,
                                                tmp_path: Path, keyring_env: dict[str, str]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    lurah = enrol_signer(server, tmp_path, keyring_env)
    [case_id] = verified_cases(siti, bambang, 1)
    lurah.ok("sync")
    serial = lurah.ok("keys", "status")["certificate_serial"]
    server.admin("revoke", "--certificate", serial, "--reason", "Laptop dicuri")
    lurah.ok("case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    report = lurah.ok("sync")
    assert report["rejected"] == 1 and report["refused"][0]["errno"] == 122
    assert lurah.ok("keys", "status")["revoked"] is True
    assert lurah.ok("case", "show", case_id)["status"] == "verified"  # back in the signing queue


@pytest.mark.parametrize("backend", ["sqlite"])  # the PostgreSQL path is covered above
def test_two_offline_laptops_never_share_a_number(laptop: Callable[..., Laptop], server: ServerProcess,
                                                  tmp_path: Path, keyring_env: dict[str, str]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    first = enrol_signer(server, tmp_path, keyring_env, "lurah-kantor")
    second = enrol_signer(server, tmp_path, keyring_env, "lurah-rumah")
    ids = verified_cases(siti, bambang, 6)
    first.ok("sync")
    second.ok("sync")
    server.stop()
    a = first.ok("case", "approve", *ids[:3], "--pin-stdin", stdin=PIN + "\n")
    b = second.ok("case", "approve", *ids[3:], "--pin-stdin", stdin=PIN + "\n")
    numbers = [r["letter_number"] for r in a + b]
    assert len(set(numbers)) == 6, numbers
    server.start()
    assert first.ok("sync")["rejected"] == 0
    assert second.ok("sync")["rejected"] == 0


@pytest.mark.parametrize("backend", ["sqlite"])
def test_delegation_signs_for_the_office_until_revoked(laptop: Callable[..., Laptop], server: ServerProcess,
                                                       tmp_path: Path, keyring_env: dict[str, str]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    lurah = enrol_signer(server, tmp_path, keyring_env)
    plh = Laptop(tmp_path / "laptop-plh", keyring_env)
    plh.ok("enroll", "--server", server.url, "--code", server.code("lurahklojen"), "--pin-stdin", stdin=PIN + "\n")
    ids = verified_cases(siti, bambang, 2)
    # without a delegation the Lurah of Klojen does not even see Oro-oro Dowo's cases
    plh.ok("sync")
    assert {c["id"] for c in plh.ok("case", "list")}.isdisjoint(ids)
    granted = lurah.ok("delegation", "grant", "--to", "lurahklojen", "--kind", "plh", "--until", "2099-12-31",
                       "--pin-stdin", stdin=PIN + "\n")
    plh.ok("sync")
    assert {c["id"] for c in plh.ok("case", "list")} >= set(ids)
    server.stop()  # the Plh signs in the field
    [done] = plh.ok("case", "approve", ids[0], "--pin-stdin", stdin=PIN + "\n")
    assert done["status"] == "approved"
    letter = tmp_path / "plh.pdf"
    plh.ok("letter", "export", ids[0], "--out", str(letter))
    text = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True).stdout
    assert "Plh. Lurah Oro-oro Dowo" in text and "Dra. Endang Wahyuni" in text
    server.start()
    assert plh.ok("sync")["rejected"] == 0
    lurah.ok("delegation", "revoke", granted["id"])
    plh.ok("case", "approve", ids[1], "--pin-stdin", stdin=PIN + "\n")  # its copy still says in force
    report = plh.ok("sync")
    assert report["rejected"] == 1 and "delegation" in report["refused"][0]["message"]
    out = plh.run("case", "approve", ids[1], "--pin-stdin", stdin=PIN + "\n")
    assert out.returncode == 1  # now refused on the laptop too: the delegation is known to be over


@pytest.mark.parametrize("backend", ["sqlite"])
def test_no_secret_at_rest_and_owner_only_files(server: ServerProcess, tmp_path: Path,
                                                keyring_env: dict[str, str]) -> None:
    """After enrolment, signing and sync (real loket-cli processes, real Secret Service keyring): no private
    key, PIN or token in any file of the profiles, logs or temporary folder; every file owner-only."""
    import base64 as b64
    import os
    import stat

    from cryptography.hazmat.primitives import serialization

    tmp = tmp_path / "tmpdir"
    tmp.mkdir()
    env = {**keyring_env, "TMPDIR": str(tmp)}
    siti, bambang = Laptop(tmp_path / "siti", env, True), Laptop(tmp_path / "bambang", env, True)
    lurah = Laptop(tmp_path / "lurah", env, True)
    siti.ok("enroll", "--server", server.url, "--code", server.code("siti"))
    bambang.ok("enroll", "--server", server.url, "--code", server.code("bambang"))
    lurah.ok("enroll", "--server", server.url, "--code", server.code("lurah"), "--pin-stdin", stdin=PIN + "\n")
    [case_id] = verified_cases(siti, bambang, 1)
    lurah.ok("sync")
    lurah.ok("case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
    lurah.ok("sync")

    # read the secrets back through the real keyring, as the app does, to know what to look for
    probe = subprocess.run(
        [sys.executable, "-c", (
            "import json,sys,keyring\n"
            "from app.storage.db import open_store\n"
            "from pathlib import Path\n"
            "from app.signing.keystore import KeyStore\n"
            "from cryptography.hazmat.primitives import serialization as s\n"
            "p=Path(sys.argv[1])\n"
            "d=open_store(p/'loket.db').execute(\"select value from meta where key='device_id'\").fetchone()[0]\n"
            "tok=keyring.get_password('loket-sync',d+':lurah')\n"
            "with KeyStore(p,d,'lurah').unlocked(sys.argv[2]) as k:\n"
            "    der=k.private_bytes(s.Encoding.DER,s.PrivateFormat.PKCS8,s.NoEncryption())\n"
            "    x=format(k.private_numbers().private_value,'x')\n"
            "    print(json.dumps({'token':tok,'der':der.hex(),'scalar':x}))\n"),
         str(lurah.profile), PIN], capture_output=True, text=True, env={**os.environ, **env}, check=True)
    import json

    secrets = json.loads(probe.stdout)
    der = bytes.fromhex(secrets["der"])
    needles = {"token": secrets["token"].encode(), "pin": PIN.encode(), "pkcs8-der": der,
               "pkcs8-b64": b64.b64encode(der)[:40], "scalar-hex": secrets["scalar"].encode(),
               "pem": serialization.load_der_private_key(der, None).private_bytes(
                   serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                   serialization.NoEncryption()).split(b"\n")[1]}
    scanned = 0
    for root in (siti.profile, bambang.profile, lurah.profile, tmp):
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            data = path.read_bytes()
            scanned += 1
            for name, needle in needles.items():
                assert needle not in data, f"{name} found in {path}"
            if root != tmp:
                assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, f"{path} is readable by others"
    assert scanned > 20
