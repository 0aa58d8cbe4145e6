"""``loket-cli`` commands of the laptop's life with the server: ``enroll``, ``sync``, ``conflicts``,
``refusals``. The sync engine and services are imported when a handler runs."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ui.cli.output import Context, acting, stdin_secret
from ui.cli.parsing import Parser, command, group
from ui.cli_text import line

if TYPE_CHECKING:
    from app.services.workspace import Workspace


def enroll(args: argparse.Namespace, cx: Context) -> int:
    from sync.enroll import enroll as do_enroll

    ws = cx.ws
    if not (args.secret_stdin or args.pin_stdin):
        sys.stderr.write(line("cli.enroll.secret") + "\n")
        return 2
    secret = stdin_secret(args) or ""
    result = do_enroll(ws, args.server, args.code, secret, secret=secret)
    text = line("cli.enroll.done", user=result["user"], roles=", ".join(result["roles"]), office=result["office"])
    cx.out.emit(result, text)
    return 0


def sync(args: argparse.Namespace, cx: Context) -> int:
    from sync import idle

    # Nothing to do (the usual answer to a script that syncs every minute): said without the sync engine.
    data = idle.quiet_sync(cx.profile)
    if data is None:
        data = _full_sync(cx.ws)
    text = line("cli.sync.summary", pushed=data["pushed"], pulled=data["pulled"], conflicts=data["conflicts"],
                rejected=data["rejected"], pending=data["pending"])
    if data.get("history_pending"):
        text += "\n" + line("cli.sync.history_pending")
    waiting = data["refusals"]
    assert isinstance(waiting, list)
    if waiting:
        text += "\n" + line("cli.sync.refused")
        text += "\n" + _refusal_lines(waiting)
    cx.out.emit(data, text)
    return 0


def _full_sync(ws: Workspace) -> dict[str, object]:
    from app.services import refusals as refusal_service
    from sync.engine import SyncEngine

    data = SyncEngine(ws).run().as_dict()
    data["refusals"] = [r.as_dict() for r in refusal_service.waiting(ws)]  # this run's and older ones
    return data


def _refusal_lines(items: list[dict[str, object]]) -> str:
    todo = line("cli.refusal.todo")
    return "\n".join(f"  {str(r['op_id'])[:8]}  {r['case_label']}: {r['what']}\n"
                     f"            {r['reason']} ({r['detail'] or r['errno']})\n"
                     f"            {todo}: {r['todo_text']}" for r in items)


def refusals_list(args: argparse.Namespace, cx: Context) -> int:
    from app.services import refusals as refusal_service

    ws = cx.ws
    items = [r.as_dict() for r in refusal_service.waiting(ws)]
    cx.out.emit(items, lambda d: _refusal_lines(d) or "-")
    return 0


def _refusal_id(ws: Workspace, prefix: str) -> str:
    from app.services import refusals as refusal_service

    found = [r.op_id for r in refusal_service.waiting(ws) if r.op_id.startswith(prefix)]
    return found[0] if len(found) == 1 else prefix


def refusals_dismiss(args: argparse.Namespace, cx: Context) -> int:
    from app.services import refusals as refusal_service

    ws = cx.ws
    result = refusal_service.dismiss(ws, acting(ws, args), _refusal_id(ws, args.id))
    cx.out.emit(result.as_dict(), f"{result.op_id[:8]} {result.case_label}: "
             + line("cli.refusal.dismissed"))
    return 0


def refusals_resend(args: argparse.Namespace, cx: Context) -> int:
    from app.services import refusals as refusal_service

    ws = cx.ws
    result = refusal_service.resend(ws, acting(ws, args), _refusal_id(ws, args.id))
    cx.out.emit(result.as_dict(), f"{result.op_id[:8]} {result.case_label}: "
             + line("cli.refusal.resent"))
    return 0


def conflicts_list(args: argparse.Namespace, cx: Context) -> int:
    from app.services import conflicts as conflict_service

    ws = cx.ws
    items = [c.as_dict() for c in conflict_service.list_open(ws)]
    cx.out.emit(items, lambda d: "\n".join(line("cli.conflict.line", id=c["id"][:8], case=c["case_id"][:8],
                                                field=c["field"], mine=c["mine"], theirs=c["theirs"])
                                           for c in d) or "-")
    return 0


def conflicts_resolve(args: argparse.Namespace, cx: Context) -> int:
    from app.services import conflicts as conflict_service

    ws = cx.ws
    take = args.take
    if "=" in take and take not in ("mine", "theirs"):
        take = take.split("=", 1)[1]
    result = conflict_service.resolve(ws, acting(ws, args), args.id, take)
    cx.out.emit(result, f"{result['field']} = {result['value']}")
    return 0


def add_parser(sub: argparse._SubParsersAction[Parser]) -> None:
    en = command(sub, "enroll", enroll, "join this device to the server with a one-time code")
    en.add_argument("--server", default=None, help="server address (default: the one IT provisioned)")
    en.add_argument("--code", required=True)
    en.add_argument("--pin-stdin", action="store_true", help="a signer's PIN (also their password) on stdin")
    en.add_argument("--secret-stdin", action="store_true", help="the new person's password on stdin")
    command(sub, "sync", sync, "one full sync run now")
    cs = group(sub, "conflicts", "conflicts between devices")
    command(cs, "list", conflicts_list, "show open conflicts")
    rs = command(cs, "resolve", conflicts_resolve, "settle a conflict")
    rs.add_argument("id")
    rs.add_argument("--take", required=True, help="mine | theirs | FIELD=VALUE")
    rf = group(sub, "refusals", "work the server refused, and what to do about it")
    command(rf, "list", refusals_list, "show refusals no one has handled yet")
    rd = command(rf, "dismiss", refusals_dismiss, "mark a refusal as handled (kept in the history)")
    rd.add_argument("id")
    rr = command(rf, "resend", refusals_resend, "send again an op the server failed on")
    rr.add_argument("id")
