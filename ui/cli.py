"""``loket-cli``: everything the GUI can do to a case, for IT staff, scripts and tests. Never imports Qt.

Exit codes: 0 success; 1 understood but refused or invalid; 2 usage error; 3 unexpected failure (the
traceback is in the log file, the person reads one sentence).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from app import __version__
from app.errors import LoketError, ValidationError
from app.i18n import language, tr

log = logging.getLogger("loket.cli")

USAGE_TEXT = {
    "id": "Cara pakai salah: {detail}. Lihat 'loket-cli --help'.",
    "en": "Usage error: {detail}. See 'loket-cli --help'.",
}


class Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        sys.stderr.write(USAGE_TEXT[language()].format(detail=message) + "\n")
        raise SystemExit(2)


class Output:
    """Prints results as JSON (``--json``) or as readable text."""

    def __init__(self, as_json: bool) -> None:
        self.as_json = as_json

    def emit(self, data: Any, text: str | Callable[[Any], str] | None = None) -> None:
        if self.as_json:
            json.dump(data, sys.stdout, ensure_ascii=False, indent=1, default=str)
            sys.stdout.write("\n")
        else:
            rendered = text(data) if callable(text) else text
            if rendered is None:
                rendered = json.dumps(data, ensure_ascii=False, indent=1, default=str)
            sys.stdout.write(rendered.rstrip("\n") + "\n")
        sys.stdout.flush()


def stdin_secret(args: argparse.Namespace, name: str = "") -> str | None:
    """The first line of standard input, read once per command.

    It is the acting person's secret (password, or a signer's PIN) and, for commands with ``--pin-stdin``,
    also the PIN: a penandatangan's secret is the PIN, so one line serves both. At a terminal it is asked
    without echo instead.
    """
    if not hasattr(args, "_stdin_first"):
        if sys.stdin is None:
            line = ""
        elif sys.stdin.isatty():
            import getpass

            label = "Kata sandi / PIN" if language() == "id" else "Password / PIN"
            line = getpass.getpass(f"{label}{' ' + name if name else ''}: ", stream=sys.stderr)
        else:
            line = sys.stdin.readline()
        args._stdin_first = line.rstrip("\r\n") or None
    value: str | None = args._stdin_first
    return value


def acting(ws: Any, args: argparse.Namespace) -> Any:
    """The person this command acts as (``--user NAME`` or the profile's active user), after their secret
    unlocked them. Every command that changes something in a person's name goes through here."""
    from app.services import unlock

    actor = ws.actor(getattr(args, "user", None))
    if unlock.needs_secret(ws, actor.username):
        unlock.check(ws, actor.username, stdin_secret(args, actor.username))
    return actor


def _kv(values: Sequence[str] | None) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(item)
        out[key.strip()] = value
    return out


def build_parser() -> Parser:
    from ui import cli_commands as c

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--profile", type=Path, default=argparse.SUPPRESS, help="profile (data) folder")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
    common.add_argument("--user", default=argparse.SUPPRESS,
                        help="act as this person on a shared laptop; their password or PIN is read from the "
                        "first line of standard input")

    p = Parser(prog="loket-cli", description="Loket — layanan publik Kota Malang (baris perintah)",
               parents=[common])
    p.add_argument("--version", action="version", version=f"loket-cli {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    def cmd(parent: Any, name: str, handler: Callable[..., int], help_text: str) -> Parser:
        sp: Parser = parent.add_parser(name, help=help_text, parents=[common])
        sp.set_defaults(handler=handler)
        return sp

    services = sub.add_parser("services", help="service catalogue", parents=[common])
    ss = services.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=Parser)
    cmd(ss, "list", c.services_list, "list the services available to this user")

    case = sub.add_parser("case", help="service cases", parents=[common])
    cs = case.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=Parser)
    new = cmd(cs, "new", c.case_new, "register a draft case")
    new.add_argument("--service", required=True)
    new.add_argument("--nik", default=None)
    new.add_argument("--name", required=True)
    new.add_argument("--field", action="append", metavar="K=V")
    new.add_argument("--attach", action="append", metavar="DOC=FILE")
    ls = cmd(cs, "list", c.case_list, "list cases")
    ls.add_argument("--status")
    ls.add_argument("--service")
    ls.add_argument("--search")
    ls.add_argument("--queue", choices=["sign"], help="sign: the cases whose next signing step is yours")
    ls.add_argument("--limit", type=int, default=200)
    ls.add_argument("--offset", type=int, default=0)
    show = cmd(cs, "show", c.case_show, "one case with its history")
    show.add_argument("id")
    ed = cmd(cs, "edit", c.case_edit, "change fields or documents")
    ed.add_argument("id")
    ed.add_argument("--field", action="append", metavar="K=V")
    ed.add_argument("--attach", action="append", metavar="DOC=FILE")
    ed.add_argument("--nik")
    ed.add_argument("--name")
    for name, helptext in (("submit", "submit for verification"), ("verify", "verify (paraf)"),
                           ("issue", "hand the signed letter over"), ("withdraw", "withdraw at the citizen's request")):
        sp = cmd(cs, name, c.case_step, helptext)
        sp.add_argument("id")
        sp.add_argument("--reason", default=None)
        sp.set_defaults(step=name)
    for name, helptext in (("return", "send back to the counter with a reason"), ("reject", "refuse with a reason")):
        sp = cmd(cs, name, c.case_step, helptext)
        sp.add_argument("id")
        sp.add_argument("--reason", required=True)
        sp.set_defaults(step=name)

    imp = cmd(sub, "import", c.import_csv, "bulk intake from a UTF-8 CSV file")
    imp.add_argument("file", type=Path)
    imp.add_argument("--service", required=True)


    from ui import cli_sync

    cli_sync.register(sub, cmd)
    from ui import cli_admin  # IT: doctor's network checks, support-bundle, config

    cli_admin.register(sub, cmd)
    cli_sync.register_signing(sub, cs, cmd)
    cli_sync.register_delegation(sub, cmd)
    from ui import cli_rekap  # rekaps: musrenbang, school reports

    cli_rekap.add_parser(sub)

    user = sub.add_parser("user", help="people who work on this device", parents=[common])
    us = user.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=Parser)
    cmd(us, "list", c.user_list, "list users of this profile")
    add = cmd(us, "add-local", c.user_add_local, "add a local (not enrolled) user, for offline demos")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--role", required=True)
    add.add_argument("--office", required=True)
    add.add_argument("--nip")
    add.add_argument("--position")
    add.add_argument("--secret-stdin", action="store_true", help="read the new user's password from stdin")
    use = cmd(us, "use", c.user_use, "make this user the active one (their password or PIN on stdin)")
    use.add_argument("username")
    return p


