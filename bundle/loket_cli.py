"""PyInstaller entry point of ``loket-cli`` (headless, never imports Qt): ``ui.cli:main``."""

from ui.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
