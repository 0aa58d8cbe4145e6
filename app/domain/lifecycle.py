"""The case lifecycle: one explicit state machine, including who may take each step.

    draft ──submit──▶ submitted ──verify──▶ verified ──approve──▶ approved ──issue──▶ issued
      ▲                  │  │                  │  │
      └──── returned ◀───┘  └──▶ rejected ◀────┘  └──▶ returned
    draft / submitted / returned / verified ──withdraw──▶ withdrawn
    verified ──recommend──▶ verified   (a signing step before the chain's last: see app.domain.chain)

Every other pair (status, action) is refused, and so is a permitted action by the wrong role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from app.domain.roles import Role
from app.errors import ForbiddenError, TransitionError
from app.i18n import pick


class CaseStatus(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    VERIFIED = "verified"
    APPROVED = "approved"
    ISSUED = "issued"
    RETURNED = "returned"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return pick(STATUS_LABELS[self])

    @property
    def is_open(self) -> bool:
        return self not in (CaseStatus.ISSUED, CaseStatus.REJECTED, CaseStatus.WITHDRAWN)


STATUS_LABELS: dict[CaseStatus, dict[str, str]] = {
    CaseStatus.DRAFT: {"id": "Draf", "en": "Draft"},
    CaseStatus.SUBMITTED: {"id": "Diajukan", "en": "Submitted"},
    CaseStatus.VERIFIED: {"id": "Terverifikasi", "en": "Verified"},
    CaseStatus.APPROVED: {"id": "Disetujui", "en": "Approved"},
    CaseStatus.ISSUED: {"id": "Diterbitkan", "en": "Issued"},
    CaseStatus.RETURNED: {"id": "Dikembalikan", "en": "Returned"},
    CaseStatus.REJECTED: {"id": "Ditolak", "en": "Rejected"},
    CaseStatus.WITHDRAWN: {"id": "Dibatalkan", "en": "Withdrawn"},
}


class Action(StrEnum):
    CREATE = "create"
    EDIT = "edit"
    SUBMIT = "submit"
    VERIFY = "verify"
    RETURN = "return"
    REJECT = "reject"
    RECOMMEND = "recommend"
    APPROVE = "approve"
    ISSUE = "issue"
    WITHDRAW = "withdraw"

    @property
    def label(self) -> str:
        return pick(ACTION_LABELS[self])


ACTION_LABELS: dict[Action, dict[str, str]] = {
    Action.CREATE: {"id": "daftarkan", "en": "registered"},
    Action.EDIT: {"id": "ubah", "en": "edited"},
    Action.SUBMIT: {"id": "ajukan", "en": "submitted"},
    Action.VERIFY: {"id": "verifikasi (paraf)", "en": "verified"},
    Action.RETURN: {"id": "kembalikan", "en": "returned"},
    Action.REJECT: {"id": "tolak", "en": "rejected"},
    Action.RECOMMEND: {"id": "rekomendasi (tanda tangan berjenjang)", "en": "endorsed"},
    Action.APPROVE: {"id": "setujui dan tanda tangani", "en": "approved"},
    Action.ISSUE: {"id": "terbitkan", "en": "issued"},
    Action.WITHDRAW: {"id": "batalkan", "en": "withdrawn"},
}


@dataclass(frozen=True, slots=True)
class Transition:
    action: Action
    source: frozenset[CaseStatus]
    target: CaseStatus | None  # None: the status does not change (edit)
    roles: frozenset[Role]
    needs_reason: bool = False


S = CaseStatus
_EDITABLE = frozenset({S.DRAFT, S.RETURNED})

TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.CREATE, frozenset(), S.DRAFT, frozenset({Role.PETUGAS})),
    Transition(Action.EDIT, _EDITABLE, None, frozenset({Role.PETUGAS})),
    Transition(Action.SUBMIT, _EDITABLE, S.SUBMITTED, frozenset({Role.PETUGAS})),
    Transition(Action.VERIFY, frozenset({S.SUBMITTED}), S.VERIFIED, frozenset({Role.VERIFIKATOR})),
    Transition(
        Action.RETURN,
        frozenset({S.SUBMITTED, S.VERIFIED}),
        S.RETURNED,
        frozenset({Role.VERIFIKATOR, Role.PENANDATANGAN}),
        needs_reason=True,
    ),
    Transition(
        Action.REJECT,
        frozenset({S.SUBMITTED, S.VERIFIED}),
        S.REJECTED,
        frozenset({Role.VERIFIKATOR, Role.PENANDATANGAN}),
        needs_reason=True,
    ),
    # A signed recommendation: the case stays verified and waits for the chain's next signing step.
    Transition(Action.RECOMMEND, frozenset({S.VERIFIED}), S.VERIFIED, frozenset({Role.PENANDATANGAN})),
    Transition(Action.APPROVE, frozenset({S.VERIFIED}), S.APPROVED, frozenset({Role.PENANDATANGAN})),
    Transition(Action.ISSUE, frozenset({S.APPROVED}), S.ISSUED, frozenset({Role.PETUGAS})),
    Transition(
        Action.WITHDRAW,
        frozenset({S.DRAFT, S.SUBMITTED, S.RETURNED, S.VERIFIED}),
        S.WITHDRAWN,
        frozenset({Role.PETUGAS}),
    ),
)

_BY_ACTION = {t.action: t for t in TRANSITIONS}

# Who may act on a case in which status, beyond the per-transition role list: the signer only sees
# verified cases, so a penandatangan may return/reject only from VERIFIED.
_ROLE_SOURCES: dict[tuple[Action, Role], frozenset[CaseStatus]] = {
    (Action.RETURN, Role.PENANDATANGAN): frozenset({S.VERIFIED}),
    (Action.REJECT, Role.PENANDATANGAN): frozenset({S.VERIFIED}),
}


def transition_for(action: Action) -> Transition:
    return _BY_ACTION[action]


def is_allowed(status: CaseStatus | None, action: Action, role: Role) -> bool:
    t = _BY_ACTION[action]
    if role not in t.roles:
        return False
    if action is Action.CREATE:
        return status is None
    sources = _ROLE_SOURCES.get((action, role), t.source)
    return status in sources


def check(status: CaseStatus | None, action: Action, role: Role) -> CaseStatus | None:
    """The status after ``action``, or raise why it is refused (role first, then status)."""
    t = _BY_ACTION[action]
    if role not in t.roles:
        raise ForbiddenError("transition.role", role=role.value, action=action.label)
    if not is_allowed(status, action, role):
        if action is Action.EDIT:
            raise TransitionError("edit.forbidden", status=status.label if status else "-")
        raise TransitionError(
            "transition.forbidden", status=status.label if status else "-", action=action.label
        )
    return t.target


def next_actions(status: CaseStatus, role: Role) -> list[Action]:
    """The steps ``role`` may take on a case in ``status``, in lifecycle order. A recommendation is not offered
    on its own: the signer's approve takes whichever signing step the chain is at (``app.domain.chain``)."""
    return [t.action for t in TRANSITIONS if t.action not in (Action.CREATE, Action.RECOMMEND)
            and is_allowed(status, t.action, role)]
