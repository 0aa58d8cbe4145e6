"""``doctor``: one verdict per check; failures make ``loket-cli doctor`` exit 1; network checks on a real server."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest
from sqlalchemy import select

from app import clock, config
from app.services import cases, doctor
from app.services.doctor import Check
from app.services.workspace import Actor, Workspace
from app.signing.certificates import CityCA, RevokedEntry, SignerIdentity, build_csr, fingerprint_sha256, to_pem
from app.signing.keystore import KdfParams, KeyStore
from app.storage import meta
from app.storage.models import NumberLease, OutboxOp
from samples import NIK_WOMAN, OFFICE, SKD_FIELDS
from support.pg import free_port
from support.server import ServerProcess
from support.store_keys import open_store
from sync.doctor_checks import network_checks

FAST_KDF = KdfParams(n=2**12, r=8, p=1)
PIN = "246810"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def _by_name(checks: list[Check]) -> dict[str, Check]:
    return {c.name: c for c in checks}


def _run(ws: Workspace, **kw: object) -> dict[str, Check]:
    return _by_name(doctor.run(ws, **kw))  # type: ignore[arg-type]


def test_every_check_gives_one_verdict_line(ws: Workspace, petugas: Actor) -> None:
    checks = doctor.run(ws)
    names = [c.name for c in checks]
    assert names == ["user", "config", "database", "encryption", "audit_chain", "queue", "catalog", "disk", "keyring",
                     "city_ca", "certificate", "revocation_list", "letter_numbers"]
    assert all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert all(c.detail and "\n" not in c.detail for c in checks)
    assert set(checks[0].as_dict()) >= {"name", "ok", "detail"}


def test_no_secure_keyring_fails(ws: Workspace, petugas: Actor) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        result = _run(ws)["keyring"]
    finally:
        keyring.set_keyring(previous)
    assert not result.ok
    assert "keyring" in result.detail.lower()


def test_audit_chain_and_database(ws: Workspace, petugas: Actor) -> None:
    cases.create(ws, petugas, "SKD", NIK_WOMAN, "Dewi Lestari", SKD_FIELDS)
    assert _run(ws)["audit_chain"].ok
    con = open_store(ws.db.path)
    con.execute("UPDATE audit SET detail = detail || ' ' WHERE seq = (SELECT MIN(seq) FROM audit)")
    con.commit()
    con.close()
    result = _run(ws)
    assert not result["audit_chain"].ok
    assert result["database"].ok


def test_refused_ops_fail_the_queue_check(ws: Workspace, petugas: Actor) -> None:
    cases.create(ws, petugas, "SKD", NIK_WOMAN, "Dewi Lestari", SKD_FIELDS)
    assert _run(ws)["queue"].ok
    with ws.db.write() as s:
        op = s.scalars(select(OutboxOp).limit(1)).one()
        op.state = "rejected"
    result = _run(ws)["queue"]
    assert not result.ok and "1 ditolak" in result.detail


def test_a_crashing_check_is_a_finding_not_a_crash(ws: Workspace, petugas: Actor) -> None:
    def check_boom(ws: Workspace) -> Check:
        raise RuntimeError("kaboom")

    result = _run(ws, extra=[check_boom])["boom"]
    assert not result.ok and "kaboom" in result.detail


# ---- signer: certificate, revocation list, number blocks ---------------------------------------------------


@pytest.fixture
def ca() -> CityCA:
    return CityCA.create()


def _certify(ws: Workspace, ca: CityCA, user: str, *, days: int = 730) -> KeyStore:
    store = KeyStore(ws.profile, ws.device_id, user, kdf=FAST_KDF)
    store.create_key(PIN)
    with store.unlocked(PIN) as key:
        csr = build_csr(key, SignerIdentity(name="Dewi Lurah", nip="197508172000032001", position="Lurah",
                                            office="Kelurahan Oro-oro Dowo"))
    cert = ca.issue_signing_certificate(csr, days=days)
    store.save_chain([cert, ca.certificate])
    return store


def _write_crl(ws: Workspace, ca: CityCA, revoked: list[RevokedEntry], *, now: dt.datetime = NOW,
               next_update: dt.timedelta = dt.timedelta(days=7)) -> Path:
    crl = ca.build_crl(revoked, crl_number=1, now=now, next_update=next_update)
    path = ws.profile / "crl.pem"  # where sync keeps it
    path.write_bytes(to_pem(crl))
    return path


def test_signer_without_certificate_says_no_certificate(ws: Workspace, penandatangan: Actor) -> None:
    result = _run(ws)
    assert not result["certificate"].ok
    assert "tidak ada sertifikat" in result["certificate"].detail
    assert result["revocation_list"].ok and result["revocation_list"].warn
    assert result["letter_numbers"].detail == "belum ada blok nomor surat"
    assert result["letter_numbers"].warn


def test_valid_certificate_and_fresh_crl(ws: Workspace, penandatangan: Actor, ca: CityCA) -> None:
    _certify(ws, ca, penandatangan.username)
    _write_crl(ws, ca, [])
    result = _run(ws)
    assert result["certificate"].ok and not result["certificate"].warn, result["certificate"].detail
    assert "berlaku s.d." in result["certificate"].detail
    assert result["revocation_list"].ok and not result["revocation_list"].warn


def test_certificate_expiring_soon_warns(ws: Workspace, penandatangan: Actor, ca: CityCA) -> None:
    _certify(ws, ca, penandatangan.username, days=10)
    result = _run(ws)["certificate"]
    assert result.ok and result.warn and "habis dalam" in result.detail


def test_revoked_certificate_fails(ws: Workspace, penandatangan: Actor, ca: CityCA) -> None:
    store = _certify(ws, ca, penandatangan.username)
    serial = store.load_chain()[0].serial_number
    _write_crl(ws, ca, [RevokedEntry(serial, NOW - dt.timedelta(hours=1))])
    result = _run(ws)["certificate"]
    assert not result.ok and "DICABUT" in result.detail


def test_pinned_ca_fingerprint_must_match(ws: Workspace, penandatangan: Actor, ca: CityCA,
                                          tmp_path: Path) -> None:
    _certify(ws, ca, penandatangan.username)
    (ws.profile / "ca.pem").write_bytes(to_pem(ca.certificate))
    assert _run(ws)["city_ca"].warn  # present but not pinned
    site = tmp_path / "site"
    site.mkdir()
    (site / "loket.toml").write_text(f'ca_fingerprint = "{"0" * 64}"\n', encoding="utf-8")
    result = _run(ws, cfg=config.load(ws.profile, site_dir=site, exe_dir=tmp_path))
    assert not result["certificate"].ok and "ca_fingerprint" in result["certificate"].detail
    assert not result["city_ca"].ok and "TIDAK cocok" in result["city_ca"].detail
    (site / "loket.toml").write_text(f'ca_fingerprint = "{fingerprint_sha256(ca.certificate)}"\n', encoding="utf-8")
    result = _run(ws, cfg=config.load(ws.profile, site_dir=site, exe_dir=tmp_path))
    assert result["certificate"].ok and result["city_ca"].ok and not result["city_ca"].warn


def test_stale_crl_fails(ws: Workspace, penandatangan: Actor, ca: CityCA) -> None:
    _write_crl(ws, ca, [], now=NOW - dt.timedelta(days=20), next_update=dt.timedelta(days=7))
    result = _run(ws)["revocation_list"]
    assert not result.ok and "20 hari lalu" in result.detail


def _leases(ws: Workspace, rows: list[tuple[str, int, int, int]]) -> None:
    with ws.db.write() as s:
        for classification, first, last, next_ in rows:
            s.add(NumberLease(id=str(uuid.uuid4()), username="lurah", office=OFFICE, classification=classification,
                              year=dt.date.today().year, first=first, last=last, next=next_,
                              created_at=clock.now_iso()))


def test_remaining_letter_numbers(ws: Workspace, penandatangan: Actor) -> None:
    _leases(ws, [("400.12", 1, 50, 21), ("400.12", 51, 60, 51), ("470", 1, 20, 1)])
    result = _run(ws)["letter_numbers"]
    assert result.ok and not result.warn, result.detail
    assert result.detail.startswith("60 nomor surat tersisa di 2 blok")
    con = open_store(ws.db.path)
    con.execute('UPDATE number_leases SET "next" = "last" + 1 WHERE classification = \'470\'')
    con.commit()
    con.close()
    result = _run(ws)["letter_numbers"]
    assert not result.ok and "sinkronkan" in result.detail


# ---- network checks against the real server ----------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data = tmp_path_factory.mktemp("server")
    srv = ServerProcess(data)
    srv.admin("init")
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


def _enrolled_at(ws: Workspace, url: str) -> None:
    with ws.db.write() as s:
        meta.set_server_url(s, url)


def _shifted(minutes: float) -> Callable[[], dt.datetime]:
    return lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=minutes)


def test_server_reachable_and_clock_in_step(ws: Workspace, petugas: Actor, server: ServerProcess) -> None:
    _enrolled_at(ws, server.url)
    result = _run(ws, extra=network_checks())
    assert result["server"].ok and server.url in result["server"].detail
    assert result["clock"].ok and not result["clock"].warn, result["clock"].detail


def test_clock_skew_warns_then_fails(ws: Workspace, petugas: Actor, server: ServerProcess) -> None:
    _enrolled_at(ws, server.url)
    warn = _run(ws, extra=network_checks(now=_shifted(10)))["clock"]
    assert warn.ok and warn.warn and "lebih cepat" in warn.detail
    late = _run(ws, extra=network_checks(now=_shifted(-120)))["clock"]
    assert not late.ok and "lebih lambat" in late.detail


def test_unreachable_or_unset_server_fails(ws: Workspace, petugas: Actor) -> None:
    result = _run(ws, extra=network_checks())
    assert not result["server"].ok and "belum diatur" in result["server"].detail
    assert result["clock"].ok and result["clock"].warn
    _enrolled_at(ws, f"http://127.0.0.1:{free_port()}")
    result = _run(ws, extra=network_checks())
    assert not result["server"].ok and "tidak terjangkau" in result["server"].detail


def test_provisioned_server_url_is_used_before_enrolment(ws: Workspace, petugas: Actor, server: ServerProcess,
                                                         tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "loket.toml").write_text(f'server_url = "{server.url}"\n', encoding="utf-8")
    cfg = config.load(ws.profile, site_dir=site, exe_dir=tmp_path)
    assert _run(ws, extra=network_checks(cfg), cfg=cfg)["server"].ok


# ---- the CLI -----------------------------------------------------------------------------------------------


def test_cli_doctor_json_and_exit_code(cli: Callable[..., tuple[int, str, str]]) -> None:
    code, out, err = cli("--json", "doctor", "--offline")
    assert code == 1, err  # no user enrolled on a fresh profile
    data = json.loads(out)
    assert all(set(c) >= {"name", "ok", "detail"} for c in data["checks"])
    assert {c["name"]: c["ok"] for c in data["checks"]}["user"] is False
    code, out, _ = cli("doctor", "--offline")
    assert out.splitlines()[0].startswith("GAGAL user")
