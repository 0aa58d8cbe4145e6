"""``loket-cli`` commands for IT: ``doctor`` (with the network checks), ``support-bundle``, ``config``, and
the people of this device (``user list|add-local|use``). Never imports Qt."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app import config
from app.i18n import either
from ui.cli.output import Context, stdin_secret
from ui.cli.parsing import Parser, command, group
from ui.cli_text import line

if TYPE_CHECKING:
    from app.services.doctor import Check
    from app.services.workspace import Workspace


def _checks(ws: Workspace, offline: bool) -> list[Check]:
    from app.services import doctor as doctor_service

    extra: list[Callable[[Workspace], Check]] = []
    if not offline:
        from sync.doctor_checks import network_checks

        extra = network_checks()
    return doctor_service.run(ws, extra=extra)


def _verdict(check: dict[str, Any]) -> str:
    if not check["ok"]:
        word = either("GAGAL", "FAIL")
    elif check.get("warn"):
        word = either("AWAS", "WARN")
    else:
        word = "OK"
    return f"{word:5} {check['name']:16} {check['detail']}"


def doctor(args: argparse.Namespace, cx: Context) -> int:
    checks = _checks(cx.ws, getattr(args, "offline", False))
    cx.out.emit({"checks": [c.as_dict() for c in checks]},
                lambda d: "\n".join(_verdict(c) for c in d["checks"]))
    return 0 if all(c.ok for c in checks) else 1


def support_bundle(args: argparse.Namespace, cx: Context) -> int:
    from app.services import support

    target: Path = args.out or Path(f"loket-support-{dt.datetime.now():%Y%m%d-%H%M%S}.zip")
    report = support.write_bundle(cx.ws, target.expanduser().resolve(), _checks(cx.ws, args.offline))
    cx.out.emit(report.as_dict(),
                line("cli.support.written", path=report.path, kb=report.size // 1024, n=report.redactions))
    return 0


def _show_text(data: dict[str, Any]) -> str:
    lines = []
    for item in data["settings"]:
        lock = " [TI]" if item["pinned"] and item["source"] != config.DEFAULT_SOURCE else ""
        value = item["value"] if item["value"] != "" else "-"
        lines.append(f"{item['key']:24} {value!s:44} {item['source']}{lock}")
    lines += [f"! {p['message']}" for p in data["problems"]]
    return "\n".join(lines)


def config_show(args: argparse.Namespace, cx: Context) -> int:
    cfg = config.load(cx.profile)
    cx.out.emit(cfg.as_dict(), _show_text)
    return 1 if cfg.problems else 0


def config_set(args: argparse.Namespace, cx: Context) -> int:
    cfg = config.set_user_value(cx.profile, args.key, args.value)
    resolved = cfg.values[args.key]
    cx.out.emit(resolved.as_dict(), f"{resolved.key} = {resolved.value} ({resolved.source})")
    return 0


def config_unset(args: argparse.Namespace, cx: Context) -> int:
    cfg = config.set_user_value(cx.profile, args.key, None)
    resolved = cfg.values[args.key]
    cx.out.emit(resolved.as_dict(), f"{resolved.key} = {resolved.value} ({resolved.source})")
    return 0


def config_paths(args: argparse.Namespace, cx: Context) -> int:
    data = {"provisioning": [str(p) for p in config.provisioning_paths()],
            "user": str(config.user_settings_path(cx.profile))}
    cx.out.emit(data, "\n".join([*data["provisioning"], str(data["user"])]))
    return 0


def user_list(args: argparse.Namespace, cx: Context) -> int:
    ws = cx.ws
    data = [{"username": u.username, "name": u.full_name, "role": u.role, "office": u.office,
             "enrolled": u.enrolled} for u in ws.users()]
    cx.out.emit(data, lambda d: "\n".join(f"{u['username']:16} {u['role']:14} {u['office']:20} {u['name']}"
                                          for u in d))
    return 0


def user_add_local(args: argparse.Namespace, cx: Context) -> int:
    from app.services import unlock

    ws = cx.ws
    secret = stdin_secret(args, args.username) if args.secret_stdin else None
    if secret is not None:
        unlock.check_new(secret, args.role)
    ws.add_local_user(args.username, args.name, args.role, args.office, args.nip, args.position)
    if secret is not None:
        unlock.set_secret(ws, args.username, secret, args.role)
    cx.out.emit({"username": args.username, "role": args.role, "office": args.office}, args.username)
    return 0


def user_use(args: argparse.Namespace, cx: Context) -> int:
    from app.services import unlock

    ws = cx.ws
    ws.actor(args.username)  # an unknown name is refused before anything is read
    if unlock.needs_secret(ws, args.username):
        unlock.check(ws, args.username, stdin_secret(args, args.username))
    ws.use(args.username)
    cx.out.emit({"username": args.username}, args.username)
    return 0


def add_parser(sub: argparse._SubParsersAction[Parser]) -> None:
    doc = command(sub, "doctor", doctor, "field-readiness and support checks (server, clock, keys, numbers, queue)")
    doc.add_argument("--offline", action="store_true", help="skip the server and clock checks")

    sb = command(sub, "support-bundle", support_bundle,
                 "write a zip for IT support: redacted logs, versions, doctor output (no database, no keys)")
    sb.add_argument("--out", type=Path, default=None, metavar="FILE.zip")
    sb.add_argument("--offline", action="store_true", help="skip the server and clock checks")

    cs = group(sub, "config", "settings and where each value comes from")
    command(cs, "show", config_show, "effective settings, their source, and problems in settings files")
    st = command(cs, "set", config_set, "change one of this user's settings (not the values IT pins)")
    st.add_argument("key", choices=list(config.BY_KEY), metavar="KEY")
    st.add_argument("value")
    un = command(cs, "unset", config_unset, "remove one of this user's settings (back to IT's or the default)")
    un.add_argument("key", choices=list(config.BY_KEY), metavar="KEY")
    command(cs, "paths", config_paths, "where the provisioning and user settings files are looked for")

    us = group(sub, "user", "people who work on this device")
    command(us, "list", user_list, "list users of this profile")
    add = command(us, "add-local", user_add_local, "add a local (not enrolled) user, for offline demos")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--office", required=True)
    add.add_argument("--nip")
    add.add_argument("--position")
    add.add_argument("--secret-stdin", action="store_true", help="read the new user's password from stdin")
    use = command(us, "use", user_use, "make this user the active one (their password or PIN on stdin)")
    use.add_argument("username")
