"""Handlers of ``loket-cli`` commands: parse → call the core → print. No logic of their own."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from app.domain.lifecycle import Action, CaseStatus
from app.i18n import language
from app.services import cases, importer, queries
from app.services.workspace import Workspace
from ui.cli import Output, _kv, acting, stdin_secret


def _ws(profile: Path) -> Workspace:
    return Workspace(profile)


def _actor(ws: Workspace, args: argparse.Namespace):  # type: ignore[no-untyped-def]
    return acting(ws, args)


def _files(values: list[str] | None) -> dict[str, Path]:
    return {k: Path(v) for k, v in _kv(values).items()}


def services_list(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    services = list(ws.catalog)
    try:
        actor = ws.actor(getattr(args, "user", None))
        services = ws.catalog.offered_to(actor, ws.offices)
    except Exception:  # no user yet: show the whole catalogue
        pass
    data = [s.as_dict() for s in services]
    out.emit(data, lambda d: "\n".join(f"{s['code']:8} {s['name']}  ({s['office_level']}, "
                                       f"{len(s['fields'])} isian)" for s in d))
    return 0


def case_new(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    result = cases.create(ws, _actor(ws, args), args.service, args.nik, args.name, _kv(args.field),
                          _files(args.attach))
    data = {"id": result.id, "status": result.status, "service": result.service, "warnings": result.warnings}
    text = f"{result.id} {CaseStatus(result.status).label}"
    if "duplicate" in result.warnings:
        text += ("\nPerhatian: NIK ini masih punya berkas terbuka untuk layanan yang sama."
                 if language() == "id" else "\nNote: this NIK already has an open case for the same service.")
    out.emit(data, text)
    return 0


def case_list(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    q = queries.CaseQuery(status=args.status, service=args.service, search=args.search)
    if getattr(args, "queue", None) == "sign":  # cases whose next signing step is this person's
        from dataclasses import replace

        from app.services.approvals import signing_queue

        q = replace(signing_queue(ws, ws.actor(getattr(args, "user", None))), service=args.service,
                    search=args.search)
    rows = queries.case_page(ws, q, args.offset, args.limit)
    data = [{"id": c.id, "status": c.status, "service": c.service, "nik": c.nik, "name": c.name,
             "updated_at": c.updated_at, "due_date": c.due_date, "overdue": cases.is_overdue(c)} for c in rows]
    out.emit(data, lambda d: "\n".join(
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


def case_show(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    out.emit(cases.show(ws, args.id), _show_text)
    return 0


def case_edit(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    result = cases.edit(ws, _actor(ws, args), args.id, _kv(args.field), _files(args.attach),
                        nik=args.nik, name=args.name)
    out.emit({"id": result.id, "status": result.status, "version": result.version},
             f"{result.id} v{result.version}")
    return 0


def case_step(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    result = cases.transition(ws, _actor(ws, args), args.id, Action(args.step), args.reason)
    out.emit({"id": result.id, "status": result.status}, f"{result.id} {CaseStatus(result.status).label}")
    return 0


def import_csv(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    report = importer.import_file(ws, _actor(ws, args), args.file, args.service)
    label = ("{n} berkas diimpor, {r} baris ditolak" if language() == "id" else "{n} cases imported, {r} rows refused")
    out.emit(report.as_dict(), lambda d: "\n".join(
        [label.format(n=d["imported"], r=len({r["row"] for r in d["rejected"]}))]
        + [f"  baris {r['row']}: {r['field']}: {r['message']}" for r in d["rejected"]]))
    return 0


def user_list(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = _ws(profile)
    data = [{"username": u.username, "name": u.full_name, "role": u.role, "office": u.office,
             "enrolled": u.enrolled} for u in ws.users()]
    out.emit(data, lambda d: "\n".join(f"{u['username']:16} {u['role']:14} {u['office']:20} {u['name']}"
                                       for u in d))
    return 0


def user_add_local(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services import unlock

    ws = _ws(profile)
    secret = stdin_secret(args, args.username) if args.secret_stdin else None
    if secret is not None:
        unlock.check_new(secret, args.role)
    ws.add_local_user(args.username, args.name, args.role, args.office, args.nip, args.position)
    if secret is not None:
        unlock.set_secret(ws, args.username, secret, args.role)
    out.emit({"username": args.username, "role": args.role, "office": args.office}, args.username)
    return 0


def user_use(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services import unlock

    ws = _ws(profile)
    ws.actor(args.username)  # an unknown name is refused before anything is read
    if unlock.needs_secret(ws, args.username):
        unlock.check(ws, args.username, stdin_secret(args, args.username))
    ws.use(args.username)
    out.emit({"username": args.username}, args.username)
    return 0
