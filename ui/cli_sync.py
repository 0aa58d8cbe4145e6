"""``loket-cli`` commands that talk to the server: enroll, sync, conflicts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.i18n import language
from app.services import conflicts as conflict_service
from app.services.workspace import Workspace
from ui.cli import Output


def read_pin(args: argparse.Namespace) -> str | None:
    if not getattr(args, "pin_stdin", False):
        return None
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


def enroll(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from sync.enroll import enroll as do_enroll

    ws = Workspace(profile)
    result = do_enroll(ws, args.server, args.code, read_pin(args))
    text = (f"Perangkat terdaftar untuk {result['user']} ({', '.join(result['roles'])}, {result['office']})"
            if language() == "id" else
            f"Device enrolled for {result['user']} ({', '.join(result['roles'])}, {result['office']})")
    out.emit(result, text)
    return 0


def sync(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from sync.engine import SyncEngine

    ws = Workspace(profile)
    report = SyncEngine(ws).run()
    data = report.as_dict()
    text = (f"terkirim {report.pushed}, diterima {report.pulled}, konflik {report.conflicts}, "
            f"ditolak {report.rejected}, menunggu {report.pending}" if language() == "id" else
            f"pushed {report.pushed}, pulled {report.pulled}, conflicts {report.conflicts}, "
            f"rejected {report.rejected}, pending {report.pending}")
    text += "".join(f"\n  {r['case_id']}: {r['message']}" for r in report.refused)
    out.emit(data, text)
    return 0


def conflicts_list(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = Workspace(profile)
    items = [c.as_dict() for c in conflict_service.list_open(ws)]
    out.emit(items, lambda d: "\n".join(f"{c['id'][:8]} {c['case_id'][:8]} {c['field']}: "
                                        f"mine={c['mine']!r} theirs={c['theirs']!r}" for c in d) or "-")
    return 0


def conflicts_resolve(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = Workspace(profile)
    take = args.take
    if "=" in take and take not in ("mine", "theirs"):
        take = take.split("=", 1)[1]
    result = conflict_service.resolve(ws, ws.actor(getattr(args, "user", None)), args.id, take)
    out.emit(result, f"{result['field']} = {result['value']}")
    return 0


def register(sub: argparse._SubParsersAction, cmd) -> None:  # type: ignore[type-arg,no-untyped-def]
    en = cmd(sub, "enroll", enroll, "join this device to the server with a one-time code")
    en.add_argument("--server", required=True)
    en.add_argument("--code", required=True)
    en.add_argument("--pin-stdin", action="store_true")
    cmd(sub, "sync", sync, "one full sync run now")
    conf = sub.add_parser("conflicts", help="conflicts between devices")
    cs = conf.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(conf))
    cmd(cs, "list", conflicts_list, "show open conflicts")
    rs = cmd(cs, "resolve", conflicts_resolve, "settle a conflict")
    rs.add_argument("id")
    rs.add_argument("--take", required=True, help="mine | theirs | FIELD=VALUE")
