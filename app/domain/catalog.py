"""The service catalogue: one TOML file per service in ``resources/services/``.

A file that cannot be used is reported with its path, line and field, and every other service still loads.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Protocol

from app.domain.offices import OfficeDirectory, OfficeLevel, directory
from app.domain.roles import Role
from app.errors import UserFacingError
from app.i18n import pick
from app.paths import resources_dir

FIELD_TYPES = frozenset(
    {"text", "textarea", "date", "number", "integer", "money", "year", "phone", "email", "consent", "nik", "kk",
     "choice"}
)
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,15}")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
RESERVED_KEYS = frozenset({"nik", "name"})


@dataclass(frozen=True, slots=True)
class Choice:
    key: str
    label_id: str
    label_en: str

    @property
    def label(self) -> str:
        return pick({"id": self.label_id, "en": self.label_en})


@dataclass(frozen=True, slots=True)
class FieldSpec:
    key: str
    type: str
    labels: dict[str, str]
    required: bool = False
    choices: tuple[Choice, ...] = ()
    min: Decimal | None = None
    max: Decimal | None = None
    max_length: int | None = None
    pattern: str | None = None
    past_only: bool = False
    future_only: bool = False
    help: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return pick(self.labels)


@dataclass(frozen=True, slots=True)
class DocumentSpec:
    code: str
    names: dict[str, str]
    required: bool = True

    @property
    def name(self) -> str:
        return pick(self.names)


@dataclass(frozen=True, slots=True)
class ApprovalStep:
    role: Role
    office: str  # "self", "parent" or an office code


@dataclass(frozen=True, slots=True)
class LetterSpec:
    title: str
    paragraphs: tuple[str, ...]
    closing: str


@dataclass(frozen=True, slots=True)
class ServiceType:
    code: str
    version: int
    names: dict[str, str]
    area: str
    office_level: OfficeLevel
    owner_office: str | None
    requires_nik: bool
    fields: tuple[FieldSpec, ...]
    documents: tuple[DocumentSpec, ...]
    approval_chain: tuple[ApprovalStep, ...]
    template: str
    template_version: int
    classification: str
    sla_days: int
    letter: LetterSpec
    source: Path
    separation_of_duties: bool = True  # registrar ≠ verifier ≠ final signer (app/domain/duties.py)

    @property
    def name(self) -> str:
        return pick(self.names)

    def field(self, key: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.key == key), None)

    def step_office(self, number: int, case_office: str, offices: OfficeDirectory) -> str:
        """The office that takes step ``number`` (1-based) of a case registered at ``case_office``."""
        where = self.approval_chain[number - 1].office
        if where == "self":
            return case_office
        if where == "parent":
            office = offices.get(case_office)
            return office.parent if office and office.parent else case_office
        return where

    def signer_office(self, case_office: str, offices: OfficeDirectory) -> str:
        """The office whose penandatangan signs the letter of a case registered at ``case_office`` (the chain's
        last step; earlier penandatangan steps are signed recommendations, see ``app.domain.chain``)."""
        return self.step_office(len(self.approval_chain), case_office, offices)

    @property
    def signing_steps(self) -> tuple[int, ...]:
        """The 1-based numbers of the chain's penandatangan steps, in order; the last one signs the letter."""
        return tuple(i for i, step in enumerate(self.approval_chain, 1) if step.role is Role.PENANDATANGAN)

    def document(self, code: str) -> DocumentSpec | None:
        return next((d for d in self.documents if d.code == code), None)

    def as_dict(self) -> dict[str, Any]:
        """The shape ``loket-cli services list --json`` prints."""
        return {
            "code": self.code,
            "name": self.name,
            "names": self.names,
            "area": self.area,
            "office_level": self.office_level.value,
            "sla_days": self.sla_days,
            "separation_of_duties": self.separation_of_duties,
            "fields": [
                {
                    "key": f.key,
                    "label": f.label,
                    "type": f.type,
                    "required": f.required,
                    "choices": [c.key for c in f.choices],
                }
                for f in self.fields
            ],
            "documents": [{"code": d.code, "name": d.name, "required": d.required} for d in self.documents],
        }


@dataclass(frozen=True, slots=True)
class CatalogProblem:
    path: Path
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.path.name}:{self.line}: {self.field}: {self.message}"


class CatalogFileError(Exception):
    def __init__(self, field: str, message: str, anchor: str | None = None, index: int = 0) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.anchor = anchor
        self.index = index


@dataclass
class Catalog:
    services: dict[str, ServiceType]
    problems: list[CatalogProblem]

    def get(self, code: str) -> ServiceType:
        service = self.services.get(code.strip().upper())
        if service is None:
            raise UserFacingError("service.unknown", code=code)
        return service

    def __iter__(self) -> Iterator[ServiceType]:
        return iter(sorted(self.services.values(), key=lambda s: s.code))

    def offered_to(self, actor: _AtOffice, offices: OfficeDirectory) -> list[ServiceType]:
        """The services ``actor``'s office may register: its level's, except those another office owns."""
        office = offices.get(actor.office)
        if office is None:
            return []
        return [s for s in self if s.office_level is office.level
                and (not s.owner_office or s.owner_office == actor.office)]


