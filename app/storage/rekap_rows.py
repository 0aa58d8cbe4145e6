"""What the rekaps read of the store: the narrow tables ``rekap_usulan`` and ``rekap_sekolah`` that triggers on
``cases`` keep (migration 0011). Each row is the kept columns, with the reports' own limits and defaults applied
in SQL, then ``fields`` — the case's JSON text when the kept columns do not say it all (``plain`` = 0: damaged
or unusual values, decoded by the caller), else None. Cases still in draft are left out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from app.domain.lifecycle import CaseStatus

if TYPE_CHECKING:  # SQLAlchemy loads with the store: the berita acara's reading (CLI) does without it
    from sqlalchemy.orm import Session

# How many characters of each text field a rekap keeps; the reports cut decoded fields to the same lengths.
USULAN_TEXT = {"bidang": 40, "program": 150, "kegiatan": 1000, "lokasi": 200}
SEKOLAH_TEXT = {"npsn": 8, "tahun_ajaran": 9, "semester": 10, "jenjang": 5, "alamat_sekolah": 300}


def _texts(limits: dict[str, int]) -> str:
    return ", ".join(f"coalesce(substr(r.{name}, 1, {n}), '')" for name, n in limits.items())


# (case id, reg_no, kelurahan, proposer, status, year, priority, cost, beneficiaries, bidang, program,
# kegiatan, lokasi)
_USULAN = ("r.case_id, r.reg_no, r.office, r.name, r.status, coalesce(r.tahun_anggaran, 0), "
           "coalesce(nullif(r.prioritas, 0), ?), coalesce(r.estimasi_biaya, 0), coalesce(r.penerima_manfaat, 0), "
           + _texts(USULAN_TEXT))
# (case id, reg_no, school, status, updated_at, npsn, school year, semester, level, address, students,
# study groups, teachers, drop-outs)
_SEKOLAH = ("r.case_id, r.reg_no, r.name, r.status, coalesce(r.updated_at, ''), " + _texts(SEKOLAH_TEXT)
            + ", coalesce(r.jumlah_siswa, 0), coalesce(r.jumlah_rombel, 0), coalesce(r.jumlah_guru, 0), "
              "coalesce(r.siswa_putus_sekolah, 0)")


def usulan_rows(session: Session, offices: Iterable[str], year: int, no_priority: int) -> list[tuple[Any, ...]]:
    """The proposals of ``offices``: plain rows of budget ``year`` only, the others whole (the caller reads
    their year from the decoded fields); a missing priority reads as ``no_priority``."""
    return _kept(session, "rekap_usulan", _USULAN, [no_priority], offices, "r.tahun_anggaran = ?", (year,))


def sekolah_rows(session: Session) -> list[tuple[Any, ...]]:
    """Every school report."""
    return _kept(session, "rekap_sekolah", _SEKOLAH, [], None)


def _kept(session: Session, table: str, columns: str, column_args: list[object], offices: Iterable[str] | None,
          where: str = "", params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
    sql = (f"SELECT {columns}, CASE WHEN r.plain = 1 THEN NULL ELSE (SELECT c.fields FROM cases c "
           f"WHERE c.id = r.case_id) END FROM {table} r WHERE r.status != ?")
    args: list[object] = [*column_args, CaseStatus.DRAFT.value]
    if offices is not None:
        codes = sorted(set(offices))
        sql += f" AND r.office IN ({', '.join('?' * len(codes))})"
        args += codes
    if where:
        sql += f" AND (r.plain = 0 OR (r.plain = 1 AND {where}))"
        args += params
    return session.connection().exec_driver_sql(sql, tuple(args)).fetchall()  # type: ignore[return-value]
