"""``loket --self-test``: the installation check IT runs (and CI runs on the bundle)."""

from __future__ import annotations

import os
import subprocess
import sys


def test_self_test_passes_offscreen() -> None:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run([sys.executable, "-m", "ui.app", "--self-test"], capture_output=True, text=True,
                          timeout=180, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Uji mandiri berhasil." in done.stdout
    assert done.stdout.count("OK ") == 5
