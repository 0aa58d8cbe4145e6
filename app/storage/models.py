"""The laptop's schema. Every change to it is an Alembic migration in ``migrations/versions``."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, MetaData, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Meta(Base):
    """Device-wide settings that live with the data (device id, active user, sync cursor…)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class User(Base):
    """A person who may log in on this device (enrolled from the server, or a local demo user)."""

    __tablename__ = "users"
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(20))
    office: Mapped[str] = mapped_column(String(40))
    nip: Mapped[str | None] = mapped_column(String(18))
    position: Mapped[str | None] = mapped_column(String(120))
    enrolled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[str] = mapped_column(String(32))


class Case(Base):
    __tablename__ = "cases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    service: Mapped[str] = mapped_column(String(16))
    office: Mapped[str] = mapped_column(String(40))
    nik: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(120))
    fields: Mapped[str] = mapped_column(Text)  # JSON object, keys from the catalogue
    status: Mapped[str] = mapped_column(String(16))
    version: Mapped[int] = mapped_column(Integer)
    server_version: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))
    updated_at: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(36))
    due_date: Mapped[str] = mapped_column(String(10))
    letter_number: Mapped[str | None] = mapped_column(String(80))
    letter_sha256: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str | None] = mapped_column(Text)
    # 0007: the signed steps of the approval chain (JSON list, app.domain.chain) and the office whose
    # penandatangan the case waits for (derived from them; NULL when it waits for no signature)
    steps: Mapped[str | None] = mapped_column(Text)
    next_office: Mapped[str | None] = mapped_column(String(40))
    # 0009: the readable registration number printed on the citizen's receipt (unique city-wide: it names the
    # office and the year) and the receipt's access code for the citizen's status page
    reg_no: Mapped[str | None] = mapped_column(String(40))
    access_code: Mapped[str | None] = mapped_column(String(16))

    __table_args__ = (
        Index("ix_cases_status_updated", "status", "updated_at"),
        Index("ix_cases_updated", "updated_at"),
        Index("ix_cases_nik", "nik"),
        Index("ix_cases_service", "service"),
        Index("ix_cases_name", "name"),
        # 0004: the desktop case list (counts per office; one index per sortable column)
        Index("ix_cases_office_status", "office", "status", "due_date"),
        Index("ix_cases_office_service", "office", "service", "status"),
        Index("ix_cases_status", "status"),
        Index("ix_cases_due", "due_date"),
        Index("ix_cases_created", "created_at"),
        Index("ix_cases_letter", "letter_number"),
        Index("ix_cases_next_office", "next_office", "status", "due_date"),
        Index("ix_cases_reg_no", "reg_no"),
    )


class CaseEvent(Base):
    """A step in a case's history after its registration (the registration is the case row itself)."""

    __tablename__ = "case_events"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(16))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(36))
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[str | None] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(32))  # the device's clock when the person acted
    received_at: Mapped[str | None] = mapped_column(String(32))  # the server's clock on receipt (None: not yet)


class Attachment(Base):
    __tablename__ = "attachments"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    doc_code: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    mime: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[str] = mapped_column(String(32))
    added_by: Mapped[str] = mapped_column(String(64))
    __table_args__ = (UniqueConstraint("case_id", "doc_code", "sha256", name="uq_attachment"),)


class OutboxOp(Base):
    """An operation waiting to be pushed to the server (or refused by it, kept until a person acts)."""

    __tablename__ = "outbox"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    op_id: Mapped[str] = mapped_column(String(36), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    case_id: Mapped[str | None] = mapped_column(String(36), index=True)
    base_version: Mapped[int | None] = mapped_column(Integer)
    payload: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(12), default="pending")
    priority: Mapped[int] = mapped_column(Integer, default=5)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    errno: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    refused_at: Mapped[str | None] = mapped_column(String(32))
    __table_args__ = (Index("ix_outbox_state", "state", "seq"),)


