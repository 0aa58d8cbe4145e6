"""``loket-cli``: the headless command line (``python -m ui.cli`` runs :mod:`ui.cli.__main__`). Never imports Qt.

The names below are what command modules share; :func:`main` is the console script's entry point.
"""

from __future__ import annotations

from collections.abc import Sequence

from ui.cli.output import Output, _kv, acting, stdin_secret

__all__ = ["Output", "_kv", "acting", "main", "stdin_secret"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; the parser and handlers load only now, so importing this package stays cheap."""
    from ui.cli.__main__ import main as run

    return run(argv)