def _language_from_settings(profile: Path) -> None:
    import os

    from app import config, i18n

    if os.environ.get("LOKET_LANG"):
        return
    try:
        i18n.set_language(config.load(profile).get(config.LANGUAGE))
    except Exception:  # a broken settings file must not stop the command; doctor reports it
        log.info("settings not readable for the language", exc_info=True)


def main(argv: Sequence[str] | None = None) -> int:
    from app import logs
    from app.paths import default_profile_dir

    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return 2
    profile = getattr(args, "profile", None) or default_profile_dir()
    os.umask(0o077)  # everything Loket writes in the profile is the user's alone
    try:
        log_path = logs.setup(profile, "loket-cli")
    except OSError:
        # An unusable profile folder is reported by the command itself, in one sentence; the log then goes to
        # the platform's log folder instead of ending the run with a traceback here.
        log_path = logs.setup(None, "loket-cli")
    out = Output(getattr(args, "json", False))
    try:
        return int(handler(args, profile, out) or 0)
    except argparse.ArgumentTypeError as bad:
        sys.stderr.write(USAGE_TEXT[language()].format(detail=f"K=V: {bad}") + "\n")
        return 2
    except ValidationError as err:
        log.info("refused: %s", err.problems)
        for problem in err.problems:
            sys.stderr.write(problem.message + "\n")
        return 1
    except LoketError as err:
        log.info("refused: %s", err.key)
        sys.stderr.write(err.message + "\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except Exception:
        log.exception("unexpected failure in %s", argv if argv is not None else sys.argv[1:])
        sys.stderr.write(tr("internal", log=log_path) + "\n")
        return 3


if __name__ == "__main__":
    raise SystemExit(main())
