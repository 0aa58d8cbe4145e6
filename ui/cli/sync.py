"""``loket-cli`` commands that talk to the server: enroll, sync, conflicts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.i18n import language
from app.services import conflicts as conflict_service
from app.services import refusals as refusal_service
from app.services.workspace import Workspace
from ui.cli import Output, acting, stdin_secret


def read_pin(args: argparse.Namespace) -> str | None:
    """The PIN of ``--pin-stdin``: the first line of stdin, the same line that unlocks the signer."""
    if not getattr(args, "pin_stdin", False):
        return None
    return stdin_secret(args) or ""


def enroll(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from sync.enroll import enroll as do_enroll

    ws = Workspace(profile)
    if not (args.secret_stdin or args.pin_stdin):
        sys.stderr.write(("Kata sandi orang yang didaftarkan dibaca dari masukan standar: gunakan --secret-stdin "
                          "(penandatangan: --pin-stdin, PIN-nya sekaligus kata sandinya)." if language() == "id"
                          else "The new person's password is read from standard input: use --secret-stdin "
                          "(signers: --pin-stdin, their PIN is also their password).") + "\n")
        return 2
    secret = stdin_secret(args) or ""
    result = do_enroll(ws, args.server, args.code, secret, secret=secret)
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
    waiting = [r.as_dict() for r in refusal_service.waiting(ws)]
    data["refusals"] = waiting  # every refusal no one has handled yet, this run's and older ones
    text = (f"terkirim {report.pushed}, diterima {report.pulled}, konflik {report.conflicts}, "
            f"ditolak {report.rejected}, menunggu {report.pending}" if language() == "id" else
            f"pushed {report.pushed}, pulled {report.pulled}, conflicts {report.conflicts}, "
            f"rejected {report.rejected}, pending {report.pending}")
    if waiting:
        text += "\n" + ("Ditolak server (belum ditangani):" if language() == "id" else
                        "Refused by the server (not handled yet):")
        text += "\n" + _refusal_lines(waiting)
    out.emit(data, text)
    return 0


def _refusal_lines(items: list[dict[str, object]]) -> str:
    todo = "tindakan" if language() == "id" else "to do"
    return "\n".join(f"  {str(r['op_id'])[:8]}  {r['case_label']}: {r['what']}\n"
                     f"            {r['reason']} ({r['detail'] or r['errno']})\n"
                     f"            {todo}: {r['todo_text']}" for r in items)


def refusals_list(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = Workspace(profile)
    items = [r.as_dict() for r in refusal_service.waiting(ws)]
    out.emit(items, lambda d: _refusal_lines(d) or "-")
    return 0


def _refusal_id(ws: Workspace, prefix: str) -> str:
    found = [r.op_id for r in refusal_service.waiting(ws) if r.op_id.startswith(prefix)]
    return found[0] if len(found) == 1 else prefix


def refusals_dismiss(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = Workspace(profile)
    result = refusal_service.dismiss(ws, acting(ws, args), _refusal_id(ws, args.id))
    out.emit(result.as_dict(), f"{result.op_id[:8]} {result.case_label}: "
             + ("ditandai sudah ditangani" if language() == "id" else "marked as handled"))
    return 0


def refusals_resend(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = Workspace(profile)
    result = refusal_service.resend(ws, acting(ws, args), _refusal_id(ws, args.id))
    out.emit(result.as_dict(), f"{result.op_id[:8]} {result.case_label}: "
             + ("kembali ke antrean kirim" if language() == "id" else "back in the outbox"))
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
    result = conflict_service.resolve(ws, acting(ws, args), args.id, take)
    out.emit(result, f"{result['field']} = {result['value']}")
    return 0


def register(sub: argparse._SubParsersAction, cmd) -> None:  # type: ignore[type-arg,no-untyped-def]
    en = cmd(sub, "enroll", enroll, "join this device to the server with a one-time code")
    en.add_argument("--server", default=None, help="server address (default: the one IT provisioned)")
    en.add_argument("--code", required=True)
    en.add_argument("--pin-stdin", action="store_true", help="a signer's PIN (also their password) on stdin")
    en.add_argument("--secret-stdin", action="store_true", help="the new person's password on stdin")
    cmd(sub, "sync", sync, "one full sync run now")
    conf = sub.add_parser("conflicts", help="conflicts between devices")
    cs = conf.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(conf))
    cmd(cs, "list", conflicts_list, "show open conflicts")
    rs = cmd(cs, "resolve", conflicts_resolve, "settle a conflict")
    rs.add_argument("id")
    rs.add_argument("--take", required=True, help="mine | theirs | FIELD=VALUE")
    ref = sub.add_parser("refusals", help="work the server refused, and what to do about it")
    rf = ref.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(ref))
    cmd(rf, "list", refusals_list, "show refusals no one has handled yet")
    rd = cmd(rf, "dismiss", refusals_dismiss, "mark a refusal as handled (kept in the history)")
    rd.add_argument("id")
    rr = cmd(rf, "resend", refusals_resend, "send again an op the server failed on")
    rr.add_argument("id")


def case_approve(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services.approvals import approve_batch, check_turn

    ws = Workspace(profile)
    actor = acting(ws, args)  # the person is unlocked first (a signer's secret is the PIN itself)
    check_turn(ws, actor, args.ids)  # a case that is not this person's to sign is refused before the PIN
    pin = read_pin(args)
    if pin is None:
        sys.stderr.write(("PIN dibaca dari masukan standar: gunakan --pin-stdin." if language() == "id" else
                          "The PIN is read from standard input: use --pin-stdin.") + "\n")
        return 2
    results = approve_batch(ws, actor, args.ids, pin)
    out.emit([r.as_dict() for r in results], lambda d: "\n".join(
        f"{r['id'][:8]} {r['status']:9} {r['letter_number'] or _step_text(r)} {r.get('error') or ''}".rstrip()
        for r in d))
    return 0 if all(r.ok for r in results) else 1


def _step_text(result: dict[str, object]) -> str:
    """A recommendation's line: which step of the chain was signed (the letter comes at the last step)."""
    if result.get("step") is None or result.get("error"):
        return ""
    if language() == "id":
        return f"rekomendasi ditandatangani (langkah {result['step']} dari {result['steps']})"
    return f"recommendation signed (step {result['step']} of {result['steps']})"


