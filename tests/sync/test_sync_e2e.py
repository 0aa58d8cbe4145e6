"""Two or more laptops and the real server, through loket-cli: the sync rules as tests."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
import requests

from app.storage.atrest import load_keys
from app.storage.blobs import BlobStore
from samples import documents
from support.server import Laptop, ServerProcess
from support.store_keys import borrow_from_subprocesses, open_store

NIK_A = "3573015708900003"
NIK_B = "3573020101850001"


def new_case(device: Laptop, **fields: str) -> str:
    args = ["case", "new", "--service", "SKD", "--nik", NIK_A, "--name", "Ani Lestari"]
    for key, value in fields.items():
        args += ["--field", f"{key}={value}"]
    return str(device.ok(*args)["id"])


def test_two_laptops_exchange_cases(laptop: Callable[..., Laptop]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    case_id = new_case(siti, alamat="Jl. Ijen 5")
    assert siti.ok("sync")["pushed"] == 1
    report = bambang.ok("sync")
    assert report["pulled"] == 1
    seen = bambang.ok("case", "show", case_id)
    assert seen["fields"]["alamat"] == "Jl. Ijen 5" and seen["status"] == "draft"


def test_disjoint_fields_merge_same_field_conflicts(laptop: Callable[..., Laptop]) -> None:
    a, b = laptop("siti", "a"), laptop("siti", "b")  # the same petugas on two counter PCs
    case_id = new_case(a, alamat="Jl. Ijen 5", keperluan="Melamar kerja")
    a.ok("sync")
    b.ok("sync")
    # both offline now: a changes alamat + tempat_lahir, b changes keperluan + alamat
    a.ok("case", "edit", case_id, "--field", "alamat=Jl. Semeru 10", "--field", "tempat_lahir=Malang")
    b.ok("case", "edit", case_id, "--field", "keperluan=Beasiswa", "--field", "alamat=Jl. Kawi 3")
    a.ok("sync")
    report = b.ok("sync")
    assert report["conflicts"] == 1, report
    merged = b.ok("case", "show", case_id)
    assert merged["fields"]["tempat_lahir"] == "Malang"        # a's field arrived
    assert merged["fields"]["keperluan"] == "Beasiswa"         # b's field kept
    assert merged["fields"]["alamat"] == "Jl. Semeru 10"       # server value until a person picks
    [conflict] = b.ok("conflicts", "list")
    assert conflict["field"] == "alamat"
    assert {conflict["mine"], conflict["theirs"]} == {"Jl. Kawi 3", "Jl. Semeru 10"}
    b.ok("conflicts", "resolve", conflict["id"], "--take", "mine")
    assert b.ok("sync")["conflicts"] == 0
    a.ok("sync")
    assert a.ok("case", "show", case_id)["fields"]["alamat"] == "Jl. Kawi 3"
    assert a.ok("conflicts", "list") == []


def submitted_case(siti: Laptop) -> str:
    folder = siti.profile.parent / "scans"
    folder.mkdir(exist_ok=True)
    files = documents(folder)
    args = ["case", "new", "--service", "SKD", "--nik", NIK_A, "--name", "Ani Lestari",
            "--field", "tempat_lahir=Malang", "--field", "tanggal_lahir=1990-08-17", "--field", "jenis_kelamin=P",
            "--field", "no_kk=3573021204180003", "--field", "alamat=Jl. Ijen 5", "--field", "keperluan=Kerja"]
    for doc, path in files.items():
        args += ["--attach", f"{doc}={path}"]
    case_id = str(siti.ok(*args)["id"])
    siti.ok("case", "submit", case_id)
    return case_id


def test_withdrawn_on_server_while_verified_offline(laptop: Callable[..., Laptop]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    case_id = submitted_case(siti)
    siti.ok("sync")
    bambang.ok("sync")
    assert bambang.ok("case", "show", case_id)["documents"], "attachments travel with the case"
    siti.ok("case", "withdraw", case_id, "--reason", "Pemohon membatalkan")
    siti.ok("sync")
    bambang.ok("case", "verify", case_id)  # offline: accepted locally as a proposal
    report = bambang.ok("sync")
    assert report["rejected"] == 1
    assert report["refused"][0]["case_id"] == case_id and report["refused"][0]["message"]
    assert bambang.ok("case", "show", case_id)["status"] == "withdrawn"
    db = open_store(bambang.profile / "loket.db")
    assert db.execute("SELECT count(*) FROM outbox WHERE state = 'rejected'").fetchone()[0] == 1  # kept visible
    assert bambang.ok("sync")["rejected"] == 0  # not retried, not blocking


@pytest.mark.parametrize("backend", ["sqlite"])  # storage-independent; SQLite suffices
def test_attachment_bytes_reach_other_laptops(laptop: Callable[..., Laptop]) -> None:
    siti, bambang = laptop("siti"), laptop("bambang")
    case_id = submitted_case(siti)
    siti.ok("sync")
    report = bambang.ok("sync")
    assert report["blobs_down"] == 3
    docs = bambang.ok("case", "show", case_id)["documents"]
    db_path = bambang.profile / "loket.db"
    borrow_from_subprocesses(db_path)
    keys = load_keys(db_path)
    assert keys is not None
    store = BlobStore(bambang.profile / "blobs", cipher=keys.blob_cipher())
    for doc in docs:  # stored sealed, and the bytes are the very document (read checks the hash)
        assert store.has(doc["sha256"]) and len(store.read(doc["sha256"])) == doc["size"]


@pytest.mark.parametrize("backend", ["sqlite"])  # storage-independent; SQLite suffices
def test_server_down_work_offline_nothing_lost(laptop: Callable[..., Laptop], server: ServerProcess) -> None:
    siti = laptop("siti")
    server.stop()
    ids = [new_case(siti, alamat=f"Jl. Ijen {n}") for n in range(5)]
    out = siti.run("sync")
    assert out.returncode == 1 and "tidak dapat dihubungi" in out.stderr
    server.start()
    assert siti.ok("sync")["pushed"] == 5
    other = laptop("bambang")
    other.ok("sync")
    listed = {c["id"] for c in other.ok("case", "list")}
    assert set(ids) <= listed


@pytest.mark.parametrize("backend", ["sqlite"])  # storage-independent; SQLite suffices
def test_revoked_device_is_refused(laptop: Callable[..., Laptop], server: ServerProcess) -> None:
    siti = laptop("siti")
    siti.ok("sync")
    device = open_store(siti.profile / "loket.db").execute(
        "SELECT value FROM meta WHERE key = 'server_device:siti'").fetchone()[0]
    server.admin("revoke", "--device", device, "--reason", "Laptop hilang")
    out = siti.run("sync")
    assert out.returncode == 1 and "dicabut" in out.stderr


@pytest.mark.parametrize("backend", ["sqlite"])  # storage-independent; SQLite suffices
def test_other_office_cannot_read_a_case(laptop: Callable[..., Laptop], server: ServerProcess) -> None:
    siti = laptop("siti")
    case_id = new_case(siti)
    siti.ok("sync")
    rina = laptop("rina")  # petugas of Dinas Pendidikan
    assert all(c["id"] != case_id for c in rina.ok("case", "list"))
    answer = server.token("rina")
    refused = requests.get(f"{server.url}/api/v1/cases/{case_id}",
                           headers={"Authorization": f"Bearer {answer}"}, timeout=10)
    # another office's case answers exactly as a case that does not exist (sync/server/visibility.py)
    assert refused.status_code == 404 and refused.json()["errno"] == 105
    unknown = requests.get(f"{server.url}/api/v1/cases/{uuid.uuid4()}",
                           headers={"Authorization": f"Bearer {answer}"}, timeout=10)
    assert unknown.json() == refused.json()
    assert requests.get(f"{server.url}/api/v1/cases/{case_id}", timeout=10).status_code == 401


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_spent_code_cannot_enrol_a_second_device_once_the_first_is_used(server: ServerProcess) -> None:
    code = server.code("siti")
    first = requests.post(f"{server.url}/api/v1/enroll", json={"code": code, "device_name": "a"}, timeout=10).json()
    # the answer was lost: the same code again, before the device was ever used, gives the same device
    again = requests.post(f"{server.url}/api/v1/enroll", json={"code": code, "device_name": "a"}, timeout=10).json()
    assert again["device_id"] == first["device_id"] and again["token"] != first["token"]
    stale = requests.get(f"{server.url}/api/v1/changes", headers={"Authorization": f"Bearer {first['token']}"},
                         timeout=10)
    assert stale.status_code == 401  # the undelivered token was replaced
    used = requests.get(f"{server.url}/api/v1/changes", headers={"Authorization": f"Bearer {again['token']}"},
                        timeout=10)
    assert used.status_code == 200
    third = requests.post(f"{server.url}/api/v1/enroll", json={"code": code, "device_name": "b"}, timeout=10)
    assert third.status_code == 403 and third.json()["errno"] == 103


@pytest.mark.parametrize("backend", ["sqlite"])
def test_blobs_only_for_offices_that_see_the_case(laptop: Callable[..., Laptop], server: ServerProcess) -> None:
    siti = laptop("siti")
    case_id = submitted_case(siti)
    siti.ok("sync")
    sha = siti.ok("case", "show", case_id)["documents"][0]["sha256"]
    own = server.token("bambang")
    other = server.token("rina")
    assert requests.get(f"{server.url}/api/v1/blobs/{sha}", headers={"Authorization": f"Bearer {own}"},
                        timeout=10).status_code == 200
    assert requests.get(f"{server.url}/api/v1/blobs/{sha}", headers={"Authorization": f"Bearer {other}"},
                        timeout=10).status_code == 404
