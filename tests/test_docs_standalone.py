"""README and docs stand alone: every link and path they mention stays inside the repository, and the
command-line contract (docs/cli.md) names every command loket-cli has."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def test_no_link_leaves_the_repository() -> None:
    bad = []
    for doc in DOCS:
        text = doc.read_text(encoding="utf-8")
        for target in LINK.findall(text):
            if target.startswith(("http://", "https://", "mailto:", "#")):
                continue
            path = (doc.parent / target.split("#")[0]).resolve()
            if not path.is_relative_to(ROOT) or not path.exists():
                bad.append(f"{doc.relative_to(ROOT)}: {target}")
        bad += [f"{doc.relative_to(ROOT)}: mentions {m}" for m in re.findall(r"\.\./shared\S*|/work/\S*", text)]
    assert not bad, "\n".join(bad)


def test_cli_md_names_every_command() -> None:
    from ui.cli.__main__ import build_parser

    text = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    missing = []

    def walk(parser: argparse.ArgumentParser, prefix: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    command = f"{prefix} {name}".strip()
                    if not any(isinstance(a, argparse._SubParsersAction) for a in sub._actions) \
                            and f"`{command}" not in text and f"· `{name}" not in text:
                        missing.append(command)
                    walk(sub, command)

    walk(build_parser(), "")
    assert not missing, missing
    for code in ("`0`", "`1`", "`2`", "`3`"):
        assert code in text