class _AtOffice(Protocol):
    @property
    def office(self) -> str: ...


def _labels(raw: Any, where: str) -> dict[str, str]:
    if isinstance(raw, str) and raw.strip():
        return {"id": raw, "en": raw}
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"].strip():
        return {"id": raw["id"], "en": str(raw.get("en") or raw["id"])}
    raise CatalogFileError(where, "needs a name: a string or {id = …, en = …}")


def _req(data: dict[str, Any], key: str, kind: type, where: str = "") -> Any:
    name = f"{where}{key}"
    if key not in data:
        raise CatalogFileError(name, "is missing", anchor=key)
    value = data[key]
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise CatalogFileError(name, f"must be {kind.__name__}, not {type(value).__name__}", anchor=key)
    return value


def _field(raw: Any, i: int) -> FieldSpec:
    where = f"fields[{i}]."
    if not isinstance(raw, dict):
        raise CatalogFileError(f"fields[{i}]", "must be a table", anchor="[[fields]]", index=i)
    try:
        key = _req(raw, "key", str, where)
        if not _KEY.fullmatch(key) or key in RESERVED_KEYS:
            raise CatalogFileError(where + "key", f"'{key}' is not a valid field key", anchor="key")
        ftype = _req(raw, "type", str, where)
        if ftype not in FIELD_TYPES:
            raise CatalogFileError(where + "type", f"unknown type '{ftype}'", anchor="type")
        choices: tuple[Choice, ...] = ()
        if ftype == "choice":
            items = _req(raw, "choices", list, where)
            if not items:
                raise CatalogFileError(where + "choices", "a choice field needs choices", anchor="choices")
            parsed = []
            for c in items:
                if isinstance(c, str):
                    parsed.append(Choice(c, c, c))
                elif isinstance(c, dict) and isinstance(c.get("key"), str):
                    lab = _labels(c.get("label", c["key"]), where + "choices")
                    parsed.append(Choice(c["key"], lab["id"], lab["en"]))
                else:
                    raise CatalogFileError(where + "choices", "each choice needs a key", anchor="choices")
            choices = tuple(parsed)
        bounds = {}
        for b in ("min", "max"):
            if b in raw:
                if not isinstance(raw[b], int | float) or isinstance(raw[b], bool):
                    raise CatalogFileError(where + b, "must be a number", anchor=b)
                bounds[b] = Decimal(str(raw[b]))
        return FieldSpec(
            key=key,
            type=ftype,
            labels=_labels(raw.get("label"), where + "label"),
            required=bool(raw.get("required", False)),
            choices=choices,
            min=bounds.get("min"),
            max=bounds.get("max"),
            max_length=raw.get("max_length"),
            pattern=raw.get("pattern"),
            past_only=bool(raw.get("past_only", False)),
            future_only=bool(raw.get("future_only", False)),
            help=_labels(raw["help"], where + "help") if "help" in raw else {},
        )
    except CatalogFileError as err:
        err.index = i
        if err.anchor is None or err.anchor != "[[fields]]":
            err.anchor = f"[[fields]]>{err.anchor or ''}"
        raise


def _service(data: dict[str, Any], path: Path) -> ServiceType:
    code = _req(data, "code", str)
    if not _CODE.fullmatch(code):
        raise CatalogFileError("code", f"'{code}' must be 2–16 capital letters/digits", anchor="code")
    level_raw = _req(data, "office_level", str)
    try:
        level = OfficeLevel(level_raw)
    except ValueError:
        raise CatalogFileError("office_level", f"unknown level '{level_raw}'",
                               anchor="office_level") from None
    fields = tuple(_field(f, i) for i, f in enumerate(_req(data, "fields", list)))
    seen: set[str] = set()
    for i, f in enumerate(fields):
        if f.key in seen:
            raise CatalogFileError(f"fields[{i}].key", f"duplicate key '{f.key}'", "[[fields]]>key", i)
        seen.add(f.key)
    documents = []
    for i, d in enumerate(data.get("documents", [])):
        if not isinstance(d, dict):
            raise CatalogFileError(f"documents[{i}]", "must be a table", "[[documents]]", i)
        try:
            dcode = _req(d, "code", str, f"documents[{i}].")
            documents.append(DocumentSpec(dcode, _labels(d.get("name"), f"documents[{i}].name"),
                                          bool(d.get("required", True))))
        except CatalogFileError as err:
            err.anchor, err.index = f"[[documents]]>{err.anchor or ''}", i
            raise
    chain = []
    for i, step in enumerate(_req(data, "approval_chain", list)):
        if not isinstance(step, dict):
            raise CatalogFileError(f"approval_chain[{i}]", "must be {role = …, office = …}", "approval_chain")
        try:
            role = Role(step.get("role", ""))
        except ValueError:
            raise CatalogFileError(f"approval_chain[{i}].role", f"unknown role '{step.get('role')}'",
                                   "approval_chain") from None
        chain.append(ApprovalStep(role, str(step.get("office", "self"))))
    if not chain or chain[-1].role is not Role.PENANDATANGAN:
        raise CatalogFileError("approval_chain", "must end with a penandatangan", "approval_chain")
    _check_chain(chain)
    letter_raw = _req(data, "letter", dict)
    try:
        letter = LetterSpec(
            title=_req(letter_raw, "title", str, "letter."),
            paragraphs=tuple(str(p) for p in _req(letter_raw, "paragraphs", list, "letter.")),
            closing=str(letter_raw.get("closing", "")),
        )
    except CatalogFileError as err:
        err.anchor = f"[letter]>{err.anchor or ''}"
        raise
    sla = _req(data, "sla_days", int)
    if sla < 1:
        raise CatalogFileError("sla_days", "must be at least 1", anchor="sla_days")
    return ServiceType(
        code=code,
        version=int(data.get("version", 1)),
        names=_labels(data.get("name"), "name"),
        area=str(data.get("area", "administrasi")),
        office_level=level,
        owner_office=data.get("owner_office"),
        requires_nik=bool(data.get("requires_nik", True)),
        fields=fields,
        documents=tuple(documents),
        approval_chain=tuple(chain),
        template=_req(data, "template", str),
        template_version=_req(data, "template_version", int),
        classification=_req(data, "classification", str),
        sla_days=sla,
        letter=letter,
        source=path,
        separation_of_duties=_req(data, "separation_of_duties", bool) if "separation_of_duties" in data else True,
    )


