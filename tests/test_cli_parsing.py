"""loket-cli's parsers share the common options by adding them on every level, never with ``parents=[...]``."""

from __future__ import annotations

import argparse

import pytest

from ui.cli.__main__ import build_parser
from ui.cli.parsing import Parser


def _parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found += _parsers(child, (*path, name))
    return found


def _child(parser: argparse.ArgumentParser, path: tuple[str, ...]) -> argparse.ArgumentParser:
    for name in path:
        sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
        parser = sub.choices[name]
    return parser


def test_no_command_has_ghost_options_and_every_usage_wraps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")  # narrow: usage has to wrap
    root = build_parser()
    paths = _parsers(root)
    assert len(paths) > 20
    for path in paths:
        parser = _child(root, path)
        common = {a.dest: a.option_strings for a in parser._actions if a.dest in ("profile", "json", "user")}
        assert common == {"profile": ["--profile"], "json": ["--json"], "user": ["--user"]}, path
        assert parser.prog in parser.format_usage(), path
        parser.format_help()


def test_a_parser_with_parents_is_refused() -> None:
    shared = argparse.ArgumentParser(add_help=False)
    shared.add_argument("--json", action="store_true")
    with pytest.raises(TypeError, match="parents"):
        Parser(prog="loket-cli x", parents=[shared])
