"""Compile ``resources/translations/*.ts`` → ``.qm`` (pyside6-lrelease); ``--update`` first refreshes the
``loket_*.ts`` files from the sources under ``ui/`` with pyside6-lupdate (existing translations are kept).
``qtbase_id.ts`` is Qt's own words in Bahasa Indonesia (Qt ships none) and is only compiled."""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "resources" / "translations"
SOURCES = ROOT / "ui"


def _tool(name: str) -> str | None:
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    return shutil.which(name)


def update() -> None:
    lupdate = _tool("pyside6-lupdate")
    if lupdate is None:
        print("pyside6-lupdate not found; .ts files left as they are", file=sys.stderr)
        return
    sources = sorted(str(p.relative_to(ROOT)) for p in SOURCES.rglob("*.py")
                     if not p.name.startswith("cli") and p.name != "i18n_build.py")  # the CLI never uses Qt
    for ts in sorted(TRANSLATIONS.glob("loket_*.ts")):  # qtbase_*.ts hold Qt's own words, not ui/'s
        subprocess.run([lupdate, "-locations", "none", "-no-obsolete", *sources, "-ts", str(ts.relative_to(ROOT))],
                       check=True, cwd=ROOT)


def build() -> list[Path]:
    lrelease = _tool("pyside6-lrelease")
    if lrelease is None:
        raise SystemExit("pyside6-lrelease not found (pip install pyside6-essentials)")
    out: list[Path] = []
    for ts in sorted(TRANSLATIONS.glob("*.ts")):
        qm = ts.with_suffix(".qm")
        subprocess.run([lrelease, "-silent", str(ts), "-qm", str(qm)], check=True)
        out.append(qm)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ui.i18n_build")
    p.add_argument("--update", action="store_true", help="run pyside6-lupdate over ui/ before compiling")
    args = p.parse_args(argv)
    if args.update:
        update()
    for qm in build():
        print(qm.relative_to(ROOT))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
