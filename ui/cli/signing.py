"""``loket-cli`` commands of signing: ``case approve``, ``letter export``, ``verify``, ``keys``, ``delegation``.
The signing code (pyHanko, the keystore) is imported when a handler runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app import timefmt
from ui.cli.output import Context, acting, read_pin
from ui.cli.parsing import Parser, command, group
from ui.cli_text import keys_text, line


def case_approve(args: argparse.Namespace, cx: Context) -> int:
    from app.services.approvals import approve_batch, check_turn

    ws = cx.ws
    actor = acting(ws, args)  # the person is unlocked first (a signer's secret is the PIN itself)
    check_turn(ws, actor, args.ids)  # a case that is not this person's to sign is refused before the PIN
    pin = read_pin(args)
    if pin is None:
        sys.stderr.write(line("cli.pin.stdin") + "\n")
        return 2
    results = approve_batch(ws, actor, args.ids, pin)
    cx.out.emit([r.as_dict() for r in results], lambda d: "\n".join(
        f"{r['id'][:8]} {r['status']:9} {r['letter_number'] or _step_text(r)} {r.get('error') or ''}".rstrip()
        for r in d))
    return 0 if all(r.ok for r in results) else 1


def _step_text(result: dict[str, object]) -> str:
    """A recommendation's line: which step of the chain was signed (the letter comes at the last step)."""
    if result.get("step") is None or result.get("error"):
        return ""
    return line("cli.step.signed", step=result["step"], steps=result["steps"])


def letter_export(args: argparse.Namespace, cx: Context) -> int:
    from app.services.letters import export

    result = export(cx.ws, args.id, args.out)
    cx.out.emit(result, result["path"])
    return 0


def verify(args: argparse.Namespace, cx: Context) -> int:
    from sync.verify import verify_file

    result = verify_file(cx.ws, args.file)
    cx.out.emit(result, _verify_text)
    return 0 if result["valid"] else 1


def _verify_text(d: dict[str, object]) -> str:
    from app import i18n
    from app.signing.revocation import revocation_line

    lang = i18n.language()
    verdict = line("cli.verify.valid") if d["valid"] else line("cli.verify.invalid")
    tier = d.get("tier") if d.get("tier") not in (None, "none") else "-"
    text = f"{verdict} — {d.get('signer') or '-'} {d.get('letter_number') or ''} ({tier})"
    if d.get("signing_time"):
        text += "\n  " + line("cli.verify.signed_at", when=timefmt.moment_long(d["signing_time"]))
    standing = revocation_line(d.get("revoked_at"), d.get("revocation_reason"),  # type: ignore[arg-type]
                               bool(d.get("signed_before_revocation")), lang, d.get("invalid_since"))
    if standing:
        text += f"\n  {standing}"
    return text + "".join(f"\n  {p}" for p in d["problems"])  # type: ignore[attr-defined]


def keys_status(args: argparse.Namespace, cx: Context) -> int:
    from sync.signer import certificate_status

    ws = cx.ws
    status = certificate_status(ws, ws.actor(getattr(args, "user", None)))
    cx.out.emit(status, keys_text)
    return 0


def keys_create(args: argparse.Namespace, cx: Context) -> int:
    from app.services import unlock
    from sync.engine import client_for
    from sync.signer import create_signing_key, ensure_leases

    ws = cx.ws
    pin = read_pin(args)
    if pin is None:
        return 2
    actor = acting(ws, args)
    client = client_for(ws, actor.username)
    serial = create_signing_key(ws, actor, pin, client, replace=args.replace)
    unlock.set_secret(ws, actor.username, pin, actor.role)  # a signer's secret is the PIN
    ensure_leases(ws, actor, client)
    cx.out.emit({"certificate_serial": serial}, serial)
    return 0


def delegation_grant(args: argparse.Namespace, cx: Context) -> int:
    from sync.delegate import grant

    ws = cx.ws
    pin = read_pin(args)
    if pin is None:
        return 2
    result = grant(ws, acting(ws, args), args.to, args.kind, args.until, pin,
                   valid_from=args.start)
    cx.out.emit(result, result["id"])
    return 0


def delegation_revoke(args: argparse.Namespace, cx: Context) -> int:
    from sync.delegate import revoke

    ws = cx.ws
    cx.out.emit(revoke(ws, acting(ws, args), args.id), args.id)
    return 0


def delegation_list(args: argparse.Namespace, cx: Context) -> int:
    from app.services.delegations import list_all

    items = list_all(cx.ws)
    cx.out.emit(items, lambda d: "\n".join(f"{x['id'][:8]} {x['kind']:4} {x['grantor']} → {x['delegate']} "
                                           f"{x['office']} {timefmt.moment_long(x['valid_from'])} – "
                                           f"{timefmt.moment_long(x['valid_until'])}"
                                           + (" " + line("cli.delegation.revoked") if x["revoked"] else "")
                                           for x in d) or "-")
    return 0


def add_parser(sub: argparse._SubParsersAction[Parser]) -> None:
    cases = group(sub, "case", "service cases")
    ap = command(cases, "approve", case_approve, "approve and sign cases with one PIN entry")
    ap.add_argument("ids", nargs="+")
    ap.add_argument("--pin-stdin", action="store_true")
    ls = group(sub, "letter", "signed letters")
    ex = command(ls, "export", letter_export, "write the signed letter")
    ex.add_argument("id")
    ex.add_argument("--out", type=Path, required=True)
    vf = command(sub, "verify", verify, "check a letter's signatures against the city CA")
    vf.add_argument("file", type=Path)
    ks = group(sub, "keys", "the signing key and certificate")
    command(ks, "status", keys_status, "key and certificate state (never the key itself)")
    kc = command(ks, "create", keys_create, "create the signing key under a PIN and get its certificate")
    kc.add_argument("--pin-stdin", action="store_true")
    kc.add_argument("--replace", action="store_true")
    ds = group(sub, "delegation", "Plh./Plt./a.n.: let another signer sign for the office")
    gr = command(ds, "grant", delegation_grant, "grant a time-limited delegation (signed with your key)")
    gr.add_argument("--to", required=True, help="the delegate's username")
    gr.add_argument("--kind", choices=["plh", "plt", "an"], required=True)
    gr.add_argument("--until", required=True, help="last day (YYYY-MM-DD) or an ISO time")
    gr.add_argument("--from", dest="start", default=None)
    gr.add_argument("--pin-stdin", action="store_true")
    rv = command(ds, "revoke", delegation_revoke, "end a delegation now")
    rv.add_argument("id")
    command(ds, "list", delegation_list, "delegations known to this device")
