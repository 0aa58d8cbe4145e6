"""Loket's faces: the PySide6 GUI and the headless CLI (which never imports Qt)."""
