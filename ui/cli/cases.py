"""``loket-cli`` commands on cases: ``services list``, ``case new|list|show|edit|submit|verify|...``,
``import``. Parse → call the core → print; no logic of their own. The core is imported when a handler runs."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.domain.lifecycle import Action, CaseStatus
from app.i18n import language
from ui.cli.output import Context, acting, files, kv
from ui.cli.parsing import Parser, command, group


def services_list(args: argparse.Namespace, cx: Context) -> int:
    ws = cx.ws
    services = list(ws.catalog)
    try:
        actor = ws.actor(getattr(args, "user", None))
        office = ws.offices.get(actor.office)
        services = [s for s in services if office and s.office_level is office.level
                    and (not s.owner_office or s.owner_office == actor.office)]
    except Exception:  # no user yet: show the whole catalogue
        pass
    data = [s.as_dict() for s in services]
    cx.out.emit(data, lambda d: "\n".join(f"{s['code']:8} {s['name']}  ({s['office_level']}, "
                                          f"{len(s['fields'])} isian)" for s in d))
    return 0


def case_new(args: argparse.Namespace, cx: Context) -> int:
    from app.services import cases

    ws = cx.ws
    result = cases.create(ws, acting(ws, args), args.service, args.nik, args.name, kv(args.field),
                          files(args.attach))
    data = {"id": result.id, "status": result.status, "service": result.service, "warnings": result.warnings}
    text = f"{result.id} {CaseStatus(result.status).label}"
    if "duplicate" in result.warnings:
        text += ("\nPerhatian: NIK ini masih punya berkas terbuka untuk layanan yang sama."
                 if language() == "id" else "\nNote: this NIK already has an open case for the same service.")
    cx.out.emit(data, text)
    return 0


def case_list(args: argparse.Namespace, cx: Context) -> int:
    from app.services import cases
    from app.storage import repo

    ws = cx.ws
    q = repo.CaseQuery(status=args.status, service=args.service, search=args.search)
    if getattr(args, "queue", None) == "sign":  # cases whose next signing step is this person's
        from dataclasses import replace

        from app.services.approvals import signing_queue

        q = replace(signing_queue(ws, ws.actor(getattr(args, "user", None))), service=args.service,
                    search=args.search)
    with ws.db.read() as s:
        rows = repo.list_cases(s, q, args.offset, args.limit)
        data = [{"id": c.id, "status": c.status, "service": c.service, "nik": c.nik, "name": c.name,
                 "updated_at": c.updated_at, "due_date": c.due_date, "overdue": cases.is_overdue(c)} for c in rows]
    cx.out.emit(data, lambda d: "\n".join(
        f"{r['id'][:8]}  {CaseStatus(r['status']).label:14} {r['service']:8} {r['nik'] or '-':16} {r['name']}"
        + ("  !" if r["overdue"] else "") for r in d))
    return 0


def _show_text(d: dict[str, Any]) -> str:
    lines = [f"{d['id']}  {d['service']}  {CaseStatus(d['status']).label}", f"NIK: {d['nik'] or '-'}",
             f"Nama: {d['name']}"]
    lines += [f"  {k}: {v}" for k, v in d["fields"].items()]
    lines += [f"  [{doc['doc_code']}] {doc['filename']}" for doc in d["documents"]]
    lines += [f"{e['at'][:19]} {e['actor']:12} {e['action']:9} {e['to'] or ''} {e['reason'] or ''}".rstrip()
              for e in d["events"]]
    lines += [f"{(r['refused_at'] or r['made_at'])[:19]} DITOLAK SERVER: {r['what']} — {r['reason']} "
              + ("(sudah ditangani)" if r["handled"] else f"→ {r['todo_text']}") for r in d.get("refusals", ())]
    return "\n".join(lines)


def case_show(args: argparse.Namespace, cx: Context) -> int:
    from app.services import cases

    cx.out.emit(cases.show(cx.ws, args.id), _show_text)
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
    label = ("{n} berkas diimpor, {r} baris ditolak" if language() == "id" else "{n} cases imported, {r} rows refused")
    cx.out.emit(report.as_dict(), lambda d: "\n".join(
        [label.format(n=d["imported"], r=len({r["row"] for r in d["rejected"]}))]
        + [f"  baris {r['row']}: {r['field']}: {r['message']}" for r in d["rejected"]]))
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
    ls.add_argument("--queue", choices=["sign"], help="sign: the cases whose next signing step is yours")
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
