"""``loket-cli`` commands for IT: ``doctor`` (with the network checks), ``support-bundle``, ``config``.

Registered from ``ui.cli.build_parser`` through :func:`register`. Never imports Qt.
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app import config
from app.i18n import language
from app.services import doctor as doctor_service
from app.services.doctor import Check
from app.services.workspace import Workspace
from ui.cli import Output


def _t(id_text: str, en_text: str) -> str:
    return id_text if language() == "id" else en_text


def _checks(ws: Workspace, offline: bool) -> list[Check]:
    extra: list[Callable[[Workspace], Check]] = []
    if not offline:
        from sync.doctor_checks import network_checks

        extra = network_checks()
    return doctor_service.run(ws, extra=extra)


def _verdict(check: dict[str, Any]) -> str:
    if not check["ok"]:
        word = _t("GAGAL", "FAIL")
    elif check.get("warn"):
        word = _t("AWAS", "WARN")
    else:
        word = "OK"
    return f"{word:5} {check['name']:16} {check['detail']}"


def doctor(args: argparse.Namespace, profile: Path, out: Output) -> int:
    ws = Workspace(profile)
    try:
        checks = _checks(ws, getattr(args, "offline", False))
    finally:
        ws.close()
    out.emit({"checks": [c.as_dict() for c in checks]},
             lambda d: "\n".join(_verdict(c) for c in d["checks"]))
    return 0 if all(c.ok for c in checks) else 1


def support_bundle(args: argparse.Namespace, profile: Path, out: Output) -> int:
    from app.services import support

    target: Path = args.out or Path(f"loket-support-{dt.datetime.now():%Y%m%d-%H%M%S}.zip")
    ws = Workspace(profile)
    try:
        report = support.write_bundle(ws, target.expanduser().resolve(), _checks(ws, args.offline))
    finally:
        ws.close()
    out.emit(report.as_dict(), _t(f"Berkas dukungan ditulis ke {report.path} ({report.size // 1024} KB, "
                                  f"{report.redactions} bagian rahasia disensor). Kirimkan ke TI.",
                                  f"Support bundle written to {report.path} ({report.size // 1024} KB, "
                                  f"{report.redactions} secrets redacted). Send it to IT."))
    return 0


def _show_text(data: dict[str, Any]) -> str:
    lines = []
    for item in data["settings"]:
        lock = " [TI]" if item["pinned"] and item["source"] != config.DEFAULT_SOURCE else ""
        value = item["value"] if item["value"] != "" else "-"
        lines.append(f"{item['key']:24} {value!s:44} {item['source']}{lock}")
    lines += [f"! {p['message']}" for p in data["problems"]]
    return "\n".join(lines)


def config_show(args: argparse.Namespace, profile: Path, out: Output) -> int:
    cfg = config.load(profile)
    out.emit(cfg.as_dict(), _show_text)
    return 1 if cfg.problems else 0


def config_set(args: argparse.Namespace, profile: Path, out: Output) -> int:
    cfg = config.set_user_value(profile, args.key, args.value)
    resolved = cfg.values[args.key]
    out.emit(resolved.as_dict(), f"{resolved.key} = {resolved.value} ({resolved.source})")
    return 0


def config_unset(args: argparse.Namespace, profile: Path, out: Output) -> int:
    cfg = config.set_user_value(profile, args.key, None)
    resolved = cfg.values[args.key]
    out.emit(resolved.as_dict(), f"{resolved.key} = {resolved.value} ({resolved.source})")
    return 0


def config_paths(args: argparse.Namespace, profile: Path, out: Output) -> int:
    data = {"provisioning": [str(p) for p in config.provisioning_paths()],
            "user": str(config.user_settings_path(profile))}
    out.emit(data, "\n".join([*data["provisioning"], str(data["user"])]))
    return 0


def register(sub: argparse._SubParsersAction, cmd) -> None:  # type: ignore[type-arg,no-untyped-def]
    doc = cmd(sub, "doctor", doctor, "field-readiness and support checks (server, clock, keys, numbers, queue)")
    doc.add_argument("--offline", action="store_true", help="skip the server and clock checks")

    sb = cmd(sub, "support-bundle", support_bundle,
             "write a zip for IT support: redacted logs, versions, doctor output (no database, no keys)")
    sb.add_argument("--out", type=Path, default=None, metavar="FILE.zip")
    sb.add_argument("--offline", action="store_true", help="skip the server and clock checks")

    conf = sub.add_parser("config", help="settings and where each value comes from")
    cs = conf.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=type(conf))
    cmd(cs, "show", config_show, "effective settings, their source, and problems in settings files")
    st = cmd(cs, "set", config_set, "change one of this user's settings (not the values IT pins)")
    st.add_argument("key", choices=list(config.BY_KEY), metavar="KEY")
    st.add_argument("value")
    un = cmd(cs, "unset", config_unset, "remove one of this user's settings (back to IT's or the default)")
    un.add_argument("key", choices=list(config.BY_KEY), metavar="KEY")
    cmd(cs, "paths", config_paths, "where the provisioning and user settings files are looked for")
