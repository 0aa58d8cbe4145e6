"""Approval chains of any length: catalogue steps resolve to offices, the next signing step is derived from the
signed steps a case's version rests on, and a catalogue chain that could not move is refused when loaded."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.domain import chain
from app.domain.catalog import load_catalog, load_file
from app.domain.offices import directory
from app.paths import resources_dir
from samples import KECAMATAN, OFFICE

SERVICES = resources_dir() / "services"


def _step(number: int, version: int, office: str = OFFICE) -> dict[str, object]:
    return {"step": number, "office": office, "username": "lurah", "name": "Lurah", "position": "Lurah",
            "at": "2026-12-01T03:00:00+00:00", "case_version": version, "event_hash": "0" * 64}


def test_usulmus_steps_resolve_to_the_kelurahan_then_its_kecamatan() -> None:
    usulmus = load_file(SERVICES / "usulmus.toml")
    assert usulmus.signing_steps == (2, 3)
    assert usulmus.step_office(1, OFFICE, directory()) == OFFICE
    assert usulmus.step_office(2, OFFICE, directory()) == OFFICE
    assert usulmus.step_office(3, OFFICE, directory()) == KECAMATAN == usulmus.signer_office(OFFICE, directory())


def test_next_step_follows_the_signed_steps_of_the_current_version() -> None:
    usulmus = load_file(SERVICES / "usulmus.toml")
    offices = directory()
    first = chain.next_step(usulmus, OFFICE, "verified", 4, [], offices)
    assert first is not None and (first.number, first.office, first.last) == (2, OFFICE, False)
    # the Lurah's recommendation was accepted at version 4, so version 5 waits for the Camat
    second = chain.next_step(usulmus, OFFICE, "verified", 5, [_step(2, 4)], offices)
    assert second is not None and (second.number, second.office, second.last) == (3, KECAMATAN, True)
    # returned, edited and verified again (version 9): the old endorsement no longer counts
    again = chain.next_step(usulmus, OFFICE, "verified", 9, [_step(2, 4)], offices)
    assert again is not None and again.number == 2
    assert chain.next_step(usulmus, OFFICE, "submitted", 5, [_step(2, 4)], offices) is None
    # a signed letter (approved at version 5 → 6) names the endorsement it rested on
    assert [s["case_version"] for s in chain.letter_steps(usulmus, [_step(2, 4)])] == [4]


def test_two_step_services_wait_for_their_own_office() -> None:
    skd = load_file(SERVICES / "skd.toml")
    step = chain.next_step(skd, OFFICE, "verified", 3, [], directory())
    assert step is not None and (step.number, step.office, step.last) == (2, OFFICE, True)
    assert chain.signed_steps(skd, [_step(2, 2)], 3) == []  # nothing before the letter in a two-step chain


@pytest.mark.parametrize(("chain_text", "problem"), [
    ('{ role = "penandatangan", office = "self" },\n  { role = "verifikator", office = "self" },\n'
     '  { role = "penandatangan", office = "parent" },', "cannot follow"),
    ('{ role = "verifikator", office = "self" },\n  { role = "penandatangan", office = "35.73.01" },\n'
     '  { role = "penandatangan", office = "parent" },', "signing step before the last"),
    ('{ role = "verifikator", office = "self" },\n  { role = "penandatangan", office = "99.99" },',
     "unknown office"),
])
def test_a_chain_that_could_not_move_is_refused(tmp_path: Path, chain_text: str, problem: str) -> None:
    text = (SERVICES / "usulmus.toml").read_text(encoding="utf-8")
    start = text.index("approval_chain = [") + len("approval_chain = [\n  ")
    end = text.index("]\n", start)
    (tmp_path / "usulmus.toml").write_text(text[:start] + chain_text + "\n" + text[end:], encoding="utf-8")
    catalog = load_catalog(tmp_path)
    assert not catalog.services
    [found] = catalog.problems
    assert problem in found.message and found.field.startswith("approval_chain")
