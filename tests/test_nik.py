"""Birth date and sex read from a Kota Malang NIK, and what typed data contradicts them."""

from __future__ import annotations

import datetime as dt

import pytest

from app.domain import nik
from app.domain.validation import Invalid
from samples import NIK_MAN, NIK_WOMAN


def test_the_issues_nik_is_a_woman_born_17_august_1990() -> None:
    info = nik.decode(NIK_WOMAN)
    assert (info.birth_date, info.sex, info.female, info.kecamatan) == (dt.date(1990, 8, 17), "P", True, "35.73.01")
    man = nik.decode(NIK_MAN)
    assert (man.birth_date, man.sex) == (dt.date(1985, 1, 1), "L")


@pytest.mark.parametrize("value", ["3573065708900003",  # no sixth kecamatan in Kota Malang
                                   "3507015708900003",  # Kabupaten Malang
                                   "3573017308900003",  # day 73 - 40 = 33: no such day
                                   ])
def test_only_kota_malang_kecamatan_and_real_dates(value: str) -> None:
    with pytest.raises(Invalid):
        nik.decode(value)
    assert nik.try_decode(value) is None


def test_contradictions_name_typed_and_nik_values_as_people_write_them() -> None:
    info = nik.decode(NIK_WOMAN)
    found = nik.contradictions(info, {"tanggal_lahir": "01/01/1985", "jenis_kelamin": "L"})
    assert [c.field for c in found] == ["tanggal_lahir", "jenis_kelamin"]
    assert found[0].message == "Tanggal lahir 01/01/1985 berbeda dengan NIK (17/08/1990)."
    assert found[1].message == "Jenis kelamin Laki-laki berbeda dengan NIK (Perempuan)."
    assert nik.contradictions(info, {"tanggal_lahir": "1990-08-17", "jenis_kelamin": "P"}) == []
    assert nik.contradictions(info, {"tanggal_lahir": "", "jenis_kelamin": ""}) == []


def test_a_confirmed_contradiction_is_kept_in_the_history_and_its_op(ws, petugas) -> None:  # type: ignore[no-untyped-def]
    import json

    from app.domain.lifecycle import Action
    from app.services import cases
    from samples import SKD_FIELDS, documents

    fields = {**SKD_FIELDS, "tanggal_lahir": "1985-01-01", "jenis_kelamin": "L"}
    new = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Sri Wahyuni", fields, documents(ws.profile))
    info = nik.decode(NIK_WOMAN)
    found = nik.contradictions(info, fields)
    note = nik.history_note(found, "Tanggal lahir sudah dikoreksi Dukcapil (KK terbaru).")
    confirmed = {"fields": [c.field for c in found], "reason": "Tanggal lahir sudah dikoreksi Dukcapil (KK terbaru)."}
    cases.transition(ws, petugas, new.id, Action.SUBMIT, note, nik_confirmed=confirmed)
    shown = cases.show(ws, new.id)
    submit = [e for e in shown["events"] if e["action"] == "submit"][-1]
    assert submit["reason"].startswith("Tanggal lahir 01/01/1985 berbeda dengan NIK (17/08/1990).")
    from sqlalchemy import select

    from app.storage.models import CaseEvent, OutboxOp

    with ws.db.read() as s:
        op = s.scalars(select(OutboxOp).where(OutboxOp.kind == "case.transition")).one()
        details = s.scalars(select(CaseEvent.details).where(CaseEvent.action == "submit")).one()
    assert json.loads(op.payload)["nik_confirmed"] == confirmed
    assert json.loads(details or "{}") == {"nik_confirmed": confirmed}


@pytest.mark.parametrize("confirmed, ok", [
    ({"fields": ["tanggal_lahir"], "reason": "KK terbaru dari Dukcapil"}, True),
    ({"fields": ["tanggal_lahir"], "reason": "x" * 301}, False),
    ({"fields": ["tanggal_lahir"], "reason": "ok"}, False),
    ({"fields": ["alamat"], "reason": "KK terbaru dari Dukcapil"}, False),
    ({"fields": ["tanggal_lahir"] * 50, "reason": "KK terbaru dari Dukcapil"}, False),
    ({"fields": ["tanggal_lahir"], "reason": "KK terbaru", "extra": 1}, False),
    ("yes", False),
])
def test_the_server_accepts_a_bounded_confirmation_on_a_submit_only(confirmed, ok) -> None:  # type: ignore[no-untyped-def]
    import uuid

    from app import clock
    from sync.server.opcheck import BadOp, check_op

    for action in ("submit", "verify"):
        op = {"op_id": str(uuid.uuid4()), "kind": "case.transition", "case_id": str(uuid.uuid4()),
              "base_version": 1, "payload": {"action": action, "reason": "catatan", "nik_confirmed": confirmed}}
        if ok and action == "submit":
            check_op(op, clock.now())  # type: ignore[arg-type]
        else:
            with pytest.raises(BadOp):
                check_op(op, clock.now())  # type: ignore[arg-type]
