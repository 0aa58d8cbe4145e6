"""The case lifecycle: every (status, action, role) against a table written out here, then the same rules
through the service layer (required data at submit, reasons, offices)."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from app.domain import lifecycle
from app.domain.lifecycle import Action, CaseStatus
from app.domain.roles import Role
from app.errors import ForbiddenError, TransitionError, ValidationError
from app.services import cases
from app.services.workspace import Actor, Workspace
from samples import KECAMATAN, NIK_MAN, NIK_WOMAN, OFFICE, SKD_FIELDS, documents

S, A, R = CaseStatus, Action, Role

# Every permitted step: (status before, action, role) → status after (None: unchanged, an edit).
# Anything not listed here is refused.
ALLOWED: dict[tuple[CaseStatus | None, Action, Role], CaseStatus | None] = {
    (None, A.CREATE, R.PETUGAS): S.DRAFT,
    (S.DRAFT, A.EDIT, R.PETUGAS): None,
    (S.RETURNED, A.EDIT, R.PETUGAS): None,
    (S.DRAFT, A.SUBMIT, R.PETUGAS): S.SUBMITTED,
    (S.RETURNED, A.SUBMIT, R.PETUGAS): S.SUBMITTED,
    (S.SUBMITTED, A.VERIFY, R.VERIFIKATOR): S.VERIFIED,
    (S.SUBMITTED, A.RETURN, R.VERIFIKATOR): S.RETURNED,
    (S.VERIFIED, A.RETURN, R.VERIFIKATOR): S.RETURNED,
    (S.VERIFIED, A.RETURN, R.PENANDATANGAN): S.RETURNED,
    (S.SUBMITTED, A.REJECT, R.VERIFIKATOR): S.REJECTED,
    (S.VERIFIED, A.REJECT, R.VERIFIKATOR): S.REJECTED,
    (S.VERIFIED, A.REJECT, R.PENANDATANGAN): S.REJECTED,
    (S.VERIFIED, A.RECOMMEND, R.PENANDATANGAN): S.VERIFIED,  # an earlier signing step; the case waits for the next
    (S.VERIFIED, A.APPROVE, R.PENANDATANGAN): S.APPROVED,
    (S.APPROVED, A.ISSUE, R.PETUGAS): S.ISSUED,
    (S.DRAFT, A.WITHDRAW, R.PETUGAS): S.WITHDRAWN,
    (S.SUBMITTED, A.WITHDRAW, R.PETUGAS): S.WITHDRAWN,
    (S.RETURNED, A.WITHDRAW, R.PETUGAS): S.WITHDRAWN,
    (S.VERIFIED, A.WITHDRAW, R.PETUGAS): S.WITHDRAWN,
}

# The roles that may take each action at all; a refused step by one of them is a TransitionError (wrong
# status), by anyone else a ForbiddenError (wrong role).
ROLES: dict[Action, set[Role]] = {
    A.CREATE: {R.PETUGAS},
    A.EDIT: {R.PETUGAS},
    A.SUBMIT: {R.PETUGAS},
    A.VERIFY: {R.VERIFIKATOR},
    A.RETURN: {R.VERIFIKATOR, R.PENANDATANGAN},
    A.REJECT: {R.VERIFIKATOR, R.PENANDATANGAN},
    A.RECOMMEND: {R.PENANDATANGAN},
    A.APPROVE: {R.PENANDATANGAN},
    A.ISSUE: {R.PETUGAS},
    A.WITHDRAW: {R.PETUGAS},
}

NEEDS_REASON = {A.RETURN, A.REJECT}
STATUSES: list[CaseStatus | None] = [None, *CaseStatus]
COMBINATIONS = list(itertools.product(STATUSES, Action, Role))


def _id(combo: tuple[CaseStatus | None, Action, Role]) -> str:
    status, action, role = combo
    return f"{status.value if status else 'new'}-{action.value}-{role.value}"


@pytest.mark.parametrize("combo", COMBINATIONS, ids=[_id(c) for c in COMBINATIONS])
def test_every_status_action_role(combo: tuple[CaseStatus | None, Action, Role]) -> None:
    status, action, role = combo
    if combo in ALLOWED:
        assert lifecycle.is_allowed(status, action, role)
        assert lifecycle.check(status, action, role) == ALLOWED[combo]
        return
    assert not lifecycle.is_allowed(status, action, role)
    expected = TransitionError if role in ROLES[action] else ForbiddenError
    with pytest.raises(expected) as err:
        lifecycle.check(status, action, role)
    assert type(err.value) is expected
    assert str(err.value).strip()  # a sentence a person can read, not a bare key
    assert str(err.value) != err.value.key


def test_table_covers_the_module() -> None:
    """The table above and the module agree on the shape of the machine, not just on each answer."""
    assert len(COMBINATIONS) == 9 * 10 * 4  # statuses (and "new") × actions × roles
    for t in lifecycle.TRANSITIONS:
        assert set(t.roles) == ROLES[t.action]
        assert t.needs_reason == (t.action in NEEDS_REASON)
    closed = {S.ISSUED, S.REJECTED, S.WITHDRAWN}
    assert {s for s in CaseStatus if not s.is_open} == closed
    assert not any(status in closed for (status, _a, _r) in ALLOWED)  # nothing leaves a closed case


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("status", list(CaseStatus))
def test_next_actions(status: CaseStatus, role: Role) -> None:
    # a recommendation is taken through approve (the chain decides which signing step it is)
    expected = [a for a in Action if a not in (A.CREATE, A.RECOMMEND) and (status, a, role) in ALLOWED]
    assert lifecycle.next_actions(status, role) == expected


def test_next_actions_examples() -> None:
    assert lifecycle.next_actions(S.DRAFT, R.PETUGAS) == [A.EDIT, A.SUBMIT, A.WITHDRAW]
    assert lifecycle.next_actions(S.SUBMITTED, R.VERIFIKATOR) == [A.VERIFY, A.RETURN, A.REJECT]
    assert lifecycle.next_actions(S.VERIFIED, R.PENANDATANGAN) == [A.RETURN, A.REJECT, A.APPROVE]
    assert lifecycle.next_actions(S.SUBMITTED, R.PENANDATANGAN) == []  # the signer sees verified cases only
    assert lifecycle.next_actions(S.APPROVED, R.PETUGAS) == [A.ISSUE]
    for status in CaseStatus:
        assert lifecycle.next_actions(status, R.ADMIN) == []
        if not status.is_open:  # issued, rejected, withdrawn: nobody can do anything more
            assert all(lifecycle.next_actions(status, role) == [] for role in Role)


# --- through the service layer ----------------------------------------------------------------------------

def _status(ws: Workspace, case_id: str) -> str:
    return str(cases.show(ws, case_id)["status"])


@pytest.fixture
def complete_case(ws: Workspace, staff: dict[str, Actor], tmp_path: Path) -> str:
    """A draft SKD case with every required field and document."""
    files = documents(tmp_path)
    return cases.create(ws, staff["petugas"], "SKD", NIK_WOMAN, "Siti Aminah", SKD_FIELDS, files).id


def test_full_walk(ws: Workspace, staff: dict[str, Actor], complete_case: str) -> None:
    p, v, s = staff["petugas"], staff["verifikator"], staff["penandatangan"]
    assert cases.transition(ws, p, complete_case, A.SUBMIT).status == "submitted"
    assert cases.transition(ws, v, complete_case, A.RETURN, "foto KTP buram").status == "returned"
    assert cases.edit(ws, p, complete_case, {"keperluan": "pembukaan rekening"}).status == "returned"
    assert cases.transition(ws, p, complete_case, A.SUBMIT).status == "submitted"
    assert cases.transition(ws, v, complete_case, A.VERIFY).status == "verified"
    assert cases.transition(ws, s, complete_case, A.REJECT, "bukan warga kelurahan ini").status == "rejected"
    shown = cases.show(ws, complete_case)
    assert [e["action"] for e in shown["events"]] == [
        "create", "submit", "return", "edit", "submit", "verify", "reject"]
    assert shown["reason"] == "bukan warga kelurahan ini"
    with pytest.raises(TransitionError):
        cases.transition(ws, p, complete_case, A.SUBMIT)
    with pytest.raises(TransitionError):
        cases.edit(ws, p, complete_case, {"keperluan": "lain"})


def test_wrong_role_is_refused_by_the_service(ws: Workspace, staff: dict[str, Actor],
                                              complete_case: str) -> None:
    with pytest.raises(ForbiddenError):
        cases.transition(ws, staff["verifikator"], complete_case, A.SUBMIT)
    with pytest.raises(ForbiddenError):
        cases.create(ws, staff["verifikator"], "SKD", NIK_MAN, "Budi")
    assert _status(ws, complete_case) == "draft"


def test_submit_names_each_missing_field(ws: Workspace, staff: dict[str, Actor], tmp_path: Path) -> None:
    fields = {k: v for k, v in SKD_FIELDS.items() if k not in ("tempat_lahir", "keperluan")}
    files = documents(tmp_path)
    case_id = cases.create(ws, staff["petugas"], "SKD", NIK_WOMAN, "Siti Aminah", fields, files).id
    with pytest.raises(ValidationError) as err:
        cases.transition(ws, staff["petugas"], case_id, A.SUBMIT)
    assert {p.field for p in err.value.problems} == {"tempat_lahir", "keperluan"}
    assert "Tempat lahir wajib diisi." in err.value.message
    assert "Keperluan wajib diisi." in err.value.message
    assert _status(ws, case_id) == "draft"
    cases.edit(ws, staff["petugas"], case_id, {"tempat_lahir": "Malang", "keperluan": "sekolah"})
    assert cases.transition(ws, staff["petugas"], case_id, A.SUBMIT).status == "submitted"


def test_submit_names_each_missing_document(ws: Workspace, staff: dict[str, Actor], tmp_path: Path) -> None:
    case_id = cases.create(ws, staff["petugas"], "SKD", NIK_WOMAN, "Siti Aminah", SKD_FIELDS,
                           documents(tmp_path, ("ktp",))).id
    with pytest.raises(ValidationError) as err:
        cases.transition(ws, staff["petugas"], case_id, A.SUBMIT)
    assert {p.field for p in err.value.problems} == {"kk", "pengantar_rt"}
    assert "Dokumen wajib belum dilampirkan: Kartu Keluarga." in err.value.message
    cases.edit(ws, staff["petugas"], case_id, attachments=documents(tmp_path, ("kk", "pengantar_rt")))
    assert cases.transition(ws, staff["petugas"], case_id, A.SUBMIT).status == "submitted"


def test_missing_field_in_english(ws: Workspace, staff: dict[str, Actor],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    case_id = cases.create(ws, staff["petugas"], "SKD", NIK_WOMAN, "Siti Aminah").id
    monkeypatch.setenv("LOKET_LANG", "en")
    with pytest.raises(ValidationError) as err:
        cases.transition(ws, staff["petugas"], case_id, A.SUBMIT)
    assert "Place of birth is required." in err.value.message


@pytest.mark.parametrize("action", [A.RETURN, A.REJECT])
@pytest.mark.parametrize("reason", [None, "", "   "])
def test_return_and_reject_demand_a_reason(ws: Workspace, staff: dict[str, Actor], complete_case: str,
                                           action: Action, reason: str | None) -> None:
    cases.transition(ws, staff["petugas"], complete_case, A.SUBMIT)
    with pytest.raises(ValidationError) as err:
        cases.transition(ws, staff["verifikator"], complete_case, action, reason)
    assert [p.field for p in err.value.problems] == ["reason"]
    assert "Alasan wajib diisi" in err.value.message
    assert _status(ws, complete_case) == "submitted"


def test_another_kelurahan_is_refused(ws: Workspace, staff: dict[str, Actor], petugas_lain: Actor,
                                      complete_case: str) -> None:
    with pytest.raises(ForbiddenError) as err:
        cases.edit(ws, petugas_lain, complete_case, {"keperluan": "lain"})
    assert "kantor lain" in str(err.value) and "Oro-oro Dowo" in str(err.value)
    with pytest.raises(ForbiddenError):
        cases.transition(ws, petugas_lain, complete_case, A.SUBMIT)
    with pytest.raises(ForbiddenError):
        cases.transition(ws, petugas_lain, complete_case, A.WITHDRAW)
    assert _status(ws, complete_case) == "draft"
    # and a verifikator of another kelurahan cannot verify it either
    ws.add_local_user("verif_lain", "Verifikator Blimbing", "verifikator", petugas_lain.office)
    cases.transition(ws, staff["petugas"], complete_case, A.SUBMIT)
    with pytest.raises(ForbiddenError):
        cases.transition(ws, ws.actor("verif_lain"), complete_case, A.VERIFY)
    assert _status(ws, complete_case) == "submitted"


def test_service_of_another_office_level_is_refused(ws: Workspace, staff: dict[str, Actor]) -> None:
    opd_only = [s for s in ws.catalog if s.office_level.value == "opd"]
    assert opd_only, "the catalogue should hold at least one OPD service"
    with pytest.raises(ForbiddenError):
        cases.create(ws, staff["petugas"], opd_only[0].code, NIK_MAN, "Budi")


def _parent_signed(ws: Workspace) -> list[str]:
    return [s.code for s in ws.catalog if s.approval_chain[-1].office == "parent"]


def test_parent_office_signs_parent_services(ws: Workspace, staff: dict[str, Actor]) -> None:
    """Services whose last approval step is ``parent`` (USULMUS: the Camat) are signed at the kecamatan."""
    codes = _parent_signed(ws)
    if not codes:
        pytest.skip("no service in the catalogue is signed by the parent office")
    code = codes[0]
    service = ws.catalog.get(code)
    assert service.signer_office(OFFICE, ws.offices) == KECAMATAN
    assert ws.catalog.get("SKD").signer_office(OFFICE, ws.offices) == OFFICE
    ws.add_local_user("camat", "Camat Klojen", "penandatangan", KECAMATAN)
    ws.add_local_user("camat_lain", "Camat Blimbing", "penandatangan", "35.73.01")
    case_id = cases.create(ws, staff["petugas"], code, None if not service.requires_nik else NIK_MAN,
                           "RW 05 Oro-oro Dowo").id
    with ws.db.write() as s:  # skip the paperwork: the office rule is what this test is about
        s.connection().exec_driver_sql("UPDATE cases SET status = 'verified' WHERE id = ?", (case_id,))
    if len(service.signing_steps) > 1:
        # the earlier signing step is the kelurahan's: until the Lurah has endorsed it, the Camat cannot act
        with pytest.raises(ForbiddenError):
            cases.transition(ws, ws.actor("camat"), case_id, A.RETURN, "belum direkomendasikan Lurah")
        with ws.db.write() as s:  # the Lurah's signed recommendation, accepted at the version before this one
            conn = s.connection()
            version = conn.exec_driver_sql("SELECT version FROM cases WHERE id = ?", (case_id,)).scalar_one()
            step = {"step": service.signing_steps[0], "office": OFFICE, "username": "lurah", "name": "Lurah",
                    "position": "Lurah Oro-oro Dowo", "at": "2026-12-01T03:00:00+00:00", "case_version": version,
                    "event_hash": "0" * 64}
            conn.exec_driver_sql("UPDATE cases SET steps = ?, version = version + 1 WHERE id = ?",
                                 (json.dumps([step]), case_id))
    with pytest.raises(ForbiddenError):
        cases.transition(ws, ws.actor("camat_lain"), case_id, A.RETURN, "bukan wilayah kami")
    returned = cases.transition(ws, ws.actor("camat"), case_id, A.RETURN, "RAB belum lengkap")
    assert returned.status == "returned"
