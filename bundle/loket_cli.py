"""PyInstaller entry point of ``loket-cli`` (headless, never imports Qt): ``ui.cli:main``, the ``ui/cli/`` package."""

from ui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
