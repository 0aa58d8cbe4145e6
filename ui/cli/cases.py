"""``loket-cli`` commands on cases: ``services list``, ``case new|list|show|edit|submit|verify|...``,
``import``. Parse → call the core → print; no logic of their own. The core is imported when a handler runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app import timefmt
from app.domain.lifecycle import Action, CaseStatus
from ui.cli.output import Context, acting, files, kv
from ui.cli.parsing import Parser, command, group
from ui.cli.rekap import field_lines
from ui.cli_text import line


def services_list(args: argparse.Namespace, cx: Context) -> int:
    ws = cx.ws
    services = list(ws.catalog)
    try:
        actor = ws.actor(getattr(args, "user", None))
        services = ws.catalog.offered_to(actor, ws.offices)
    except Exception:  # no user yet: show the whole catalogue
        pass
    data = [s.as_dict() for s in services]
    cx.out.emit(data, lambda d: "\n".join(f"{s['code']:8} {s['name']}  ({s['office_level']}, "
                                          f"{line('cli.fields', n=len(s['fields']))})" for s in d))
    return 0


def case_new(args: argparse.Namespace, cx: Context) -> int:
    from app.services import cases

    ws = cx.ws
    result = cases.create(ws, acting(ws, args), args.service, args.nik, args.name, kv(args.field),
                          files(args.attach))
    data = {"id": result.id, "status": result.status, "service": result.service, "warnings": result.warnings}
    text = f"{result.id} {CaseStatus(result.status).label}"
    if "duplicate" in result.warnings:
        text += "\n" + line("cli.duplicate")
    cx.out.emit(data, text)
    return 0


def case_list(args: argparse.Namespace, cx: Context) -> int:
    from app.services import cases, queries

    ws = cx.ws
    q = queries.CaseQuery(status=args.status, service=args.service, search=args.search)
    if getattr(args, "queue", None) in ("verify", "sign"):  # this person's work, as the GUI's queues show it
        from dataclasses import replace

        from app.services.approvals import signing_queue, verification_queue

        queue = signing_queue if args.queue == "sign" else verification_queue
        q = replace(queue(ws, ws.actor(getattr(args, "user", None))), service=args.service, search=args.search)
    rows = queries.case_page(ws, q, args.offset, args.limit)
    data = [{"id": c.id, "reg_no": c.reg_no, "status": c.status, "service": c.service, "nik": c.nik,
             "name": c.name, "updated_at": c.updated_at, "due_date": c.due_date,
             "overdue": cases.is_overdue(c)} for c in rows]
    cx.out.emit(data, lambda d: "\n".join(
        f"{r['reg_no'] or r['id'][:8]:20}  {CaseStatus(r['status']).label:14} {r['service']:8} "
        f"{r['nik'] or '-':16} {r['name']}"
        + ("  !" if r["overdue"] else "") for r in d))
    return 0


def _show_text(d: dict[str, Any]) -> str:
    lines = [f"{d.get('reg_no') or d['id']}  {d['service']}  {CaseStatus(d['status']).label}", f"ID: {d['id']}",
             line("cli.show.nik", v=d["nik"] or "-"), line("cli.show.name", v=d["name"])]
    lines += [text for k, v in d["fields"].items() for text in field_lines(d["service"], k, v)]
    lines += [f"  [{doc['doc_code']}] {doc['filename']}" for doc in d["documents"]]
    lines += [f"{timefmt.moment_long(e['at'])}  {e['actor']:12} {_action(e['action']):12} {_status(e['to'])} "
              f"{e['reason'] or ''}".rstrip()
              + (f" → {e['handover']['name']} ({e['handover']['relation']}, {e['handover']['id_shown']})"
                 if e.get("handover") else "") for e in d["events"]]
    lines += [f"{timefmt.moment_long(r['refused_at'] or r['made_at'])}  "
              + line("cli.show.refused", what=r["what"], reason=r["reason"]) + " "
              + (line("cli.show.handled") if r["handled"] else f"→ {r['todo_text']}") for r in d.get("refusals", ())]
    if d.get("history_coming"):
        lines.append(line("cli.show.history_coming"))
    return "\n".join(lines)


def _action(value: str) -> str:
    return Action(value).label if value in Action._value2member_map_ else value


def _status(value: str | None) -> str:
    return CaseStatus(value).label if value and value in CaseStatus._value2member_map_ else (value or "")


def case_show(args: argparse.Namespace, cx: Context) -> int:
    """Read without SQLAlchemy when the profile allows it (most of the time: the start-up is the wait);
    else, or for a store that needs migrating, the ordinary path. Both print the same."""
    from app.services import caseview

    shown = caseview.show_light(cx.profile, args.id)
    if shown is None:
        from app.services import cases

        shown = cases.show(cx.ws, args.id)
    cx.out.emit(shown, _show_text)
    return 0


def case_edit(args: argparse.Namespace, cx: Context) -> int:
    from app.services import cases

    ws = cx.ws
    result = cases.edit(ws, acting(ws, args), args.id, kv(args.field), files(args.attach),
                        nik=args.nik, name=args.name)
    cx.out.emit({"id": result.id, "status": result.status, "version": result.version},
                f"{result.id} v{result.version}")
    return 0


def case_step(args: argparse.Namespace, cx: Context) -> int:
    from app.services import cases

    ws = cx.ws
    result = cases.transition(ws, acting(ws, args), args.id, Action(args.step), args.reason)
    cx.out.emit({"id": result.id, "status": result.status}, f"{result.id} {CaseStatus(result.status).label}")
    return 0


def import_csv(args: argparse.Namespace, cx: Context) -> int:
    from app.services import importer

    ws = cx.ws
    report = importer.import_file(ws, acting(ws, args), args.file, args.service)
    cx.out.emit(report.as_dict(), lambda d: "\n".join(
        [line("cli.import.summary", n=d["imported"], r=len({r["row"] for r in d["rejected"]}))]
        + [line("cli.import.row", row=r["row"], field=r["field"], message=r["message"]) for r in d["rejected"]]))
    return 0


def add_parser(sub: argparse._SubParsersAction[Parser]) -> None:
    ss = group(sub, "services", "service catalogue")
    command(ss, "list", services_list, "list the services available to this user")

    cs = group(sub, "case", "service cases")
    new = command(cs, "new", case_new, "register a draft case")
    new.add_argument("--service", required=True)
    new.add_argument("--nik", default=None)
    new.add_argument("--name", required=True)
    new.add_argument("--field", action="append", metavar="K=V")
    new.add_argument("--attach", action="append", metavar="DOC=FILE")
    ls = command(cs, "list", case_list, "list cases")
    ls.add_argument("--status")
    ls.add_argument("--service")
    ls.add_argument("--search")
    ls.add_argument("--queue", choices=["verify", "sign"],
                    help="verify/sign: the cases waiting for your verification or your signing step")
    ls.add_argument("--limit", type=int, default=200)
    ls.add_argument("--offset", type=int, default=0)
    show = command(cs, "show", case_show, "one case with its history")
    show.add_argument("id")
    ed = command(cs, "edit", case_edit, "change fields or documents")
    ed.add_argument("id")
    ed.add_argument("--field", action="append", metavar="K=V")
    ed.add_argument("--attach", action="append", metavar="DOC=FILE")
    ed.add_argument("--nik")
    ed.add_argument("--name")
    for name, helptext in (("submit", "submit for verification"), ("verify", "verify (paraf)"),
                           ("issue", "hand the signed letter over"), ("withdraw", "withdraw at the citizen's request")):
        sp = command(cs, name, case_step, helptext)
        sp.add_argument("id")
        sp.add_argument("--reason", default=None)
        sp.set_defaults(step=name)
    for name, helptext in (("return", "send back to the counter with a reason"), ("reject", "refuse with a reason")):
        sp = command(cs, name, case_step, helptext)
        sp.add_argument("id")
        sp.add_argument("--reason", required=True)
        sp.set_defaults(step=name)

    imp = command(sub, "import", import_csv, "bulk intake from a UTF-8 CSV file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--service", required=True)
