"""PyInstaller entry point of ``loket`` (the desktop client): ``ui.app:main``."""

from ui.app import main

if __name__ == "__main__":
    raise SystemExit(main())
