"""Separation of duties: the person who registered a case does not verify it, and neither the registrar nor
the verifier signs it as the final signer.

A service may turn it off in the catalogue (``separation_of_duties = false``, e.g. a one-person office);
it is on by default. The laptop checks it before the PIN is asked or a number is taken, and the server
checks it again on every op it receives (errno FORBIDDEN), so a tampered laptop changes nothing.
"""

from __future__ import annotations

from app.domain.catalog import Catalog
from app.domain.lifecycle import Action
from app.errors import UserFacingError
from app.i18n import register

MESSAGES = {
    "duties.registrar_verifies": {
        "id": "Pemisahan tugas: {name} mendaftarkan berkas ini, jadi tidak boleh memverifikasinya sendiri. "
        "Verifikator lain yang memeriksanya.",
        "en": "Separation of duties: {name} registered this case and may not verify it; another verifier "
        "checks it.",
    },
    "duties.verifier_signs": {
        "id": "Pemisahan tugas: {name} memverifikasi berkas ini, jadi tidak boleh menandatanganinya. "
        "Penandatangan lain (atau Plh.) yang menandatangani.",
        "en": "Separation of duties: {name} verified this case and may not sign it; another signer (or a Plh.) "
        "signs it.",
    },
    "duties.registrar_signs": {
        "id": "Pemisahan tugas: {name} mendaftarkan berkas ini, jadi tidak boleh menandatanganinya. "
        "Penandatangan lain (atau Plh.) yang menandatangani.",
        "en": "Separation of duties: {name} registered this case and may not sign it; another signer "
        "(or a Plh.) signs it.",
    },
}
register(MESSAGES)


class DutiesConflict(UserFacingError):
    key = "duties.registrar_verifies"


def conflict(action: Action, person: str, registrar: str | None, verifier: str | None) -> str | None:
    """The message key of the rule ``person`` would break by taking ``action``, or None."""
    if action is Action.VERIFY and person == registrar:
        return "duties.registrar_verifies"
    if action is Action.APPROVE and person == verifier:
        return "duties.verifier_signs"
    if action is Action.APPROVE and person == registrar:
        return "duties.registrar_signs"
    return None


def check(enabled: bool, action: Action, person: str, registrar: str | None, verifier: str | None) -> None:
    """Raise :class:`DutiesConflict` when the service keeps duties apart and ``person`` may not act."""
    key = conflict(action, person, registrar, verifier) if enabled else None
    if key:
        raise DutiesConflict(key, name=person)


def kept_apart(catalog: Catalog) -> tuple[str, ...]:
    """The services whose duties are kept apart: their queues leave out the cases a person may not act on."""
    return tuple(sorted(code for code, service in catalog.services.items() if service.separation_of_duties))
