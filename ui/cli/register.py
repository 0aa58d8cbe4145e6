"""``loket-cli`` commands for the counter's paperwork: ``case receipt``, the hand-over options of ``case issue``
(who collected the letter) and ``register show|export`` (outgoing letters, incoming requests).

Registered from ``ui.cli.build_parser`` through :func:`add_parser`. Never imports Qt; reportlab, openpyxl and
SQLAlchemy load inside the handlers.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.i18n import either
from ui.cli.output import Output, acting
from ui.cli_text import line


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(line("cli.not_a_date", text=repr(text))) from None


def add_parser(sub: Any) -> None:
    from ui.cli.parsing import command, group

    cmd: Callable[..., Any] = command
    cs = group(sub, "case", "service cases")
    rc = cmd(cs, "receipt", case_receipt, "the citizen's receipt as an A5 PDF")
    rc.add_argument("id", help="registration number or case id")
    rc.add_argument("--out", type=Path, required=True, metavar="FILE.pdf")
    issue = cs.choices.get("issue")
    if issue is not None:  # hand-over: who collected the letter, recorded with the issue step
        issue.add_argument("--collector", metavar="NAME", help="who collected the letter")
        issue.add_argument("--relation", choices=("sendiri", "keluarga", "kuasa"), help="to the applicant")
        issue.add_argument("--id-shown", metavar="ID", help="the identity document shown (e.g. KTP-el 3573…)")
        issue.set_defaults(handler=case_issue)
    rs = group(sub, "register", "registers: outgoing letters, incoming requests")
    sub.choices["register"].set_defaults(handler=_choose)
    for name, handler, helptext in (("show", register_show, "print a register"),
                                    ("export", register_export, "export a register to .xlsx or .pdf")):
        sp = cmd(rs, name, handler, helptext)
        sp.add_argument("--kind", choices=("keluar", "masuk"), required=True,
                        help="which register: outgoing letters or incoming requests")
        sp.add_argument("--from", dest="start", type=_date, required=True, metavar="YYYY-MM-DD")
        sp.add_argument("--to", dest="end", type=_date, required=True, metavar="YYYY-MM-DD")
        sp.add_argument("--office", default=None, help="office code (default: every office on this laptop)")
        sp.add_argument("--service", default=None)
        if name == "export":
            sp.add_argument("--out", type=Path, required=True, metavar="FILE.xlsx|FILE.pdf")


def _choose(args: argparse.Namespace, profile: Path, out: Output) -> int:
    import sys

    sys.stderr.write(line("cli.register.choose") + "\n")
    return 2


def _ws(profile: Path) -> Any:
    from app.services.workspace import Workspace

    return Workspace(profile)


def case_receipt(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services import receipts

    ws = _ws(profile)
    data = receipts.receipt_data(ws, args.id)
    receipts.save_receipt(ws, args.id, args.out)
    out.emit({"reg_no": data.reg_no, "file": str(args.out)},
             line("cli.receipt.saved", reg_no=data.reg_no, path=args.out))
    return 0


def case_issue(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.domain.lifecycle import Action, CaseStatus
    from app.services import cases, handover

    ws = _ws(profile)
    given = [args.collector, args.relation, args.id_shown]
    if any(given):
        result = handover.hand_over(ws, acting(ws, args), args.id, args.collector or "", args.relation or "",
                                    args.id_shown or "")
    else:
        result = cases.transition(ws, acting(ws, args), args.id, Action.ISSUE, args.reason)
    out.emit({"id": result.id, "status": result.status}, f"{result.id} {CaseStatus(result.status).label}")
    return 0


def _build(args: argparse.Namespace, profile: Path) -> Any:
    from app.services import registers

    return registers.build(_ws(profile), args.kind, args.start, args.end, office=args.office,
                           service=args.service)


def register_show(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services.registers import COLUMNS, shown

    reg = _build(args, profile)
    keys = COLUMNS[reg.kind]
    data = [{k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in zip(keys, row, strict=True)}
            for row in reg.rows]

    def text(_d: Any) -> str:
        lines = [f"{reg.title} — {reg.period}", "  ".join(reg.headers)]
        lines += ["  ".join(shown(v) for v in row) for row in reg.rows]
        return "\n".join(lines + ([] if reg.rows else [either("(kosong)", "(empty)")]))

    out.emit(data, text)
    return 0


def register_export(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services import registers

    reg = _build(args, profile)
    registers.export(reg, args.out)
    out.emit({"file": str(args.out), "rows": len(reg.rows)},
             line("cli.register.saved", title=reg.title, n=len(reg.rows), path=args.out))
    return 0
