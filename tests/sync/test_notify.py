"""The citizen is told — once per channel they agreed to, retried through a failing SMTP server or gateway, never
without consent, never with a NIK — and sync never waits for it (in-process server, local stand-ins)."""

from __future__ import annotations

import email
import email.policy
import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from faults.test_signature_attacks import FIELDS, City
from sqlalchemy import select

from support.citizen import gateway_stand_in, notify_toml, set_receipt_numbers_directly, smtp_stand_in
from sync.server import storage as t
from sync.server.notify import Notifier, scrub
from sync.server.notify_settings import SettingsError, load

NIK = "3573015708900003"
CONSENTING = {**FIELDS, "telepon": "0812-3456-7890", "email": "ani.lestari@contoh.id", "izin_kabar": "ya"}


def _case(city: City, fields: dict[str, Any]) -> str:
    """A complete SKD case, submitted and verified (as ``City.verified_case``, with the citizen's contacts)."""
    case_id = str(uuid.uuid4())
    ops: list[dict[str, Any]] = [{"op_id": str(uuid.uuid4()), "kind": "case.create", "case_id": case_id,
                                  "base_version": 0, "payload": {"case": {
                                      "id": case_id, "service": "SKD", "nik": NIK, "name": "Ani Lestari",
                                      "fields": fields, "due_date": "2026-12-01"}}}]
    for doc in ("ktp", "kk", "pengantar_rt"):
        ops.append({"op_id": str(uuid.uuid4()), "kind": "attachment.add", "case_id": case_id, "base_version": None,
                    "payload": {"doc_code": doc, "sha256": "a" * 64, "filename": "x.pdf", "size": 10,
                                "mime": "application/pdf"}})
    ops.append({"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": case_id, "base_version": 1,
                "payload": {"action": "submit", "reason": None}})
    assert all(r["status"] == "applied" for r in city.server.push(city.petugas, ops))  # type: ignore[arg-type]
    _transition(city, case_id, "verify", 2)
    set_receipt_numbers_directly(city.server.engine, case_id, f"SKD/{case_id[:4]}/2026", "K7M2QX9P")
    return case_id


def _transition(city: City, case_id: str, action: str, base: int, reason: str | None = None) -> None:
    ctx = city.lurah if action in ("return", "reject") else city.verifikator
    op = {"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": case_id, "base_version": base,
          "payload": {"action": action, "reason": reason}}
    assert city.server.push(ctx, [op])[0]["status"] == "applied"  # type: ignore[list-item]


def _sign(city: City, case_id: str) -> None:
    event, op = city.approval(city.server.case(city.verifikator, case_id))
    assert city.push(city.lurah, op)["status"] == "applied"
    city.accepted(event)


def _notifier(city: City, folder: Path, smtp: Any, gateway: Any) -> Notifier:
    notify_toml(folder, smtp, gateway)
    settings = load(folder, "https://layanan.malangkota.go.id", environ={"LOKET_GATEWAY_TOKEN": "s3cret-token"})
    return Notifier(city.server.engine, settings, city.server.catalog, city.server.offices)


def _drain(notifier: Notifier, rounds: int = 8) -> None:
    for _ in range(rounds):
        notifier.run_once()


def _history(city: City, case_id: str) -> list[str]:
    with city.server.engine.connect() as conn:
        return [r.reason for r in conn.execute(select(t.case_events).where(
            t.case_events.c.case_id == case_id, t.case_events.c.action == "notify").order_by(t.case_events.c.id))]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> City:
    return City(tmp_path_factory.mktemp("city"))


