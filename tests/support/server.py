"""The real loket-server in a subprocess on 127.0.0.1, and laptops that drive loket-cli against it."""

from __future__ import annotations

import atexit
import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
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
    tls: tuple[Path, Path] | None = None  # (certificate, key): serve HTTPS with them

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

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
        """``init --demo``: the schema migrated, the city CA made, the demo people with their enrolment codes.
        An empty SQLite data folder gets a copy of one made earlier in this test process with the same
        ``LOKET_*`` environment (the command costs seconds: a process, every migration, a CA key); what the
        copy holds is what the command would have made, codes included, each unused in this copy."""
        key = _template_key(self)
        made = _DEMO_TEMPLATES.get(key) if key else None
        if made is None:
            users = self.admin("init", "--demo")["users"]
            self.codes = {u["username"]: u["code"] for u in users}
            if key:
                _DEMO_TEMPLATES[key] = _keep_template(self.data, self.codes)
            return self.codes
        folder, codes = made
        shutil.copytree(folder, self.data, dirs_exist_ok=True)
        self.codes = dict(codes)
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
        self.launch()
        self.wait_ready()

    def launch(self) -> None:
        """Start ``loket-server run`` without waiting for it (several instances starting at once)."""
        log = open(self.data / f"server-{self.port}.log", "ab")  # noqa: SIM115
        tls = ["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])] if self.tls else []
        self.proc = subprocess.Popen([*self._base(), "run", "--host", "127.0.0.1", "--port", str(self.port), *tls],
                                     stdout=log, stderr=log)

    def wait_ready(self) -> None:
        assert self.proc is not None
        deadline = time.monotonic() + 120  # a loaded CI machine takes a while to import the server
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {(self.data / f'server-{self.port}.log').read_text()[-2000:]}")
            try:
                requests.get(f"{self.url}/api/v1/ping", timeout=1, verify=str(self.tls[0]) if self.tls else True)
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


_DEMO_TEMPLATES: dict[tuple[str, ...], tuple[Path, dict[str, str]]] = {}
_TEMPLATE_ROOT: list[Path] = []


def _template_key(srv: ServerProcess) -> tuple[str, ...] | None:
    """Which demo template fits this server: SQLite in an empty data folder only, per ``LOKET_*`` env."""
    if srv.database_url or (srv.data.exists() and any(srv.data.iterdir())):
        return None
    return tuple(sorted(f"{k}={v}" for k, v in os.environ.items() if k.startswith("LOKET_")))


def _keep_template(data: Path, codes: dict[str, str]) -> tuple[Path, dict[str, str]]:
    if not _TEMPLATE_ROOT:
        root = Path(tempfile.mkdtemp(prefix="loket-server-template-"))
        atexit.register(shutil.rmtree, root, True)
        _TEMPLATE_ROOT.append(root)
    folder = _TEMPLATE_ROOT[0] / str(len(_DEMO_TEMPLATES))
    shutil.copytree(data, folder)
    return folder, dict(codes)


# The password the laptop gives a person it enrols without being told one (``enroll`` with neither
# ``--secret-stdin`` nor ``--pin-stdin``).
DEFAULT_SECRET = "sandi-kantor-4821"


@contextlib.contextmanager
def demo_server(data: Path, *, prepare: Callable[[Path], None] | None = None) -> Iterator[ServerProcess]:
    """A real ``loket-server`` with the demo users (``init --demo``) on a free loopback port, stopped afterwards;
    ``prepare(data)`` runs between the init and the start (IT's configuration files)."""
    data.mkdir(parents=True, exist_ok=True)
    srv = ServerProcess(data)
    srv.init_demo()
    if prepare is not None:
        prepare(data)
    srv.start()
    try:
        yield srv
    finally:
        srv.stop()


@dataclass
class Laptop:
    """One laptop profile, driven through loket-cli exactly as IT or a script would.

    By default the CLI's ``main()`` runs in this process (same code path, no interpreter start-up per
    command; secrets go to this process's keyring backend); ``subprocess=True`` runs the real
    ``loket-cli`` process, against the session's real Secret Service keyring.

    Secrets on a shared laptop: every command that acts in a person's name reads that person's password
    (a signer's: the PIN) from the first line of stdin. The laptop remembers the secret of each person it
    enrolled (``secrets``) and which person is active, and when ``stdin`` is None it passes the secret of
    ``--user NAME`` (or of ``user use NAME``, or of the active person) by itself, so
    ``laptop.ok("--user", "bambang", "case", "verify", case_id)`` just works. ``enroll`` without
    ``--secret-stdin``/``--pin-stdin`` enrols with :data:`DEFAULT_SECRET`. To act *without* the secret
    (or with a wrong one) pass ``stdin=""`` (or ``stdin="wrong\n"``) explicitly: a given stdin is never
    changed. For a signer with ``--pin-stdin``, the given PIN line is also the secret.
    """

    profile: Path
    env: dict[str, str]
    subprocess: bool = False
    secrets: dict[str, str] = field(default_factory=dict)
    active: str | None = None

    def run(self, *args: str, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        args, stdin = self._with_secret(list(args), stdin)
        result = self._run(args, stdin, timeout)
        if result.returncode == 0:
            self._remember(args, stdin, result.stdout)
        return result

    @staticmethod
    def _target(args: list[str]) -> str | None:
        if "--user" in args[:-1]:
            return args[args.index("--user") + 1]
        rest = [a for a in args if not a.startswith("--")]
        if rest[:2] == ["user", "use"] and len(rest) > 2:
            return rest[2]
        return None

    def _with_secret(self, args: list[str], stdin: str | None) -> tuple[list[str], str | None]:
        if "enroll" in args and not {"--secret-stdin", "--pin-stdin"} & set(args):
            return [*args, "--secret-stdin"], (DEFAULT_SECRET + "\n" if stdin is None else stdin)
        if stdin is None:
            secret = self.secrets.get(self._target(args) or self.active or "")
            if secret is not None:
                stdin = secret + "\n"
        return args, stdin

    def _remember(self, args: list[str], stdin: str | None, stdout: str) -> None:
        if "enroll" in args:
            try:
                user = str(json.loads(stdout)["user"])
            except (ValueError, KeyError, TypeError):
                found = re.search(r"(?:untuk|for) (\S+) \(", stdout)
                user = found.group(1) if found else ""
            if user:
                self.secrets[user] = (stdin or "").splitlines()[0] if stdin else DEFAULT_SECRET
                self.active = user
        elif [a for a in args if not a.startswith("--")][:2] == ["user", "use"]:
            self.active = self._target(args)

    def _run(self, args: list[str], stdin: str | None, timeout: float) -> subprocess.CompletedProcess[str]:
        if not self.subprocess:
            return self._run_here(args, stdin)
        env = {**os.environ, **self.env, "LOKET_LANG": self.env.get("LOKET_LANG", "id")}
        return subprocess.run([sys.executable, "-m", "ui.cli", "--profile", str(self.profile), *args],
                              capture_output=True, text=True, input=stdin or "", env=env, timeout=timeout)

    def _run_here(self, args: list[str], stdin: str | None) -> subprocess.CompletedProcess[str]:
        from support.profiles import fresh_profile
        from ui.cli import main

        fresh_profile(self.profile)  # a new laptop starts from the migrated template, not every migration

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
        """A running loket-cli; its stdin holds the acting person's secret (as :meth:`run` would pass it)."""
        env = {**os.environ, **self.env}
        full, stdin = self._with_secret(list(args), None)
        with tempfile.TemporaryFile() as given:  # a file, not a pipe: communicate(timeout=…) stays usable
            given.write((stdin or "").encode())
            given.seek(0)
            return subprocess.Popen([sys.executable, "-m", "ui.cli", "--profile", str(self.profile), *full],
                                    stdin=given, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=env)

    def secret_input(self, *args: str) -> str:
        """What :meth:`run` would pass on stdin for ``args`` (for harnesses that start loket-cli themselves)."""
        return self._with_secret(list(args), None)[1] or ""
