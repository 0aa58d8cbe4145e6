"""A fork server for loket-cli: pre-imports the CLI once, then forks one real process per command.

A fresh interpreter spends ~0.5 s importing SQLAlchemy before loket-cli does anything, so most kills of
freshly spawned processes would land in the import phase. Forked from a warm parent, each child runs
``ui.cli.main`` at once, and a SIGKILL lands in the middle of the real work (transactions, HTTP calls).
The parent never opens a database, a keyring or a socket, and runs no threads, so forking is safe.

The fork server itself delivers the SIGKILL at the requested instant, to its own child that it has not
reaped yet, so a kill can never hit a recycled pid.

Protocol (JSON lines): stdin ``{"req": N, "argv": [...], "out": PATH, "err": PATH, "kill_at": SECONDS|null}``
→ stdout ``{"req": N, "code": RC, "killed": BOOL}`` when the child has ended.
"""

from __future__ import annotations

import json
import os
import select
import signal
import sys
import time


def _child(request: dict[str, object]) -> None:
    out = os.open(str(request["out"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    err = os.open(str(request["err"]), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    stdin_path = request.get("stdin")
    null = os.open(str(stdin_path) if stdin_path else os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    code = 3
    try:
        from ui.cli import main

        argv = request["argv"]
        assert isinstance(argv, list)
        code = main([str(a) for a in argv])
    except SystemExit as exit_:
        code = int(exit_.code or 0) if not isinstance(exit_.code, str) else 2
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def serve() -> None:
    import app.services.importer  # noqa: F401
    import sync.engine  # noqa: F401
    import sync.enroll  # noqa: F401
    import ui.cli  # noqa: F401 - the warm-up: everything a command imports
    import ui.cli.__main__  # noqa: F401
    import ui.cli.cases  # noqa: F401
    import ui.cli.sync  # noqa: F401

    print(json.dumps({"ready": os.getpid()}), flush=True)
    children: dict[int, tuple[int, float | None]] = {}  # pid → (request number, kill deadline)
    buffer = b""
    while True:
        ready, _, _ = select.select([0], [], [], 0.002)
        if ready:
            data = os.read(0, 65536)
            if not data:
                break
            buffer += data
            while b"\n" in buffer:
                line, buffer = buffer.split(b"\n", 1)
                request = json.loads(line)
                pid = os.fork()
                if pid == 0:
                    _child(request)
                kill_at = request.get("kill_at")
                children[pid] = (int(request["req"]), time.monotonic() + kill_at if kill_at is not None else None)
        now = time.monotonic()
        for pid, (req, deadline) in list(children.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            killed = False
            if not done and deadline is not None and now >= deadline:
                os.kill(pid, signal.SIGKILL)  # our own child, not yet reaped: the pid is still ours
                done, status = os.waitpid(pid, 0)
                killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            if done:
                del children[pid]
                print(json.dumps({"req": req, "code": os.waitstatus_to_exitcode(status), "killed": killed}),
                      flush=True)
    for pid in children:
        os.waitpid(pid, 0)


if __name__ == "__main__":
    serve()


class ForkClient:
    """The test side: start the fork server and run commands through it (thread-safe)."""

    def __init__(self, env: dict[str, str], scratch: str) -> None:
        import subprocess
        import threading

        self._scratch = scratch
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        self._proc = subprocess.Popen([sys.executable, os.path.abspath(__file__)], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, env={**os.environ, **env}, cwd=root)
        assert self._proc.stdout is not None and self._proc.stdin is not None
        json.loads(self._proc.stdout.readline())  # {"ready": pid}
        self._cond = threading.Condition()
        self._done: dict[int, tuple[int, bool]] = {}
        self._next = 0
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            msg = json.loads(line)
            with self._cond:
                self._done[int(msg["req"])] = (int(msg["code"]), bool(msg["killed"]))
                self._cond.notify_all()

    def run(self, argv: list[str], kill_at: float | None, timeout: float = 180,
            stdin: str = "") -> tuple[int | None, str]:
        """Run ``loket-cli ARGV`` in a fresh child, SIGKILLed after ``kill_at`` seconds if still running.

        Returns ``(None, "")`` when it was killed, else ``(exit code, stdout)``."""
        assert self._proc.stdin is not None
        with self._cond:
            self._next += 1
            req = self._next
            out = os.path.join(self._scratch, f"cmd-{req}.out")
            body: dict[str, object] = {"req": req, "argv": argv, "out": out, "err": out + ".err",
                                       "kill_at": kill_at}
            if stdin:  # the acting person's secret, as a person would type it
                fd = os.open(out + ".in", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
                os.write(fd, stdin.encode())
                os.close(fd)
                body["stdin"] = out + ".in"
            self._proc.stdin.write((json.dumps(body) + "\n").encode())
            self._proc.stdin.flush()
            if not self._cond.wait_for(lambda: req in self._done, timeout=timeout):
                raise TimeoutError(f"loket-cli {argv} did not end in {timeout}s")
            code, killed = self._done.pop(req)
        if killed:
            return None, ""
        with open(out, encoding="utf-8") as fh:
            return code, fh.read()

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(60)
