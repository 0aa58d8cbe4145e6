"""Where a verified case is in its approval chain, derived from the signed steps recorded on it.

Each penandatangan step of a service's ``approval_chain`` but the last is a signed recommendation; the last
signs the letter. A recommendation is accepted at the case version it names and moves the case to the next
version, so the steps that count are those the current version rests on: one accepted at ``version - 1``,
another at ``version - 2``, and so on. Any other change (a return, an edit, a new verification) moves the
version without a step and so starts the chain again. Nothing else is stored: the next step is always
computed from the steps, the status and the version.

A step, as recorded (server snapshot, local column, letter): ``{"step", "office", "username", "name",
"position", "nip", "at", "case_version", "event_hash"}``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.domain.catalog import ServiceType
from app.domain.offices import OfficeDirectory
from app.domain.roles import Role

VERIFIED = "verified"


@dataclass(frozen=True, slots=True)
class NextStep:
    number: int  # 1-based position in the approval chain
    total: int  # steps in the chain
    role: Role
    office: str  # the office whose penandatangan (or delegate) takes it
    last: bool  # True: this step signs the letter

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.number, "steps": self.total, "role": self.role.value, "office": self.office,
                "signs_letter": self.last}


def current_steps(steps: Sequence[Mapping[str, Any]], version: int) -> list[Mapping[str, Any]]:
    """The recorded steps the case's current ``version`` rests on, oldest first."""
    by_version: dict[int, Mapping[str, Any]] = {}
    for s in steps:
        v = s.get("case_version")
        if isinstance(v, int) and not isinstance(v, bool):
            by_version[v] = s
    out: list[Mapping[str, Any]] = []
    v = version - 1
    while v in by_version:
        out.append(by_version[v])
        v -= 1
    out.reverse()
    return out


def signed_steps(service: ServiceType, steps: Sequence[Mapping[str, Any]], version: int) -> list[Mapping[str, Any]]:
    """The earlier signing steps taken in order on the current version (what the letter names)."""
    signing = service.signing_steps
    done: list[Mapping[str, Any]] = []
    for s in current_steps(steps, version):
        if len(done) < len(signing) - 1 and s.get("step") == signing[len(done)]:
            done.append(s)
        else:
            break
    return done


def letter_steps(service: ServiceType, steps: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The earlier signed steps a signed letter names: the final signature is taken on the version right
    after the last recommendation, so they are the steps that version rests on."""
    versions = [s["case_version"] for s in steps if isinstance(s.get("case_version"), int)]
    return signed_steps(service, steps, max(versions) + 1) if versions else []


def next_step(service: ServiceType, case_office: str, status: str, version: int,
              steps: Sequence[Mapping[str, Any]], offices: OfficeDirectory) -> NextStep | None:
    """The signing step a verified case waits for (None when it waits for no signature)."""
    if status != VERIFIED:
        return None
    signing = service.signing_steps
    k = len(signed_steps(service, steps, version))
    number = signing[k]
    return NextStep(number, len(service.approval_chain), Role.PENANDATANGAN,
                    service.step_office(number, case_office, offices), k == len(signing) - 1)