def _check_chain(chain: list[ApprovalStep]) -> None:
    """Verification comes before signing; a step's office is ``self``, ``parent`` or an office code; a signing
    step before the last is taken at the case's own office or at the last step's (the offices that see the case)."""
    for i, step in enumerate(chain):
        if step.office not in ("self", "parent") and step.office not in directory():
            raise CatalogFileError(f"approval_chain[{i}].office", f"unknown office '{step.office}'",
                                   "approval_chain")
        if step.role is Role.VERIFIKATOR and any(s.role is Role.PENANDATANGAN for s in chain[:i]):
            raise CatalogFileError(f"approval_chain[{i}]", "a verifikator step cannot follow a penandatangan",
                                   "approval_chain")
        if step.role is Role.PENANDATANGAN and i < len(chain) - 1 and step.office not in ("self", chain[-1].office):
            raise CatalogFileError(f"approval_chain[{i}].office", "a signing step before the last is taken at "
                                   "the case's own office (self) or at the last step's office", "approval_chain")


_HEADER = re.compile(r"\s*(\[\[?)\s*([A-Za-z_][A-Za-z0-9_.\-]*)\s*(\]\]?)\s*(?:#.*)?")


def _header(line: str) -> str | None:
    """``[name]`` or ``[[name]]`` when ``line`` opens a TOML table, else None."""
    m = _HEADER.fullmatch(line)
    if m is None or len(m.group(1)) != len(m.group(3)):
        return None
    return f"{m.group(1)}{m.group(2)}{m.group(3)}"


def _line_of(text: str, anchor: str | None, index: int) -> int:
    """Best line for an error: the anchor key among the top-level keys (before the first table), or inside
    the index-th table when given as ``[[t]]>key`` / ``[t]>key``; the table's header when the key is absent,
    line 1 for an absent top-level key."""
    lines = text.splitlines()
    if not anchor:
        return 1
    headers = [(n, h) for n, line in enumerate(lines) if (h := _header(line)) is not None]
    start, key = -1, anchor
    if anchor.startswith("["):
        table, _, key = anchor.partition(">")
        hits = [n for n, h in headers if h == table]
        if index >= len(hits):
            return 1
        start = hits[index]
    end = next((n for n, _ in headers if n > start), len(lines))
    if key:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for n in range(start + 1, end):
            if pattern.match(lines[n]):
                return n + 1
    return start + 1 if start >= 0 else 1


def load_file(path: Path) -> ServiceType:
    """One service; raises :class:`CatalogProblem`-shaped errors via :func:`load_catalog`."""
    text = path.read_text(encoding="utf-8")
    return _service(tomllib.loads(text), path)


def load_catalog(folder: Path | None = None) -> Catalog:
    folder = folder or resources_dir() / "services"
    services: dict[str, ServiceType] = {}
    problems: list[CatalogProblem] = []
    for path in sorted(folder.glob("*.toml")):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            problems.append(CatalogProblem(path, 1, "-", f"unreadable: {err}"))
            continue
        try:
            service = _service(tomllib.loads(text), path)
        except tomllib.TOMLDecodeError as err:
            m = re.search(r"line (\d+)", str(err))
            problems.append(CatalogProblem(path, int(m.group(1)) if m else 1, "-", str(err)))
            continue
        except CatalogFileError as err:
            line = _line_of(text, err.anchor, err.index)
            problems.append(CatalogProblem(path, line, err.field, err.message))
            continue
        if service.code in services:
            problems.append(CatalogProblem(path, _line_of(text, "code", 0), "code",
                                           f"duplicate service code {service.code}"))
            continue
        services[service.code] = service
    return Catalog(services, problems)


_default: Catalog | None = None


def default_catalog() -> Catalog:
    global _default
    if _default is None:
        _default = load_catalog()
    return _default
