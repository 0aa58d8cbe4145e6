"""Where Loket finds its shipped resources and a profile's files."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs


def resources_dir() -> Path:
    """The ``resources/`` folder, in a source checkout or inside a frozen bundle."""
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def default_profile_dir() -> Path:
    """``LOKET_HOME`` if set, else the platform's user data folder."""
    env = os.environ.get("LOKET_HOME")
    if env:
        return Path(env)
    return Path(platformdirs.user_data_dir("Loket", "Pemkot Malang"))
