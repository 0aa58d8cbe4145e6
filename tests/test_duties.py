"""Separation of duties: the rule, its catalogue switch, and the laptop refusing before anything is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain import duties
from app.domain.catalog import CatalogFileError, load_file
from app.domain.lifecycle import Action
from app.paths import resources_dir
from app.services import cases
from app.services.workspace import Actor, Workspace
from samples import NIK_WOMAN

SERVICES_DIR = resources_dir() / "services"


def test_the_rule() -> None:
    assert duties.conflict(Action.VERIFY, "siti", "siti", None) == "duties.registrar_verifies"
    assert duties.conflict(Action.APPROVE, "bambang", "siti", "bambang") == "duties.verifier_signs"
    assert duties.conflict(Action.APPROVE, "siti", "siti", "bambang") == "duties.registrar_signs"
    assert duties.conflict(Action.VERIFY, "bambang", "siti", None) is None
    assert duties.conflict(Action.SUBMIT, "siti", "siti", None) is None
    duties.check(False, Action.VERIFY, "siti", "siti", None)  # the service turned it off
    with pytest.raises(duties.DutiesConflict) as err:
        duties.check(True, Action.VERIFY, "siti", "siti", None)
    assert "Pemisahan tugas" in err.value.message or "Separation of duties" in err.value.message


def test_catalogue_switch_defaults_on_and_must_be_a_boolean(tmp_path: Path) -> None:
    text = (SERVICES_DIR / "skd.toml").read_text(encoding="utf-8")
    assert load_file(SERVICES_DIR / "skd.toml").separation_of_duties is True
    off = tmp_path / "skd.toml"
    off.write_text("separation_of_duties = false\n" + text, encoding="utf-8")
    assert load_file(off).separation_of_duties is False
    off.write_text('separation_of_duties = "no"\n' + text, encoding="utf-8")
    with pytest.raises(CatalogFileError):
        load_file(off)


def test_laptop_refuses_the_registrar_verifying_before_anything_is_written(ws: Workspace, petugas: Actor) -> None:
    created = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Ani Lestari", {})
    ws.add_local_user("petugas", petugas.full_name, "verifikator", petugas.office)  # moved to Sekretaris
    with ws.db.write() as s:
        case = cases.load_case(s, created.id)
        case.status = "submitted"
    moved = ws.actor("petugas")
    with pytest.raises(duties.DutiesConflict):
        cases.transition(ws, moved, created.id, Action.VERIFY)
    assert cases.show(ws, created.id)["status"] == "submitted"


def test_queues_leave_out_what_separation_of_duties_would_refuse(ws: Workspace, petugas: Actor, tmp_path: Path) -> None:
    """A person never sees a case in a queue that the server would refuse him for: the verifier's queue leaves
    out cases he registered, the signer's queue (every signing step) cases he registered or verified."""
    from app.services.approvals import signing_queue, verification_queue
    from app.storage import repo
    from samples import SKD_FIELDS, documents

    docs = documents(tmp_path)
    ws.add_local_user("rina", "Rina Petugas", "petugas", petugas.office)
    ws.add_local_user("bambang", "Bambang", "verifikator", petugas.office)
    ws.add_local_user("lurah", "Lurah", "penandatangan", petugas.office)
    own = cases.create(ws, petugas, "SKD", NIK_WOMAN, "Ani Lestari", SKD_FIELDS, docs).id
    other = cases.create(ws, ws.actor("rina"), "SKD", NIK_WOMAN, "Budi Santoso", SKD_FIELDS, docs).id
    for case_id, registrar in ((own, petugas), (other, ws.actor("rina"))):
        cases.transition(ws, registrar, case_id, Action.SUBMIT)

    def listed(query: repo.CaseQuery) -> list[str]:
        with ws.db.read() as s:
            return [c.id for c in repo.list_cases(s, query)]

    ws.add_local_user("petugas", petugas.full_name, "verifikator", petugas.office)  # siti moved to verifier
    assert listed(verification_queue(ws, ws.actor("petugas"))) == [other]
    assert sorted(listed(verification_queue(ws, ws.actor("bambang")))) == sorted([own, other])
    cases.transition(ws, ws.actor("petugas"), other, Action.VERIFY)
    cases.transition(ws, ws.actor("bambang"), own, Action.VERIFY)
    ws.add_local_user("bambang", "Bambang", "penandatangan", petugas.office)  # bambang now signs (Plh.)
    assert listed(signing_queue(ws, ws.actor("bambang"))) == [other]  # he verified ``own``
    assert sorted(listed(signing_queue(ws, ws.actor("lurah")))) == sorted([own, other])
    ws.add_local_user("rina", "Rina", "penandatangan", petugas.office)
    assert listed(signing_queue(ws, ws.actor("rina"))) == [own]  # she registered ``other``
