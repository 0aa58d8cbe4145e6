"""A real Secret Service keyring for tests that run loket-cli in subprocesses: a private D-Bus session
with gnome-keyring unlocked, in a throwaway XDG_DATA_HOME. Its environment is handed to subprocesses."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile


class KeyringSession:
    def __init__(self) -> None:
        if os.environ.get("LOKET_KEYRING_READY") == "1" and os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
            self.env = {k: os.environ[k] for k in ("DBUS_SESSION_BUS_ADDRESS", "XDG_DATA_HOME") if k in os.environ}
            self._procs: list[subprocess.Popen[bytes]] = []
            self.home = None
            return
        for tool in ("dbus-daemon", "gnome-keyring-daemon"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing: apt-get install dbus gnome-keyring")
        self.home = tempfile.mkdtemp(prefix="loket-keyring-")
        bus = subprocess.Popen(["dbus-daemon", "--session", "--nofork", "--print-address=1"],
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        self.env = {"DBUS_SESSION_BUS_ADDRESS": address, "XDG_DATA_HOME": self.home}
        env = {**os.environ, **self.env}
        daemon = subprocess.run(["gnome-keyring-daemon", "--unlock", "--components=secrets"],
                                input=b"loket-test", env=env, capture_output=True, timeout=30)
        self._procs = [bus]
        for line in daemon.stdout.decode().splitlines():
            if line.startswith("GNOME_KEYRING_CONTROL="):
                self.env["GNOME_KEYRING_CONTROL"] = line.split("=", 1)[1]

    def close(self) -> None:
        # gnome-keyring-daemon leaves when its session bus goes away
        for proc in self._procs:
            proc.terminate()
        if self.home:
            shutil.rmtree(self.home, ignore_errors=True)
