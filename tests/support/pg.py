"""A throwaway PostgreSQL cluster for tests: initdb + pg_ctl as the postgres user in a private folder."""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path


def _bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if not candidates:
        raise RuntimeError(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return candidates[-1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cluster:
    root: Path
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def _run(self, args: list[str]) -> None:
        subprocess.run(self._as_owner(args), check=True, capture_output=True, timeout=120)

    def _as_owner(self, args: list[str]) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", self.user, "--", *args]
        return args

    def create_database(self) -> str:
        name = "loket_" + uuid.uuid4().hex[:10]
        self._run([_bin("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user, name])
        return self.url(name)

    def stop(self) -> None:
        subprocess.run(self._as_owner([_bin("pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate", "stop"]),
                       capture_output=True, timeout=60)
        shutil.rmtree(self.root, ignore_errors=True)


def start_cluster() -> Cluster:
    user = "postgres" if os.geteuid() == 0 else pwd.getpwuid(os.geteuid()).pw_name
    root = Path(tempfile.mkdtemp(prefix="loket-pg-"))
    if os.geteuid() == 0:
        os.chmod(root, 0o755)
        shutil.chown(root, user)
    port = free_port()
    cluster = Cluster(root, port, user)
    cluster._run([_bin("initdb"), "-D", str(root / "data"), "-A", "trust", "-U", user, "-E", "UTF8",
                  "--no-sync"])
    cluster._run([_bin("pg_ctl"), "-D", str(root / "data"), "-w", "-l", str(root / "log"), "-o",
                  f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                  "-c max_connections=200", "start"])
    return cluster
