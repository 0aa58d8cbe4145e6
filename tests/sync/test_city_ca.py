"""One city, one CA: server instances with their own --data folders on one database share the city CA
(stored once, in the database), so a letter signed through one instance verifies through another; the
server's files are owner-only; enrolment codes are read the way people type them; /enroll is rate-limited
per client address across instances."""

from __future__ import annotations

import hashlib
import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest
import requests
from scenarios.office import PIN, enrol, register_skd

from support.server import Laptop, ServerProcess
from sync.protocol import Errno
from sync.server.ca import Authority, AuthorityError
from sync.server.core import ENROL_FAILURES, Server
from sync.server.storage import create_schema, make_engine


def database_for(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> str:
    if backend == "postgres":
        return str(request.getfixturevalue("pg_cluster").create_database())
    (tmp_path / "shared").mkdir(mode=0o700)
    return f"sqlite:///{tmp_path / 'shared' / 'loket-server.db'}"


def two_instances(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> tuple[ServerProcess, ...]:
    """Two ``loket-server run`` with their own --data folders on one database, started at the same moment
    on a database nobody has initialised."""
    url = database_for(backend, tmp_path, request)
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(ServerProcess(tmp_path / name, url))
    for srv in servers:
        srv.launch()
    for srv in servers:
        srv.wait_ready()
    return tuple(servers)


def exported_ca(srv: ServerProcess) -> str:
    return subprocess.run([*srv._base(), "ca", "export"], capture_output=True, text=True, check=True).stdout


def test_two_instances_share_one_city_ca(backend: str, tmp_path: Path, request: pytest.FixtureRequest,
                                         keyring_env: dict[str, str]) -> None:
    a, b = two_instances(backend, tmp_path, request)
    try:
        codes = a.init_demo()
        assert exported_ca(a) == exported_ca(b)
        # the kelurahan's laptop works through instance a: the Lurah's certificate and the letter's
        # timestamp come from there
        office = Laptop(tmp_path / "laptop-kantor", keyring_env)
        for username in ("siti", "bambang"):
            enrol(office, a, username)
        enrol(office, a, "lurah", signer=True)
        case_id = register_skd(office, tmp_path)
        office.ok("--user", "bambang", "case", "verify", case_id)
        [signed] = office.ok("--user", "lurah", "case", "approve", case_id, "--pin-stdin", stdin=PIN + "\n")
        assert office.ok("sync")["rejected"] == 0
        letter = tmp_path / "letter.pdf"
        office.ok("letter", "export", case_id, "--out", str(letter))
        # the Dinas laptop only ever talked to instance b: it trusts the letter all the same
        dinas = Laptop(tmp_path / "laptop-dinas", keyring_env)
        dinas.ok("enroll", "--server", b.url, "--code", codes["rina"])
        dinas.ok("sync")
        check = dinas.ok("verify", str(letter))
        assert check["valid"], check
        assert check["letter_number"] == signed["letter_number"]
        for srv in (a, b):
            assert not (srv.data / "ca").exists()  # nothing of the CA in either data folder
    finally:
        a.stop()
        b.stop()


def test_instances_racing_to_make_the_ca_store_one(backend: str, tmp_path: Path,
                                                   request: pytest.FixtureRequest) -> None:
    engine = make_engine(database_for(backend, tmp_path, request))
    create_schema(engine)
    barrier = threading.Barrier(4)
    made: list[bytes] = []

    def start(n: int) -> None:
        barrier.wait()
        made.append(Authority.ensure(tmp_path / f"data-{n}" / "ca", engine, "http://127.0.0.1:8765").ca
                    .certificate_pem())

    threads = [threading.Thread(target=start, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 4 and len(set(made)) == 1
    engine.dispose()


def test_a_different_passphrase_is_refused_not_replaced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    create_schema(engine)
    monkeypatch.setenv("LOKET_CA_PASSPHRASE", "satu kota satu CA")
    first = Authority.ensure(tmp_path / "a", engine, "http://127.0.0.1:8765").ca.certificate_pem()
    assert Authority.ensure(tmp_path / "b", engine, "http://127.0.0.1:8765").ca.certificate_pem() == first
    monkeypatch.setenv("LOKET_CA_PASSPHRASE", "another")
    with pytest.raises(AuthorityError, match="LOKET_CA_PASSPHRASE"):
        Authority.ensure(tmp_path / "c", engine, "http://127.0.0.1:8765")
    engine.dispose()


def modes(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): stat.S_IMODE(p.stat().st_mode) for p in [folder, *folder.rglob("*")]}


def test_the_server_keeps_its_files_to_itself(tmp_path: Path) -> None:
    data = tmp_path / "server"
    data.mkdir()  # 0755, as a person would make it
    srv = ServerProcess(data)
    codes = srv.init_demo()
    srv.start()
    try:
        token = requests.post(f"{srv.url}/api/v1/enroll", json={"code": codes["siti"], "device_name": "t"},
                              timeout=10).json()["token"]
        scan = b"%PDF-1.4 a KTP scan"
        sha = hashlib.sha256(scan).hexdigest()
        put = requests.put(f"{srv.url}/api/v1/blobs/{sha}", data=scan, params={"offset": 0, "final": True},
                           headers={"Authorization": f"Bearer {token}"}, timeout=10)
        assert put.status_code == 200  # blobs live in the database file
        found = {name: mode for name, mode in modes(data).items() if not name.startswith("server-")}
        assert found.pop(".") == 0o700
        assert "loket-server.db" in found
        assert found == dict.fromkeys(found, 0o600), found
    finally:
        srv.stop()


@pytest.mark.parametrize("typed", ["{code}", "{lower}", "{spaced}", "{bare}", " {lower_bare} "])
def test_codes_are_read_the_way_people_type_them(typed: str, tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'server.db'}")
    server = Server.open(engine)
    server.init()
    code = server.add_user("siti", "Siti Aminah", "petugas", "35.73.02.1008")
    bare = code.replace("-", "")
    text = typed.format(code=code, lower=code.lower(), spaced=" ".join(code.lower().split("-")), bare=bare,
                        lower_bare=bare.lower())
    assert server.enroll(text, "laptop")["user"]["username"] == "siti"
    engine.dispose()


def test_enrolment_guessing_is_limited_per_address_across_instances(backend: str, tmp_path: Path,
                                                                    request: pytest.FixtureRequest) -> None:
    a, b = two_instances(backend, tmp_path, request)
    try:
        codes = a.init_demo()
        answers = [requests.post(f"{srv.url}/api/v1/enroll", json={"code": "WXYZ-WXYZ-WXYZ"}, timeout=10)
                   for srv in (a, b) * (ENROL_FAILURES // 2)]
        assert {r.status_code for r in answers} == {403}
        refused = requests.post(f"{b.url}/api/v1/enroll", json={"code": codes["siti"]}, timeout=10)
        assert refused.status_code == 429
        assert 0 < int(refused.headers["Retry-After"]) <= 600
        body = refused.json()
        assert body["errno"] == Errno.TOO_MANY_REQUESTS and body["message"] and "details" in body
        # the limit is per address: a laptop elsewhere (here: behind the trusted proxy) still enrols
        other = requests.post(f"{a.url}/api/v1/enroll", json={"code": codes["siti"]},
                              headers={"X-Forwarded-For": "10.20.30.40"}, timeout=10)
        assert other.status_code == 200, other.text
    finally:
        a.stop()
        b.stop()


def test_a_new_database_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
        create_schema(engine)
        engine.dispose()
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.db").stat().st_mode) == 0o600
