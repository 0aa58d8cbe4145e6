"""The citizen's side in tests: a local SMTP server (aiosmtpd) and a WhatsApp/SMS gateway stand-in that record
what reaches them and can be told to fail the first few times, and the receipt's numbers on a server case."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, update

from sync.server import storage as t


def set_receipt_numbers_directly(engine: Engine, case_id: str, reg_no: str, access_code: str) -> None:
    """Give a server case the registration number and access code its receipt carries.

    Written straight into the server's database because nothing on this branch fills them yet: the receipt
    does it at submit. After the merge, stories should read them from the receipt instead (this is the one
    place to switch)."""
    with engine.begin() as conn:
        conn.execute(update(t.cases).where(t.cases.c.id == case_id).values(reg_no=reg_no, access_code=access_code))


@dataclass
class SmtpStandIn:
    fail_first: int = 0
    received: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    port: int = 0

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd API)
        if self.refused < self.fail_first:
            self.refused += 1
            return "451 4.3.0 try again later"
        self.received.append({"from": envelope.mail_from, "to": list(envelope.rcpt_tos),
                              "data": envelope.content.decode("utf-8", "replace")})
        return "250 OK"


@contextmanager
def smtp_stand_in(fail_first: int = 0) -> Iterator[SmtpStandIn]:
    from aiosmtpd.controller import Controller

    from support.pg import free_port

    handler = SmtpStandIn(fail_first, port=free_port())
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()


@dataclass
class GatewayStandIn:
    fail_first: int = 0
    requests: list[dict[str, Any]] = field(default_factory=list)  # every request, failed or not
    refused: int = 0
    port: int = 0

    @property
    def delivered(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["answered"] == 200]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/send/{{channel}}?to={{to}}"


@contextmanager
def gateway_stand_in(fail_first: int = 0) -> Iterator[GatewayStandIn]:
    state = GatewayStandIn(fail_first)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server API)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with lock:
                status = 503 if state.refused < state.fail_first else 200
                state.refused += status == 503
                state.requests.append({"path": self.path, "headers": dict(self.headers),
                                       "json": json.loads(body or b"{}"), "answered": status})
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if status == 200 else b'{"error": "busy"}')

        def log_message(self, *_args: Any) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        httpd.shutdown()
        httpd.server_close()


def notify_toml(folder: Path, smtp: SmtpStandIn | None, gateway: GatewayStandIn | None, *,
                backoff: float = 0.0, interval: float = 0.3) -> Path:
    """A server's notify.toml sending to the stand-ins (no TLS, no waiting between retries)."""
    lines = []
    if smtp is not None:
        lines += ["[email]", "enabled = true", 'host = "127.0.0.1"', f"port = {smtp.port}", 'security = "none"',
                  'sender = "Loket Kota Malang <loket@malangkota.go.id>"']
    if gateway is not None:
        lines += ["[whatsapp]", "enabled = true", f'url = "{gateway.url}"']
    lines += ["[retry]", "max_attempts = 4", f"backoff_seconds = {backoff}",
              "[sender]", f"interval_seconds = {interval}"]
    path = folder / "notify.toml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
