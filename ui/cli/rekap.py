"""``loket-cli rekap``: the kecamatan's musrenbang rekap and Dinas Pendidikan's school report rekap, from this
laptop's store (offline), written to XLSX or PDF; the kelurahan ceilings (pagu indikatif) they use; and the
berita acara of the kecamatan musrenbang, a case signed through the usual queue (``case approve``).
Heavy modules (SQLAlchemy, openpyxl, reportlab) load inside the handlers."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from app.i18n import language

if TYPE_CHECKING:
    from ui.cli.output import Output

SUFFIXES = (".xlsx", ".pdf")


def add_parser(subparsers: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    # the common options (--profile, --json, --user) come with every loket-cli parser
    rekap = subparsers.add_parser("rekap", help="rekaps of the receiving offices (musrenbang, school reports)")
    rs = rekap.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(rekap))
    mus = rs.add_parser("musrenbang", help="the year's kelurahan proposals, ranked, with totals and ceilings")
    mus.add_argument("--year", type=int, required=True)
    mus.add_argument("--kecamatan", default=None, metavar="CODE",
                     help="kecamatan code (35.73.02); default: your own kecamatan, or the whole city")
    mus.add_argument("--city", action="store_true", help="every kecamatan of the city")
    mus.add_argument("--out", type=Path, default=None, metavar="FILE", help="write the rekap to FILE.xlsx or FILE.pdf")
    mus.set_defaults(handler=musrenbang)
    sek = rs.add_parser("sekolah", help="the semester's school reports: totals, missing schools, change")
    sek.add_argument("--semester", required=True, metavar="YYYY-N", help="2026-1 (ganjil) or 2026-2 (genap)")
    sek.add_argument("--out", type=Path, default=None, metavar="FILE", help="write the rekap to FILE.xlsx or FILE.pdf")
    sek.set_defaults(handler=sekolah)
    pagu = rs.add_parser("pagu", help="set a kelurahan's indicative ceiling for a budget year (kecamatan staff)")
    pagu.add_argument("--year", type=int, required=True)
    pagu.add_argument("--kelurahan", required=True, metavar="CODE")
    pagu.add_argument("--amount", type=int, metavar="RUPIAH", help="the ceiling in rupiah")
    pagu.add_argument("--clear", action="store_true", help="remove the ceiling")
    pagu.set_defaults(handler=set_pagu)
    ba = rs.add_parser("berita-acara", help="make the berita acara of your kecamatan's musrenbang (the accepted "
                       "proposals of the year), registered and submitted for the Camat's signature")
    ba.add_argument("--year", type=int, required=True)
    ba.set_defaults(handler=make_berita_acara)


def _check_out(path: Path | None) -> None:
    from app.errors import UserFacingError

    if path is not None and path.suffix.lower() not in SUFFIXES:
        raise UserFacingError("rekap.out", name=path.name[:80])


def _ws(profile: Path):  # type: ignore[no-untyped-def]
    from app.services.workspace import Workspace

    return Workspace(profile)


def _who(ws, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    """The person the rekap starts from (their kecamatan), if the profile has one; reading needs no secret."""
    from app.errors import UserFacingError

    try:
        return ws.actor(getattr(args, "user", None))
    except UserFacingError:
        return None


def musrenbang(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.reports import export
    from app.services import rekaps

    _check_out(args.out)
    ws = _ws(profile)
    actor = _who(ws, args)
    kecamatan = None if args.city else (args.kecamatan or rekaps.home_kecamatan(ws, actor))
    rekap = rekaps.musrenbang_rekap(ws, args.year, kecamatan)
    title = f"Rekapitulasi Usulan Musrenbang Tahun Anggaran {rekap.year}"
    if args.out is not None:
        export.write(args.out, export.musrenbang_sheets(rekap), title, rekap.area_name)
    data = {"year": rekap.year, "area": rekap.area, "area_name": rekap.area_name, "count": rekap.total_count,
            "cost": rekap.total_cost, "over_ceiling": rekap.over_count,
            "per_kelurahan": [{"code": k.code, "name": k.name, "count": k.count, "cost": k.cost,
                               "ceiling": k.ceiling, "over_ceiling": k.over_count} for k in rekap.per_kelurahan],
            "per_bidang": [{"bidang": b.bidang, "count": b.count, "cost": b.cost} for b in rekap.per_bidang],
            "out": str(args.out) if args.out else None}
    id_ = language() == "id"
    lines = [f"{rekap.area_name} · {rekap.year}: {rekap.total_count} "
             + ("usulan, " if id_ else "proposals, ") + export.rupiah(rekap.total_cost)
             + (f", {rekap.over_count} " + ("melebihi pagu" if id_ else "over the ceiling"))]
    for k in rekap.per_kelurahan:
        pagu = export.rupiah(k.ceiling) if k.ceiling is not None else "-"
        lines.append(f"  {k.name:24} {k.count:4}  {export.rupiah(k.cost):>20}  pagu {pagu}"
                     + ("  !" if k.over_count else ""))
    if args.out is not None:
        lines.append(("Ditulis: " if id_ else "Written: ") + str(args.out))
    out.emit(data, "\n".join(lines))
    return 0


def sekolah(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.reports import export
    from app.services import rekaps

    _check_out(args.out)
    semester = rekaps.parse_semester(args.semester)
    ws = _ws(profile)
    rekap = rekaps.sekolah_rekap(ws, semester)
    title = f"Rekapitulasi Laporan Semester Satuan Pendidikan — {semester.label}"
    if args.out is not None:
        export.write(args.out, export.sekolah_sheets(rekap), title, "Dinas Pendidikan dan Kebudayaan Kota Malang")
    t = rekap.total
    data = {"semester": semester.code, "schools": len(rekap.reports), "missing": len(rekap.missing),
            "students": t.students, "groups": t.groups, "teachers": t.teachers, "dropouts": t.dropouts,
            "change": {"students": rekap.change.students, "teachers": rekap.change.teachers,
                       "dropouts": rekap.change.dropouts},
            "per_level": [{"level": x.key, "schools": x.schools, "students": x.figures.students}
                          for x in rekap.per_level],
            "out": str(args.out) if args.out else None}
    id_ = language() == "id"
    lines = [f"{semester.label}: {len(rekap.reports)} " + ("sekolah melapor, " if id_ else "schools reported, ")
             + f"{len(rekap.missing)} " + ("belum" if id_ else "not yet"),
             (f"  peserta didik {t.students} ({rekap.change.students:+d}), guru {t.teachers}, "
              f"putus sekolah {t.dropouts}" if id_ else
              f"  students {t.students} ({rekap.change.students:+d}), teachers {t.teachers}, dropouts {t.dropouts}")]
    if args.out is not None:
        lines.append(("Ditulis: " if id_ else "Written: ") + str(args.out))
    out.emit(data, "\n".join(lines))
    return 0


def set_pagu(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services import rekaps
    from ui.cli.output import acting

    if args.clear == (args.amount is not None):  # exactly one of the two
        import sys

        from ui.cli.parsing import USAGE_TEXT

        sys.stderr.write(USAGE_TEXT[language()].format(detail="--amount RUPIAH | --clear") + "\n")
        return 2
    ws = _ws(profile)
    actor = acting(ws, args)
    amount = None if args.clear else args.amount
    rekaps.set_ceiling(ws, actor, args.year, args.kelurahan, amount)
    out.emit({"year": args.year, "kelurahan": args.kelurahan, "amount": amount},
             f"{args.kelurahan} {args.year}: " + ("-" if amount is None else str(amount)))
    return 0


def make_berita_acara(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.reports import berita_acara, export
    from app.services import rekaps
    from ui.cli.output import acting

    ws = _ws(profile)
    made = rekaps.make_berita_acara(ws, acting(ws, args), args.year)
    id_ = language() == "id"
    reference = berita_acara.reference(str(made["reg_no"] or ""))
    text = (f"{reference} ({made['id']}): " + (f"{made['proposals']} usulan, " if id_ else
                                               f"{made['proposals']} proposals, ")
            + export.rupiah(int(str(made["total_cost"])))
            + ("; menunggu verifikasi dan tanda tangan Camat." if id_ else
               "; waiting for verification and the Camat's signature."))
    out.emit(made, text)
    return 0


def field_lines(service: str, key: str, value: object) -> list[str]:
    """How ``case show`` prints one field: ``key: value``, but a berita acara's frozen proposals (JSON) as a
    short table — kelurahan, usulan, bidang, biaya — with their total."""
    from app.reports import berita_acara

    if service != berita_acara.SERVICE or key != berita_acara.FIELD:
        return [f"  {key}: {value}"]
    rows = berita_acara.thaw(str(value))
    widths = (4, 16, 44, 20)
    id_ = language() == "id"
    head = ("No.", "Kelurahan", "Usulan" if id_ else "Proposal", "Bidang" if id_ else "Field")
    money = [_rupiah(r.cost) for r in rows]
    wide = max(map(len, money), default=5)
    out = [f"  {key}:", "    " + "  ".join(_cell(h, w) for h, w in zip(head, widths, strict=True))
           + "  " + ("Biaya" if id_ else "Cost").rjust(wide)]
    for r, amount in zip(rows, money, strict=True):
        cells = (str(r.number), r.kelurahan, f"{r.program}: {r.kegiatan}", r.bidang)
        out.append("    " + "  ".join(_cell(c, w) for c, w in zip(cells, widths, strict=True)) + "  "
                   + amount.rjust(wide))
    out.append(f"    {len(rows)} {'usulan' if id_ else 'proposals'}, " + _rupiah(sum(r.cost for r in rows)))
    return out


def _rupiah(amount: int) -> str:
    return "Rp " + f"{amount:,}".replace(",", ".")


def _cell(text: str, width: int) -> str:
    """``text`` in ``width`` columns, cut with an ellipsis; control characters (a terminal's escapes, from a
    field that came over the network) become spaces."""
    clean = "".join(ch if ch.isprintable() else " " for ch in text)
    return (clean if len(clean) <= width else clean[:width - 1] + "…").ljust(width)
