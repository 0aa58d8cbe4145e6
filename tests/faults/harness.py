"""Helpers of the fault suite: campaign size, an in-process server and a SyncClient over its ASGI app.

``LOKET_FAULT_POINTS`` sizes the campaigns: unset (CI) gives the short run, ``make faults`` sets 1000.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from app.services.workspace import Workspace
from support.store_keys import open_store
from sync.client import SyncClient
from sync.server.app import create_app
from sync.server.ca import Authority
from sync.server.cli import DEMO_USERS
from sync.server.core import Server
from sync.server.storage import create_schema, make_engine

OFFICE = "35.73.02.1008"
OTHER_OFFICE = "35.73.01.1005"


def fault_points(default: int) -> int:
    """The campaign size: ``default`` in CI, ``LOKET_FAULT_POINTS`` when set (``make faults``)."""
    raw = os.environ.get("LOKET_FAULT_POINTS", "").strip()
    return max(default, int(raw)) if raw else default


def long_run() -> bool:
    return bool(os.environ.get("LOKET_FAULT_POINTS", "").strip())


class TestSyncClient(SyncClient):
    """The real SyncClient, speaking to the ASGI app through FastAPI's TestClient instead of a socket."""

    __test__ = False

    def __init__(self, app: FastAPI, token: str | None = None, http: TestClient | None = None) -> None:
        """``http``: a TestClient to share (one entered client keeps one event loop for all requests, as one
        server process does, instead of starting a thread and a loop for every request)."""
        super().__init__("http://localhost", token, sleep=lambda _s: None)
        self.http = http or TestClient(app, raise_server_exceptions=False)


class LocalServer:
    """``sync.server.core.Server`` on a SQLite file, with its FastAPI app and demo users."""

    def __init__(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.db_path = folder / "server.db"
        self.engine = make_engine(f"sqlite:///{self.db_path}")
        create_schema(self.engine)
        # as ``loket-server init/run`` does: the schema, then the city CA, then the offices
        self.server = Server.open(self.engine, Authority.ensure(folder / "ca", self.engine, "http://127.0.0.1:8765"))
        self.server.init()
        self.codes = {u: self.server.add_user(u, full, role, office, nip, pos)
                      for u, full, role, office, nip, pos in DEMO_USERS}
        self.app = create_app(self.server)
        self.http = TestClient(self.app, raise_server_exceptions=False)

    def token(self, username: str, device_name: str = "test") -> str:
        code = self.codes.pop(username, None) or self.server.enrolment_code(username)
        return str(self.server.enroll(code, device_name)["token"])

    def client(self, token: str | None = None) -> TestSyncClient:
        return TestSyncClient(self.app, token)

    def all_cases(self) -> list[dict[str, Any]]:
        """Every case on the server, read straight from its database, as the feed would send it."""
        from sqlalchemy import select

        from sync.server import storage as t
        from sync.server.ops import snapshots

        with self.engine.connect() as conn:
            return snapshots(conn, list(conn.execute(select(t.cases).order_by(t.cases.c.feed_seq))))

    def close(self) -> None:
        self.http.close()
        self.engine.dispose()


def enroll_workspace(ws: Workspace, local: LocalServer, username: str, url: str = "http://localhost",
                     client: SyncClient | None = None) -> str:
    """Enrol ``ws`` as ``username`` through ``sync.enroll`` (token to the test keyring); returns the token."""
    from unittest import mock

    from sync import credentials
    from sync.enroll import enroll

    code = local.codes.pop(username, None) or local.server.enrolment_code(username)
    if url == "http://localhost":  # enrol makes its own authenticated client: route it to the ASGI app too
        with mock.patch("sync.enroll.SyncClient", lambda _url, token=None, **_kw: local.client(token)):
            enroll(ws, url, code, client=client or local.client())
    else:
        enroll(ws, url, code, client=client or local.client())
    token = credentials.load_token(ws.device_id, username)
    assert token
    return token




class ThreadedServer:
    """The ASGI app under a real uvicorn on 127.0.0.1, in a thread of the test process."""

    def __init__(self, app: FastAPI) -> None:
        import socket
        import threading
        import time

        import uvicorn

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        self.port = int(sock.getsockname()[1])
        self._uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
        self._thread = threading.Thread(target=self._uv.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._uv.started:
            if time.monotonic() > deadline:
                raise AssertionError("uvicorn did not start")
            time.sleep(0.01)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._uv.should_exit = True
        self._thread.join(10)


_TEMPLATES: dict[str, Path] = {}


def new_workspace(folder: Path) -> Workspace:
    """A fresh profile. The first one is migrated for real; later ones start from a copy of its database
    (without its device id), which spares each hypothesis example the migrations."""
    import shutil
    import tempfile

    from app.events import EventBus

    template = _TEMPLATES.get("workspace")
    if template is None:
        template = Path(tempfile.mkdtemp(prefix="loket-template-")) / "profile"
        Workspace(template, events=EventBus()).close()
        conn = open_store(template / "loket.db")
        conn.isolation_level = None
        try:
            conn.execute("DELETE FROM meta WHERE key = 'device_id'")
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
        _TEMPLATES["workspace"] = template
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template / "loket.db", folder / "loket.db")
    shutil.copyfile(template / "loket.db.key-id", folder / "loket.db.key-id")
    return Workspace(folder, events=EventBus())


# Attachments are checked by their magic bytes; these are enough for the sniffer (and are distinct per tag).
PDF_HEAD = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n"
PNG_HEAD = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
SKD_FIELDS = {"tempat_lahir": "Malang", "tanggal_lahir": "1990-08-17", "jenis_kelamin": "P",
              "no_kk": "3573021708900005", "alamat": "Jl. Kawi No. 12", "keperluan": "melamar pekerjaan"}