def test_a_ready_letter_is_one_message_per_consenting_channel_after_two_failures_each(
        city: City, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    case_id = _case(city, CONSENTING)
    silent = _case(city, {**CONSENTING, "izin_kabar": "tidak"})
    _sign(city, case_id)
    _sign(city, silent)
    with smtp_stand_in(fail_first=2) as smtp, gateway_stand_in(fail_first=2) as gateway:
        notifier = _notifier(city, tmp_path, smtp, gateway)
        _drain(notifier)
    assert len(smtp.received) == 1 and smtp.refused == 2
    assert len(gateway.delivered) == 1 and len(gateway.requests) == 3
    mail = email.message_from_string(smtp.received[0]["data"], policy=email.policy.default)
    text = mail.get_body().get_content()  # type: ignore[union-attr]
    assert smtp.received[0]["to"] == ["ani.lestari@contoh.id"]
    assert "sudah siap" in str(mail["Subject"]) and f"SKD/{case_id[:4]}/2026" in text
    sent = gateway.delivered[0]
    assert sent["path"] == "/send/whatsapp?to=6281234567890"
    assert sent["json"]["to"] == "6281234567890" and sent["json"]["channel"] == "whatsapp"
    assert sent["headers"]["Authorization"] == "Bearer s3cret-token"
    for body in (text, sent["json"]["text"]):
        assert NIK not in body and "Jl." not in body and len(body) < 300
        assert "ditandatangani" in body and "https://layanan.malangkota.go.id/status" in body
    assert sorted(_history(city, case_id)) == ["Kabar ke pemohon terkirim lewat WhatsApp (surat siap)",
                                               "Kabar ke pemohon terkirim lewat e-mail (surat siap)"]
    assert _history(city, silent) == []  # no consent: nothing queued, nothing sent, nothing recorded
    assert "s3cret-token" not in caplog.text
    # the office's laptops see the message in the case's history
    events = city.server.case(city.verifikator, case_id)["events"]
    assert [e["reason"] for e in events if e["action"] == "notify"] == _history(city, case_id)


def test_returned_and_rejected_carry_the_reason_without_a_nik_and_give_up_after_the_last_attempt(
        city: City, tmp_path: Path) -> None:
    returned = _case(city, {**CONSENTING, "email": ""})
    rejected = _case(city, {**CONSENTING, "telepon": ""})
    _transition(city, returned, "return", 3, f"Foto KTP {NIK} buram, mohon bawa KTP asli")
    _transition(city, rejected, "reject", 3, "Pemohon bukan warga kelurahan ini")
    with smtp_stand_in(fail_first=99) as smtp, gateway_stand_in() as gateway:
        _drain(_notifier(city, tmp_path, smtp, gateway))
    assert len(gateway.delivered) == 1
    text = gateway.delivered[0]["json"]["text"]
    assert "dikembalikan" in text and "Foto KTP … buram, mohon bawa KTP asli" in text and NIK not in text
    assert smtp.received == [] and smtp.refused == 4  # max_attempts in the stand-ins' notify.toml
    assert _history(city, rejected) == ["Kabar ke pemohon gagal lewat e-mail setelah 4 percobaan (ditolak)"]
    with city.server.engine.connect() as conn:
        row = conn.execute(select(t.notify_outbox).where(t.notify_outbox.c.case_id == rejected)).one()
    assert row.status == "failed" and row.last_error == "SMTP 451"


def test_a_dead_channel_never_holds_sync_up(city: City, tmp_path: Path) -> None:
    """Nothing is sent inside a push: with no server listening at all the push is as quick as ever, and the
    message waits in the outbox for its next try (backoff doubles)."""
    case_id = _case(city, CONSENTING)
    started = time.perf_counter()
    _transition(city, case_id, "return", 3, "Kurang surat pengantar RT")
    assert time.perf_counter() - started < 2
    notify_toml(tmp_path, None, None)
    (tmp_path / "notify.toml").write_text('[whatsapp]\nenabled = true\nurl = "http://127.0.0.1:9/x"\n'
                                          '[retry]\nbackoff_seconds = 30\n', encoding="utf-8")
    settings = load(tmp_path, "http://x")
    notifier = Notifier(city.server.engine, settings, city.server.catalog, city.server.offices)
    notifier.run_once()
    with city.server.engine.connect() as conn:
        rows = {r.channel: r for r in conn.execute(select(t.notify_outbox).where(
            t.notify_outbox.c.case_id == case_id))}
    assert rows["phone"].status == "pending" and rows["phone"].attempts == 1
    assert rows["phone"].last_error.startswith("gateway unreachable")
    assert rows["email"].status == "cancelled"  # e-mail is switched off on this server
    assert settings.backoff(1) == 30 and settings.backoff(3) == 120 and settings.backoff(20) == 3600


def test_two_senders_never_claim_the_same_message(city: City, tmp_path: Path) -> None:
    case_id = _case(city, CONSENTING)
    _transition(city, case_id, "reject", 3, "Tidak memenuhi syarat")
    with smtp_stand_in() as smtp, gateway_stand_in() as gateway:
        notify_toml(tmp_path, smtp, gateway)
        settings = load(tmp_path, "http://x")
        one, two = (Notifier(city.server.engine, settings, city.server.catalog, city.server.offices, worker=w)
                    for w in ("one", "two"))
        first, second = one._claim(10), two._claim(10)
        assert first and not second
        for row in first:
            one._deliver(row)
    assert len(smtp.received) == 1 and len(gateway.delivered) == 1


def test_settings_name_the_bad_key_and_secrets_stay_out_of_reprs(tmp_path: Path) -> None:
    (tmp_path / "notify.toml").write_text("[email]\nenabled = true\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="email.host"):
        load(tmp_path, "http://x")
    (tmp_path / "notify.toml").write_text('[email]\nenabled = true\nhost = "smtp"\nusername = "loket"\n',
                                          encoding="utf-8")
    settings = load(tmp_path, "http://x", environ={"LOKET_SMTP_PASSWORD": "hunter2-smtp"})
    assert "hunter2-smtp" not in repr(settings) and settings.channel_for("phone") is None
    assert scrub("NIK 3573015708900003\n\nKK 3573021708900005") == "NIK … KK …"
    assert json.dumps(scrub("x" * 500)).count("x") == 199


@pytest.mark.postgres
def test_senders_on_postgresql_share_the_outbox_without_sending_a_message_twice(
        pg_cluster: Any, tmp_path: Path) -> None:
    """Four senders (as four stateless server instances would) claim at once: each row goes to exactly one."""
    import threading

    from sqlalchemy import insert

    from app.domain.catalog import default_catalog
    from app.domain.offices import directory
    from sync.server.storage import create_schema, make_engine

    engine = make_engine(pg_cluster.create_database())
    create_schema(engine)
    now = "2026-12-01T01:00:00.000000Z"
    with engine.begin() as conn:
        conn.execute(insert(t.cases).values(
            id=str(uuid.uuid4()), service="SKD", office="35.73.02.1008", signer_office="35.73.02.1008", nik=NIK,
            name="Ani", fields=json.dumps(CONSENTING), field_versions="{}", status="returned", version=2,
            created_at=now, updated_at=now, created_by="siti", device="d", due_date="2026-12-05", feed_seq=1))
        case_id = conn.execute(select(t.cases.c.id)).scalar_one()
        conn.execute(insert(t.notify_outbox), [
            {"case_id": case_id, "kind": "returned", "channel": "email", "case_version": v, "status": "pending",
             "attempts": 0, "next_at": now, "created_at": now} for v in range(200)])
    notify_toml(tmp_path, None, None)
    settings = load(tmp_path, "http://x")
    senders = [Notifier(engine, settings, default_catalog(), directory(), worker=f"w{i}") for i in range(4)]
    claimed: dict[str, list[int]] = {s.worker: [] for s in senders}
    start = threading.Barrier(len(senders))

    def work(sender: Notifier) -> None:
        start.wait()
        while rows := sender._claim(7):
            claimed[sender.worker] += [r.id for r in rows]

    threads = [threading.Thread(target=work, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    every = [i for ids in claimed.values() for i in ids]
    assert len(every) == 200 and len(set(every)) == 200
    assert sum(1 for ids in claimed.values() if ids) >= 2  # the senders really ran side by side


def test_it_sends_one_test_message_per_address_and_says_so_without_the_secret(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from sync.server.cli import main

    monkeypatch.setenv("LOKET_GATEWAY_TOKEN", "tok-never-printed")
    with smtp_stand_in() as smtp, gateway_stand_in(fail_first=1) as gateway:
        notify_toml(tmp_path, smtp, gateway)
        base = ["--data", str(tmp_path), "notify", "test", "--to"]
        assert main([*base, "warga@contoh.id"]) == 0
        assert main([*base, "0812 3456 7890"]) == 1  # the gateway is busy: said, not retried
        assert main([*base, "0812 3456 7890"]) == 0
    out = capsys.readouterr()
    assert "terkirim lewat e-mail" in out.out and "terkirim lewat WhatsApp" in out.out
    assert "gateway HTTP 503" in out.err and "tok-never-printed" not in out.out + out.err
    assert len(smtp.received) == 1 and "Subject: Uji kabar" in smtp.received[0]["data"]
    assert [r["answered"] for r in gateway.requests] == [503, 200]
