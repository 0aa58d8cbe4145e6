"""The real loket-server in a subprocess on 127.0.0.1, and laptops that drive loket-cli against it."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests

from support.pg import free_port


@dataclass
class ServerProcess:
    data: Path
    database_url: str | None = None
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    codes: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _base(self) -> list[str]:
        args = [sys.executable, "-m", "sync.server.cli", "--data", str(self.data)]
        if self.database_url:
            args += ["--database-url", self.database_url]
        return args

    def admin(self, *args: str) -> Any:
        out = subprocess.run([*self._base(), "--json", *args], capture_output=True, text=True, timeout=120)
        if out.returncode != 0:
            raise AssertionError(f"loket-server {args} failed: {out.stderr}")
        return json.loads(out.stdout) if out.stdout.strip() else None

    def init_demo(self) -> dict[str, str]:
        users = self.admin("init", "--demo")["users"]
        self.codes = {u["username"]: u["code"] for u in users}
        return self.codes

    def code(self, username: str) -> str:
        return str(self.admin("enrolment-code", "--user", username)["code"])

    def token(self, username: str, device_name: str = "test") -> str:
        """A fresh device token for ``username`` (enrolled over HTTP, as a laptop would)."""
        answer = requests.post(f"{self.url}/api/v1/enroll", json={"code": self.code(username),
                                                                  "device_name": device_name}, timeout=10)
        answer.raise_for_status()
        return str(answer.json()["token"])

    def all_cases(self, token: str) -> list[dict[str, Any]]:
        """Every case the token's office sees, read through the changes feed from the start."""
        seen: list[dict[str, Any]] = []
        cursor = 0
        while True:
            page = requests.get(f"{self.url}/api/v1/changes", params={"since": cursor, "limit": 5000},
                                headers={"Authorization": f"Bearer {token}"}, timeout=30).json()
            seen += page["changes"]
            cursor = page["cursor"]
            if not page["more"]:
                return seen

    def start(self) -> None:
        log = open(self.data / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen([*self._base(), "run", "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=log, stderr=log)
        deadline = time.monotonic() + 120  # a loaded CI machine takes a while to import the server
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {(self.data / f'server-{self.port}.log').read_text()[-2000:]}")
            try:
                requests.get(f"{self.url}/api/v1/ping", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        self.stop(signal.SIGKILL)
        raise AssertionError("server did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.proc = None


@dataclass
class Laptop:
    """One laptop profile, driven through loket-cli exactly as IT or a script would.

    By default the CLI's ``main()`` runs in this process (same code path, no interpreter start-up per
    command; secrets go to this process's keyring backend); ``subprocess=True`` runs the real
    ``loket-cli`` process, against the session's real Secret Service keyring."""

    profile: Path
    env: dict[str, str]
    subprocess: bool = False

    def run(self, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        if not self.subprocess:
            return self._run_here(list(args), stdin)
        env = {**os.environ, **self.env, "LOKET_LANG": self.env.get("LOKET_LANG", "id")}
        return subprocess.run([sys.executable, "-m", "ui.cli", "--profile", str(self.profile), *args],
                              capture_output=True, text=True, input=stdin, env=env, timeout=timeout)

    def _run_here(self, args: list[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        from ui.cli import main

        out, err = io.StringIO(), io.StringIO()
        saved = sys.stdin
        sys.stdin = io.StringIO(stdin or "")
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                try:
                    code = main(["--profile", str(self.profile), *args])
                except SystemExit as exit_:
                    code = int(exit_.code or 0)
        finally:
            sys.stdin = saved
        return subprocess.CompletedProcess(args, code, out.getvalue(), err.getvalue())

    def ok(self, *args: str, stdin: str | None = None) -> Any:
        out = self.run("--json", *args, stdin=stdin)
        if out.returncode != 0:
            raise AssertionError(f"loket-cli {args} exited {out.returncode}: {out.stderr}")
        return json.loads(out.stdout)

    def popen(self, *args: str) -> subprocess.Popen[str]:
        env = {**os.environ, **self.env}
        return subprocess.Popen([sys.executable, "-m", "ui.cli", "--profile", str(self.profile), *args],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