def letter_export(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services.letters import export

    result = export(Workspace(profile), args.id, args.out)
    out.emit(result, result["path"])
    return 0


def verify(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from sync.verify import verify_file

    result = verify_file(Workspace(profile), args.file)
    out.emit(result, _verify_text)
    return 0 if result["valid"] else 1


def _verify_text(d: dict[str, object]) -> str:
    from app.signing.revocation import revocation_line

    lang = language()
    verdict = ("SAH" if d["valid"] else "TIDAK SAH") if lang == "id" else ("VALID" if d["valid"] else "NOT VALID")
    text = f"{verdict} — {d.get('signer') or '-'} {d.get('letter_number') or ''} ({d.get('tier') or '-'})"
    line = revocation_line(d.get("revoked_at"), d.get("revocation_reason"),  # type: ignore[arg-type]
                           bool(d.get("signed_before_revocation")), lang, d.get("invalid_since"))
    if line:
        text += f"\n  {line}"
    return text + "".join(f"\n  {p}" for p in d["problems"])  # type: ignore[attr-defined]


def keys_status(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from sync.signer import certificate_status

    ws = Workspace(profile)
    status = certificate_status(ws, ws.actor(getattr(args, "user", None)))
    out.emit(status, lambda d: "\n".join(f"{k}: {v}" for k, v in d.items()))
    return 0


def keys_create(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services import unlock
    from sync.engine import client_for
    from sync.signer import create_signing_key, ensure_leases

    ws = Workspace(profile)
    pin = read_pin(args)
    if pin is None:
        return 2
    actor = acting(ws, args)
    client = client_for(ws, actor.username)
    serial = create_signing_key(ws, actor, pin, client, replace=args.replace)
    unlock.set_secret(ws, actor.username, pin, actor.role)  # a signer's secret is the PIN
    ensure_leases(ws, actor, client)
    out.emit({"certificate_serial": serial}, serial)
    return 0


def register_signing(sub: argparse._SubParsersAction, case_sub: argparse._SubParsersAction,  # type: ignore[type-arg]
                     cmd) -> None:  # type: ignore[no-untyped-def]
    ap = cmd(case_sub, "approve", case_approve, "approve and sign cases with one PIN entry")
    ap.add_argument("ids", nargs="+")
    ap.add_argument("--pin-stdin", action="store_true")
    letter = sub.add_parser("letter", help="signed letters")
    ls = letter.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(letter))
    ex = cmd(ls, "export", letter_export, "write the signed letter")
    ex.add_argument("id")
    ex.add_argument("--out", type=Path, required=True)
    vf = cmd(sub, "verify", verify, "check a letter's signatures against the city CA")
    vf.add_argument("file", type=Path)
    keys = sub.add_parser("keys", help="the signing key and certificate")
    ks = keys.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(keys))
    cmd(ks, "status", keys_status, "key and certificate state (never the key itself)")
    kc = cmd(ks, "create", keys_create, "create the signing key under a PIN and get its certificate")
    kc.add_argument("--pin-stdin", action="store_true")
    kc.add_argument("--replace", action="store_true")


def delegation_grant(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from sync.delegate import grant

    ws = Workspace(profile)
    pin = read_pin(args)
    if pin is None:
        return 2
    result = grant(ws, acting(ws, args), args.to, args.kind, args.until, pin,
                   valid_from=args.start)
    out.emit(result, result["id"])
    return 0


def delegation_revoke(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from sync.delegate import revoke

    ws = Workspace(profile)
    out.emit(revoke(ws, acting(ws, args), args.id), args.id)
    return 0


def delegation_list(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services.delegations import list_all

    items = list_all(Workspace(profile))
    out.emit(items, lambda d: "\n".join(f"{x['id'][:8]} {x['kind']:4} {x['grantor']} → {x['delegate']} "
                                        f"{x['office']} {x['valid_from'][:10]}..{x['valid_until'][:10]}"
                                        + (" (dicabut)" if x["revoked"] else "") for x in d) or "-")
    return 0


def register_delegation(sub: argparse._SubParsersAction, cmd) -> None:  # type: ignore[type-arg,no-untyped-def]
    dl = sub.add_parser("delegation", help="Plh./Plt./a.n.: let another signer sign for the office")
    ds = dl.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(dl))
    gr = cmd(ds, "grant", delegation_grant, "grant a time-limited delegation (signed with your key)")
    gr.add_argument("--to", required=True, help="the delegate's username")
    gr.add_argument("--kind", choices=["plh", "plt", "an"], required=True)
    gr.add_argument("--until", required=True, help="last day (YYYY-MM-DD) or an ISO time")
    gr.add_argument("--from", dest="start", default=None)
    gr.add_argument("--pin-stdin", action="store_true")
    rv = cmd(ds, "revoke", delegation_revoke, "end a delegation now")
    rv.add_argument("id")
    cmd(ds, "list", delegation_list, "delegations known to this device")
