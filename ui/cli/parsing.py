"""The parsers of ``loket-cli``: usage errors in the person's language, the common options on every level, and
the two helpers command modules use to add themselves (:func:`group`, :func:`command`). Light on purpose:
``--help`` imports this and the command modules' parser code, nothing that opens a database."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from app.i18n import language

if TYPE_CHECKING:
    from ui.cli.output import Context

Handler = Callable[[argparse.Namespace, "Context"], int]

USAGE_TEXT = {
    "id": "Cara pakai salah: {detail}. Lihat 'loket-cli --help'.",
    "en": "Usage error: {detail}. See 'loket-cli --help'.",
}


class Parser(argparse.ArgumentParser):
    """Every loket-cli parser. ``--profile``, ``--json`` and ``--user`` are accepted before or after the
    command's name (suppressed defaults, so a later level never resets an earlier one)."""

    subcommands: argparse._SubParsersAction[Parser] | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The common options are added here, on every level, never shared with ``parents=[...]``: argparse
        # gives each command the parent's very action objects, and resolving a conflict takes the option string
        # off that shared action, so the next command with the same parent gets ghost actions with no option
        # string (``--profile`` turns into a required positional ``profile``; usage and parsing go wrong).
        if kwargs.get("parents"):
            raise TypeError("loket-cli parsers take no parents=[...]; the common options come from Parser")
        super().__init__(*args, **kwargs)
        self.add_argument("--profile", type=Path, default=argparse.SUPPRESS, help="profile (data) folder")
        self.add_argument("--json", action="store_true", default=argparse.SUPPRESS, help="print JSON")
        self.add_argument("--user", default=argparse.SUPPRESS,
                          help="act as this person on a shared laptop; their password or PIN is read from the "
                          "first line of standard input")

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(USAGE_TEXT[language()].format(detail=message) + "\n")
        raise SystemExit(2)


def group(sub: argparse._SubParsersAction[Parser], name: str,
          help_text: str) -> argparse._SubParsersAction[Parser]:
    """The subcommands of ``loket-cli NAME``, made on first use: two modules may add to one group (``case
    approve`` comes from the signing commands, the rest of ``case`` from the case commands)."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help_text)
    if parser.subcommands is None:
        parser.subcommands = parser.add_subparsers(dest="sub", metavar="SUBCOMMAND", parser_class=Parser)
    return parser.subcommands


def command(sub: argparse._SubParsersAction[Parser], name: str, handler: Handler, help_text: str) -> Parser:
    """One command: its parser, and the handler :func:`ui.cli.__main__.main` calls with (args, context)."""
    parser = sub.add_parser(name, help=help_text)
    parser.set_defaults(handler=handler)
    return parser
