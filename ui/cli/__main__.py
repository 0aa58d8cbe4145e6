"""``loket-cli``: everything the GUI can do to a case, for IT staff, scripts and tests. Never imports Qt.

Exit codes: 0 success; 1 understood but refused or invalid; 2 usage error; 3 unexpected failure (the
traceback is in the log file, the person reads one sentence).
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

from app import __version__
from app.errors import LoketError, ValidationError
from app.i18n import language, tr
from ui.cli.output import Context, Output
from ui.cli.parsing import USAGE_TEXT, Parser

log = logging.getLogger("loket.cli")


def _topics() -> list[ModuleType]:
    """The modules that add commands, in ``--help`` order. Each has ``add_parser(subparsers)``; a new topic is
    one more line here. They are light to import: a handler imports what it needs when it runs."""
    from ui.cli import admin, cases, register, rekap, signing
    from ui.cli import sync as sync_commands

    return [cases, signing, sync_commands, admin, register, rekap]


def build_parser() -> Parser:
    p = Parser(prog="loket-cli", description="Loket — layanan publik Kota Malang (baris perintah)")
    p.add_argument("--version", action="version", version=f"loket-cli {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for topic in _topics():
        topic.add_parser(sub)
    from ui.cli_text import localize_parser

    localize_parser(p)
    return p


def _run(handler: Callable[..., int | None], args: argparse.Namespace, cx: Context) -> int:
    """Call a handler: ``(args, context)``; a module still written as ``(args, profile, out)`` works too."""
    if handler.__code__.co_argcount == 3:
        return int(handler(args, cx.profile, cx.out) or 0)
    return int(handler(args, cx) or 0)


def _profile_hint(argv: Sequence[str]) -> Path | None:
    """``--profile`` read ahead of parsing, so that the help and argparse's errors already speak the
    profile's language."""
    for i, arg in enumerate(argv):
        if arg == "--profile" and i + 1 < len(argv):
            return Path(argv[i + 1])
        if arg.startswith("--profile="):
            return Path(arg.split("=", 1)[1])
    return None


def _language_from_settings(profile: Path) -> None:
    from app import config, i18n

    if os.environ.get("LOKET_LANG"):
        i18n.set_language(None)  # the environment speaks for this run
        return
    try:
        i18n.set_language(config.load(profile).get(config.LANGUAGE))
    except Exception:  # a broken settings file must not stop the command; doctor reports it
        log.info("settings not readable for the language", exc_info=True)


def main(argv: Sequence[str] | None = None) -> int:
    import ui.cli_text  # noqa: F401  (registers the CLI's sentences, and argparse's words)
    from app import logs
    from app.paths import default_profile_dir

    given = list(argv) if argv is not None else sys.argv[1:]
    _language_from_settings(_profile_hint(given) or default_profile_dir())
    parser = build_parser()
    args = parser.parse_args(given)
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
    cx = Context(profile, Output(getattr(args, "json", False)))
    try:
        return _run(handler, args, cx)
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
    finally:
        _close(cx)


def _close(cx: Context) -> None:
    """Close the command's workspace; a failure here is logged, the command's own outcome stands."""
    try:
        cx.close()
    except Exception:
        log.exception("closing the workspace failed")


if __name__ == "__main__":
    raise SystemExit(main())
