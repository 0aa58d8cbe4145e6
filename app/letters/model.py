"""What a letter shows: the signer, the issuing office, the case data, and how values are written.

Kept apart from the drawing code so the server, the CLI and the GUI can build :class:`LetterData` without
importing reportlab's layout machinery.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from app import timefmt  # Kota Malang's civil time (Asia/Jakarta), one clock for every reader
from app.domain.catalog import FieldSpec, ServiceType
from app.domain.offices import OfficeDirectory, OfficeLevel, directory


def today_wib(now: dt.datetime | None = None) -> dt.date:
    """The date in Malang: what a letter dated "today" should show, whatever the machine's time zone."""
    return timefmt.today(now)


class Delegation(StrEnum):
    """How a deputy signs for the head of office (Permendagri tata naskah dinas)."""

    AN = "a.n."  # atas nama: the head delegates; the signer's own position is printed below
    PLH = "Plh."  # pelaksana harian: the head is away for a while
    PLT = "Plt."  # pelaksana tugas: the post is vacant


@dataclass(frozen=True, slots=True)
class Signer:
    """The person who signs and the position they sign for.

    ``position`` is the head's position word as used in the body ("Lurah", "Camat", "Kepala");
    ``office_title`` is what follows it in the signature block ("Balearjosari", "Dinas Kesehatan Kota
    Malang"). ``own_position`` is the deputy's own post, printed under an a.n. line.
    """

    name: str
    nip: str
    position: str
    office_title: str
    delegation: Delegation | None = None
    own_position: str = ""
    rank: str = ""  # pangkat/golongan, printed between name and NIP when given

    @property
    def body_position(self) -> str:
        return f"{self.delegation.value} {self.position}" if self.delegation else self.position

    def block_lines(self) -> list[str]:
        head = f"{self.position} {self.office_title}".strip()
        if self.delegation is None:
            return [head]
        lines = [f"{self.delegation.value} {head}"]
        if self.delegation is Delegation.AN and self.own_position:
            lines.append(self.own_position)
        return lines


@dataclass(frozen=True, slots=True)
class Endorsement:
    """An earlier signed step of the approval chain the letter names (a Lurah's recommendation before the
    Camat signs): who, as what, on which date."""

    name: str
    position: str
    date: dt.date
    nip: str = ""


@dataclass(frozen=True, slots=True)
class LetterOffice:
    """The issuing office as the letterhead and the body name it."""

    code: str
    level: OfficeLevel
    name: str  # short name: "Balearjosari", "Dinas Kesehatan"
    display_name: str  # as in the body: "Kelurahan Balearjosari"
    kecamatan_name: str = ""  # for kelurahan and kecamatan offices
    address: str = ""  # one line under the letterhead: street, phone, e-mail, postcode

    @classmethod
    def from_directory(cls, code: str, address: str = "",
                       offices: OfficeDirectory | None = None) -> LetterOffice:
        offices = offices or directory()
        office = offices.get(code)
        if office is None:
            raise KeyError(code)
        kecamatan = ""
        if office.level is OfficeLevel.KECAMATAN:
            kecamatan = office.name
        elif office.level is OfficeLevel.KELURAHAN and office.parent:
            parent = offices.get(office.parent)
            kecamatan = parent.name if parent else ""
        return cls(code, office.level, office.name, office.display_name, kecamatan, address)

    def letterhead(self) -> list[str]:
        lines = ["PEMERINTAH KOTA MALANG"]
        if self.level is OfficeLevel.KELURAHAN:
            lines += [f"KECAMATAN {self.kecamatan_name}".upper(), self.display_name.upper()]
        elif self.level is not OfficeLevel.CITY:
            lines.append(self.display_name.upper())
        return lines


@dataclass(frozen=True)
class LetterData:
    """Everything a letter shows. ``fields`` are the case's raw field values (ISO dates, choice keys);
    ``letter_date`` is the date in Malang (:func:`today_wib`), not the UTC date."""

    service: ServiceType
    office: LetterOffice
    number: str
    case_name: str
    case_nik: str | None
    fields: Mapping[str, str]
    signer: Signer
    letter_date: dt.date
    verify_url: str
    place: str = "Malang"
    template_version: int | None = None  # defaults to the service's
    name_label: str = "Nama"
    earlier: tuple[Endorsement, ...] = ()  # the earlier signed steps of the chain, oldest first
    # the office the case was registered at, when another office issues the letter (a kelurahan's proposal
    # signed by the Camat): what {office_name} and {kecamatan_name} in the body name
    case_office: LetterOffice | None = None

    @property
    def template(self) -> str:
        return f"{self.service.template}/v{self.template_version or self.service.template_version}"


@dataclass(frozen=True, slots=True)
class Rect:
    """A rectangle on page ``page`` (0-based), PDF points from the lower-left corner."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    def box(self) -> tuple[int, int, int, int]:
        return round(self.x1), round(self.y1), round(self.x2), round(self.y2)


@dataclass(frozen=True, slots=True)
class RenderedLetter:
    pdf: bytes
    sha256: str
    signature_box: Rect
    pages: int = 1
    warnings: tuple[str, ...] = field(default=())


# -- formatting ---------------------------------------------------------------------------------------

def tanggal(value: dt.date) -> str:
    """``17 Agustus 2026`` (a letter is written in Bahasa Indonesia, whatever the reader's language)."""
    return timefmt.date_long(value, "id")


def _grouped(number: Decimal) -> str:
    sign = "-" if number < 0 else ""
    whole, _, frac = f"{abs(number):f}".partition(".")
    groups = f"{int(whole):,}".replace(",", ".")
    frac = frac.rstrip("0")
    return f"{sign}{groups},{frac}" if frac else f"{sign}{groups}"


def format_value(spec: FieldSpec | None, raw: str) -> str:
    """A field's value as the letter prints it (Indonesian conventions)."""
    raw = (raw or "").strip()
    if not raw or spec is None:
        return raw
    if spec.type == "date":
        try:
            return tanggal(dt.date.fromisoformat(raw))
        except ValueError:
            return raw
    if spec.type == "choice":
        choice = next((c for c in spec.choices if c.key == raw), None)
        return choice.label_id if choice else raw
    if spec.type in ("money", "number", "integer"):
        try:
            number = Decimal(raw.replace(",", "."))
        except InvalidOperation:
            return raw
        return f"Rp {_grouped(number)}" if spec.type == "money" else _grouped(number)
    return raw
