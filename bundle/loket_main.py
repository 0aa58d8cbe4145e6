"""PyInstaller entry point of the one executable (outside Windows): ``loket`` runs the desktop client
(``ui.app:main``); started as ``loket-cli`` (a symlink beside it) it runs the headless CLI (``ui.cli:main``),
which never imports Qt."""

import os
import sys

if __name__ == "__main__":
    if os.path.basename(sys.argv[0]).startswith("loket-cli"):
        from ui.cli import main
    else:
        from ui.app import main
    raise SystemExit(main())
