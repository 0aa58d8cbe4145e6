"""Bounded inputs: a body is refused before it is read, uploads are appended and expire, a blob has a size.

Against the real server process: a 200 MB POST without a token is refused with 413 and the errno body, and
the process's peak memory (VmHWM) grows by less than 64 MB — also for four such bodies at once, streamed
without a length. In process: 24 chunks of 8 MB are appended, each costing about what the first did (they
were rewritten whole, the last one taking seconds); an unfinished upload is gone after a day; a blob larger
than the attachment limit is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.client
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from faults.harness import LocalServer

from app import clock
from support.server import ServerProcess, demo_server
from sync.protocol import ANON_BODY, API, MAX_CHUNK, PUSH_BODY
from sync.server.core import ApiError

MB = 1024 * 1024


@pytest.fixture
def server_process(tmp_path: Path) -> Iterator[ServerProcess]:
    with demo_server(tmp_path / "server") as srv:
        yield srv


def _peak_rss(srv: ServerProcess) -> int:
    assert srv.proc is not None
    for line in Path(f"/proc/{srv.proc.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    raise AssertionError("no VmHWM")


def _post(srv: ServerProcess, path: str, size: int, *, declared: bool, headers: dict[str, str] | None = None,
          method: str = "POST") -> tuple[int, bytes]:
    """POST ``size`` bytes of JSON-ish junk, with a Content-Length or chunked; stops sending when refused."""
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=60)
    conn.putrequest(method, path)
    conn.putheader("Content-Type", "application/json")
    for key, value in (headers or {}).items():
        conn.putheader(key, value)
    if declared:
        conn.putheader("Content-Length", str(size))
    else:
        conn.putheader("Transfer-Encoding", "chunked")
    conn.endheaders()
    block = b'{"code": "' + b"A" * (MB - 12) + b'"}'
    sent = 0
    try:
        while sent < size:
            piece = block[:min(len(block), size - sent)]
            conn.send(piece if declared else b"%x\r\n%s\r\n" % (len(piece), piece))
            sent += len(piece)
        if not declared:
            conn.send(b"0\r\n\r\n")
    except OSError:
        pass  # the server answered and closed: the rest was never read
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, body


def test_a_huge_body_without_a_token_is_refused_before_it_is_read(server_process: ServerProcess) -> None:
    srv = server_process
    enroll = f"{API}/enroll"
    _post(srv, enroll, 1000, declared=True)  # warm up: the first request loads what every request needs
    before = _peak_rss(srv)
    status, body = _post(srv, enroll, 200 * MB, declared=True)
    assert status == 413 and b'"errno":113' in body.replace(b" ", b"")
    answers: list[tuple[int, bytes]] = []
    threads = [threading.Thread(target=lambda: answers.append(_post(srv, enroll, 250 * MB, declared=False)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert [a[0] for a in answers] == [413] * 4
    grown = _peak_rss(srv) - before
    assert grown < 64 * MB, f"the server grew by {grown // MB} MB"
    # a small body still works; a body just over the limit without a token does not
    assert _post(srv, enroll, ANON_BODY + 1, declared=True)[0] == 413


def test_a_token_raises_the_limit_only_as_far_as_the_endpoint_needs(server_process: ServerProcess) -> None:
    srv = server_process
    auth = {"Authorization": f"Bearer {srv.token('siti')}"}
    assert _post(srv, f"{API}/push", PUSH_BODY + 1, declared=True, headers=auth)[0] == 413
    assert _post(srv, f"{API}/leases", 2 * MB, declared=False, headers=auth)[0] == 413
    put = f"{API}/blobs/{'a' * 64}?offset=0&final=false"
    assert _post(srv, put, MAX_CHUNK + 1, declared=True, headers=auth, method="PUT")[0] == 413
    assert _post(srv, put, MAX_CHUNK + 1, declared=False, headers=auth, method="PUT")[0] == 413
    assert _post(srv, put, MB, declared=True, headers=auth, method="PUT")[0] == 200
    wrong = {"Authorization": "Bearer not-a-token"}
    # a refused token is answered as such (401) before the body is read
    assert _post(srv, f"{API}/push", 2 * MB, declared=True, headers=wrong)[0] == 401


def test_chunks_are_appended_not_rewritten(tmp_path: Path) -> None:
    local = LocalServer(tmp_path / "server")
    try:
        srv = local.server
        srv.blob_limit = 256 * MB
        ctx = srv.authenticate(local.token("siti"))
        chunk = b"\x17" * (8 * MB)
        sha = hashlib.sha256(chunk * 24).hexdigest()
        took = []
        for i in range(24):
            start = time.perf_counter()
            assert srv.blob_put(ctx, sha, i * len(chunk), chunk, i == 23) == ((i + 1) * len(chunk), i == 23)
            took.append(time.perf_counter() - start)
        first, last = max(took[1:4]), max(took[19:23])
        assert last < 3 * first + 0.5, f"chunk times grew from {first:.2f}s to {last:.2f}s: {took}"
        assert srv.blob_status(ctx, sha) == (24 * len(chunk), True)
    finally:
        local.close()


def test_resending_from_an_earlier_offset_keeps_the_blob_whole(tmp_path: Path) -> None:
    local = LocalServer(tmp_path / "server")
    try:
        srv = local.server
        ctx = srv.authenticate(local.token("siti"))
        data = bytes(range(256)) * 40
        sha = hashlib.sha256(data).hexdigest()
        srv.blob_put(ctx, sha, 0, data[:4000], False)
        srv.blob_put(ctx, sha, 4000, data[4000:7000], False)
        assert srv.blob_put(ctx, sha, 2500, data[2500:6000], False) == (6000, False)  # a chunk cut in two
        assert srv.blob_put(ctx, sha, 6000, data[6000:], True) == (len(data), True)
        assert srv.blob_get(ctx, sha) == data
    finally:
        local.close()


def test_an_unfinished_upload_expires_after_a_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    local = LocalServer(tmp_path / "server")
    try:
        srv = local.server
        ctx = srv.authenticate(local.token("siti"))
        sha = hashlib.sha256(b"never finished").hexdigest()
        assert srv.blob_put(ctx, sha, 0, b"never", False) == (5, False)
        assert srv.blob_status(ctx, sha) == (5, False)
        real = clock.now
        monkeypatch.setattr(clock, "now", lambda: real() + dt.timedelta(hours=23))
        srv.blob_put(ctx, hashlib.sha256(uuid.uuid4().bytes).hexdigest(), 0, b"x", False)
        assert srv.blob_status(ctx, sha) == (5, False), "kept within the day"
        monkeypatch.setattr(clock, "now", lambda: real() + dt.timedelta(hours=25))
        srv.blob_put(ctx, hashlib.sha256(uuid.uuid4().bytes).hexdigest(), 0, b"x", False)
        assert srv.blob_status(ctx, sha) == (0, False), "an upload left for a day is dropped"
    finally:
        local.close()


def test_a_blob_is_bounded_by_the_attachment_limit(tmp_path: Path) -> None:
    local = LocalServer(tmp_path / "server")
    try:
        srv = local.server
        srv.blob_limit = 3 * MB
        ctx = srv.authenticate(local.token("siti"))
        sha = "b" * 64
        srv.blob_put(ctx, sha, 0, b"\0" * (2 * MB), False)
        with pytest.raises(ApiError) as refused:
            srv.blob_put(ctx, sha, 2 * MB, b"\0" * (2 * MB), False)
        assert refused.value.status == 413 and refused.value.errno == 113
    finally:
        local.close()
