"""What every ``loket-cli`` command shares: printing (text or ``--json``), the acting person and their secret
read once from standard input, ``K=V`` arguments. Light: nothing here imports the database."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.i18n import tr

if TYPE_CHECKING:
    from app.services.workspace import Actor, Workspace


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

            label = tr("cli.secret.prompt")
            line = getpass.getpass(f"{label}{' ' + name if name else ''}: ", stream=sys.stderr)
        else:
            line = sys.stdin.readline()
        args._stdin_first = line.rstrip("\r\n") or None
    value: str | None = args._stdin_first
    return value


def acting(ws: Workspace, args: argparse.Namespace) -> Actor:
    """The person this command acts as (``--user NAME`` or the profile's active user), after their secret
    unlocked them. Every command that changes something in a person's name goes through here."""
    from app.services import unlock

    actor = ws.actor(getattr(args, "user", None))
    if unlock.needs_secret(ws, actor.username):
        unlock.check(ws, actor.username, stdin_secret(args, actor.username))
    return actor


def kv(values: Sequence[str] | None) -> dict[str, str]:
    """``K=V`` arguments (``--field``, ``--attach``) as a dict; a malformed one is a usage error."""
    out: dict[str, str] = {}
    for item in values or ():
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise argparse.ArgumentTypeError(item)
        out[key.strip()] = value
    return out


_kv = kv  # the name command modules written before the package import


def files(values: Sequence[str] | None) -> dict[str, Path]:
    """``DOC=FILE`` arguments as paths."""
    return {k: Path(v) for k, v in kv(values).items()}


def read_pin(args: argparse.Namespace) -> str | None:
    """The PIN of ``--pin-stdin``: the first line of stdin, the same line that unlocks the signer."""
    if not getattr(args, "pin_stdin", False):
        return None
    return stdin_secret(args) or ""


class Context:
    """What a handler gets besides its arguments: the profile folder, the printer, and the profile's one
    :class:`~app.services.workspace.Workspace` — opened on first use (``config`` and ``--help`` never open the
    store), closed by ``main`` when the command ends, whatever happened."""

    def __init__(self, profile: Path, out: Output) -> None:
        self.profile = profile
        self.out = out
        self._ws: Workspace | None = None

    @property
    def ws(self) -> Workspace:
        if self._ws is None:
            from app.services.workspace import Workspace

            self._ws = Workspace(self.profile)
        return self._ws

    def close(self) -> None:
        if self._ws is not None:
            ws, self._ws = self._ws, None
            ws.close()
