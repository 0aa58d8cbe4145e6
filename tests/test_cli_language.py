"""loket-cli speaks one language at a time: every command's human output, its help and argparse's own words
are in Bahasa Indonesia by default and in English with LOKET_LANG=en — with no word of the other language;
times in WIB. In-process (``ui.cli.main``) for speed; test_cli.py covers the real child process."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from app.services.workspace import Actor
from samples import SKD_FIELDS, documents
from support.langcheck import foreign_words
from ui import cli
from ui.cli.__main__ import build_parser


def _run(capsys: pytest.CaptureFixture[str], profile: Path, *args: str) -> tuple[int, str]:
    try:
        rc = cli.main(["--profile", str(profile), *args])
    except SystemExit as done:  # --help, usage errors
        rc = int(done.code or 0)
    out = capsys.readouterr()
    return rc, out.out + out.err


def _commands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, (*prefix, name))
    return found


SYNTAX = re.compile(r"--?[\w-]+|\b\w+_\w+\b|\b[A-Z][A-Z_]+\b|'[^']*'|\{[^}]*\}|\[[^\]]*\]")


def _prose(line: str, names: set[str]) -> str:
    """A line without its command syntax: options, METAVARS, quoted choices, usage lines, and the names of
    commands and checks (fixed words of the contract, the same in both languages)."""
    if line.lstrip().startswith(("usage:", "cara pakai:", "[")):
        return ""
    line = re.sub(r"^(OK|GAGAL|AWAS|FAIL|WARN)\s+\S+", " ", line)  # doctor: verdict, then the check's name
    words = SYNTAX.sub(" ", line).split()
    if words and words[0] in names and line.startswith(" "):  # "  list   daftar berkas"
        words = words[1:]
    return " ".join(words)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_command_speaks_one_language(language: str, profile: Path, staff: dict[str, Actor],
                                           tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LOKET_LANG", language)
    docs = documents(tmp_path)
    fields = [a for k, v in SKD_FIELDS.items() for a in ("--field", f"{k}={v}")]
    attach = [a for k, v in docs.items() for a in ("--attach", f"{k}={v}")]
    junk = tmp_path / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4\nnot really\n")
    rc, created = _run(capsys, profile, "--json", "case", "new", "--service", "SKD", "--nik", "3573020101850001",
                       "--name", "Budi Santoso", *fields, *attach)
    assert rc == 0, created
    case_id = created.split('"id": "')[1][:8]
    outputs: dict[str, str] = {}
    for args in (("services", "list"), ("case", "list"), ("case", "show", case_id), ("case", "submit", case_id),
                 ("case", "show", case_id), ("user", "list"), ("doctor", "--offline"), ("config", "show"),
                 ("conflicts", "list"), ("refusals", "list"), ("delegation", "list"), ("verify", str(junk)),
                 ("case", "bogus"), ("case", "show", "ffffffff")):
        outputs[" ".join(args)] = _run(capsys, profile, *args)[1]
    commands = _commands(build_parser())
    syntax = {word for command in commands for word in command} | {"file", "id", "ids", "key", "value", "username"}
    for command in commands:
        outputs[" ".join(command) + " --help"] = _run(capsys, profile, *command, "--help")[1]

    found = [f"{name}: {line!r} → {bad}" for name, text in outputs.items() for line in text.splitlines()
             if (bad := foreign_words(_prose(line, syntax), language))]
    assert not found, "\n".join(found)
    verdict = outputs[f"verify {junk}"].splitlines()[0]
    assert verdict.startswith("TIDAK SAH" if language == "id" else "NOT VALID")
    assert " WIB" in outputs[f"case show {case_id}"]