class Conflict(Base):
    """The same field changed on two devices: both values kept until a person picks one."""

    __tablename__ = "conflicts"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    field: Mapped[str] = mapped_column(String(40))
    server_value: Mapped[str | None] = mapped_column(Text)  # JSON
    client_value: Mapped[str | None] = mapped_column(Text)  # JSON
    client_device: Mapped[str | None] = mapped_column(String(36))
    created_at: Mapped[str] = mapped_column(String(32))
    state: Mapped[str] = mapped_column(String(12), default="open")


class AuditEntry(Base):
    """The device's tamper-evident log: each entry holds the hash of the one before it."""

    __tablename__ = "audit"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    device: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(32))
    entity: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class NumberLease(Base):
    """A block of letter numbers the server reserved for this device (per office, classification, year)."""

    __tablename__ = "number_leases"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64))
    office: Mapped[str] = mapped_column(String(40))
    classification: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    first: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer)
    next: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[str] = mapped_column(String(32))
    __table_args__ = (Index("ix_number_leases_key", "office", "classification", "year", "next"),)


class LetterGap(Base):
    """A number taken from a lease that no letter carries (an approval the server refused)."""

    __tablename__ = "letter_gaps"
    number: Mapped[str] = mapped_column(String(80), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(String(36))
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[str] = mapped_column(String(32))


class DeviceName(Base):
    """A device's name as the server knows it from enrolment (the history shows names, not ids)."""

    __tablename__ = "device_names"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))


class DelegationRecord(Base):
    """A delegation granted by or to a user of this device (Plh./Plt./a.n.), as the server last said."""

    __tablename__ = "delegations"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    grantor: Mapped[str] = mapped_column(String(64))
    grantor_name: Mapped[str] = mapped_column(String(120))
    grantor_position: Mapped[str | None] = mapped_column(String(120))
    delegate: Mapped[str] = mapped_column(String(64))
    office: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(8))
    valid_from: Mapped[str] = mapped_column(String(32))
    valid_until: Mapped[str] = mapped_column(String(32))
    revoked: Mapped[bool] = mapped_column(default=False)
    __table_args__ = (Index("ix_delegations_delegate", "delegate", "office"),)


class _RekapRow:
    """What both rekap tables keep of the case itself."""

    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    office: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    reg_no: Mapped[str | None] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(120))
    updated_at: Mapped[str | None] = mapped_column(String(32))
    plain: Mapped[int] = mapped_column(Integer)


class RekapUsulan(_RekapRow, Base):
    """What the musrenbang rekap reads of a USULMUS case, kept by triggers on ``cases`` (migration 0011);
    ``plain`` = 0 when the case's fields need the full decoding (see the migration)."""

    __tablename__ = "rekap_usulan"
    bidang: Mapped[str | None] = mapped_column(Text)
    program: Mapped[str | None] = mapped_column(Text)
    kegiatan: Mapped[str | None] = mapped_column(Text)
    lokasi: Mapped[str | None] = mapped_column(Text)
    tahun_anggaran: Mapped[int | None] = mapped_column(Integer)
    prioritas: Mapped[int | None] = mapped_column(Integer)
    estimasi_biaya: Mapped[int | None] = mapped_column(Integer)
    penerima_manfaat: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (Index("ix_rekap_usulan_year", "plain", "tahun_anggaran", "office"),)


class RekapSekolah(_RekapRow, Base):
    """What the school rekap reads of a LAPSEK case, kept like :class:`RekapUsulan`."""

    __tablename__ = "rekap_sekolah"
    npsn: Mapped[str | None] = mapped_column(Text)
    tahun_ajaran: Mapped[str | None] = mapped_column(Text)
    semester: Mapped[str | None] = mapped_column(Text)
    jenjang: Mapped[str | None] = mapped_column(Text)
    alamat_sekolah: Mapped[str | None] = mapped_column(Text)
    jumlah_siswa: Mapped[int | None] = mapped_column(Integer)
    jumlah_rombel: Mapped[int | None] = mapped_column(Integer)
    jumlah_guru: Mapped[int | None] = mapped_column(Integer)
    siswa_putus_sekolah: Mapped[int | None] = mapped_column(Integer)
