"""Intake validation: what a person typed for a case (NIK, name, the service's fields) checked and normalised
for storage. One rule for the counter's form, loket-cli, the CSV import and the server's op handlers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from app.domain.catalog import FieldSpec, ServiceType
from app.domain.validation import Invalid as _Invalid
from app.domain.validation import check_field, validate_nik
from app.errors import FieldProblem
from app.i18n import either, register

register({
    "name.short": {
        "id": "{label} terlalu pendek: tulis nama lengkap seperti di KTP (paling sedikit {min} huruf).",
        "en": "{label} is too short: write the full name as on the ID card (at least {min} letters).",
    },
})

NAME_MAX = 120
NAME_MIN = 2  # a citizen's name as on the KTP: one letter is a slip of the finger, not a name

FieldMemo = dict[tuple[str, str], tuple[str | None, FieldProblem | None]]


@dataclass
class Intake:
    """Validated intake data, normalised for storage."""

    nik: str | None
    name: str
    fields: dict[str, str]


def check_intake(service: ServiceType, nik: str | None, name: str | None,
                 fields: Mapping[str, str], *, complete: bool, specs: Mapping[str, FieldSpec] | None = None,
                 memo: FieldMemo | None = None, today: dt.date | None = None) -> tuple[Intake, list[FieldProblem]]:
    """Validate what a person typed. ``complete`` also demands every required field (at submit).

    For bulk imports: ``specs`` (key → field) spares the catalogue's linear field lookup on every cell, and
    ``memo`` keeps each (field, value) verdict, since a column often repeats its values (place of birth,
    sex, purpose). Reuse a memo only within one call that shares the same service and day; ``today`` is that
    day (Malang's, asked of the clock once per import instead of on every row)."""
    problems: list[FieldProblem] = []
    clean_nik: str | None = None
    if nik and nik.strip():
        try:
            clean_nik = validate_nik(nik, today)
        except _Invalid as bad:
            problems.append(FieldProblem("nik", bad.key, label="NIK", **bad.params))
    elif service.requires_nik:
        problems.append(FieldProblem("nik", "required", label="NIK"))
    clean_name = (name or "").strip()
    if not clean_name:
        problems.append(FieldProblem("name", "required", label=_name_label()))
    elif not _letters_at_least(clean_name, NAME_MIN):
        problems.append(FieldProblem("name", "name.short", label=_name_label(), min=NAME_MIN))
    elif len(clean_name) > NAME_MAX:
        problems.append(FieldProblem("name", "text.length", label=_name_label(), max=NAME_MAX))
    clean: dict[str, str] = {}
    for key, value in fields.items():
        spec = specs.get(key) if specs is not None else service.field(key)
        if spec is None:
            problems.append(FieldProblem(key, "field.unknown", key=key, service=service.code))
            continue
        if memo is None:
            normalised, problem = check_field(spec, value, today)
        else:
            verdict = memo.get((key, value))
            if verdict is None:
                verdict = memo[(key, value)] = check_field(spec, value, today)
            normalised, problem = verdict
        if problem:
            problems.append(problem)
        elif normalised is not None:
            clean[key] = normalised
    if complete:
        problems.extend(missing_required(service, clean))
    return Intake(clean_nik, clean_name, clean), problems


def missing_required(service: ServiceType, fields: Mapping[str, str]) -> list[FieldProblem]:
    return [FieldProblem(f.key, "required", label=f.label) for f in service.fields
            if f.required and not fields.get(f.key)]


def _letters_at_least(text: str, count: int) -> bool:
    """Whether ``text`` has ``count`` letters or more (stops counting there: a name's first letters do)."""
    for ch in text:
        if ch.isalpha():
            count -= 1
            if count <= 0:
                return True
    return count <= 0


def _name_label() -> str:
    return either("Nama", "Name")
