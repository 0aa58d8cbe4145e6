"""A small seeded TCP proxy on 127.0.0.1 that makes the network misbehave between a laptop and the server.

One HTTP request per client connection (the proxy asks the server to close after each answer). For each
request a seeded draw picks a fault:

``drop``     close the client's connection before forwarding anything (the server never sees it);
``delay``    wait a little, then forward normally;
``cut``      forward, read the whole answer, send the client only its first part, close;
``reset``    forward, read the whole answer (the server has committed), close the client's connection
             with a TCP reset and send nothing: the laptop cannot know whether its push took effect;
``pass``     forward untouched.
"""

from __future__ import annotations

import random
import socket
import struct
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

FAULTS = ("drop", "delay", "cut", "reset")


@dataclass
class FaultProxy:
    upstream: tuple[str, int]
    seed: int
    rate: float = 0.4
    weights: dict[str, float] = field(default_factory=lambda: {"drop": 1, "delay": 1, "cut": 1, "reset": 1})
    counts: Counter[str] = field(default_factory=Counter)
    script: list[str] = field(default_factory=list)  # faults for the first requests, in order, before the draws

    def __post_init__(self) -> None:
        self._rnd = random.Random(self.seed)
        self._lock = threading.Lock()
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = int(self._sock.getsockname()[1])
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self._closed.set()
        self._sock.close()
        self._thread.join(5)

    def _draw(self) -> tuple[str, float]:
        with self._lock:
            if self.script:
                fault = self.script.pop(0)
                self.counts[fault] += 1
                return fault, 0.5
            if self._rnd.random() >= self.rate:
                fault = "pass"
            else:
                names = list(self.weights)
                fault = self._rnd.choices(names, weights=[self.weights[n] for n in names])[0]
            fraction = self._rnd.random()
            self.counts[fault] += 1
            return fault, fraction

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._sock.accept()
            except OSError:
                return
            threading.Thread(target=self._handle, args=(client,), daemon=True).start()

    def _handle(self, client: socket.socket) -> None:
        try:
            request = _read_request(client)
            if request is None:
                return
            fault, fraction = self._draw()
            if fault == "drop":
                _reset(client)
                return
            if fault == "delay":
                time.sleep(0.02 + 0.3 * fraction)
            answer = self._forward(request)
            if fault == "reset":
                _reset(client)
                return
            if fault == "cut":
                client.sendall(answer[:max(1, int(len(answer) * fraction))])
                _reset(client)
                return
            client.sendall(answer)
        except OSError:
            pass
        finally:
            client.close()

    def _forward(self, request: bytes) -> bytes:
        with socket.create_connection(self.upstream, timeout=60) as up:
            up.sendall(request)
            chunks: list[bytes] = []
            while True:
                data = up.recv(65536)
                if not data:
                    return b"".join(chunks)
                chunks.append(data)


def _reset(sock: socket.socket) -> None:
    """Close with RST instead of FIN: what a dead NAT or a yanked cable looks like to the laptop."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def _read_request(sock: socket.socket) -> bytes | None:
    """One HTTP/1.1 request (head + Content-Length body), with ``Connection: close`` forced."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    lines = head.split(b"\r\n")
    length = 0
    kept = [lines[0]]
    for line in lines[1:]:
        name = line.split(b":", 1)[0].strip().lower()
        if name == b"content-length":
            length = int(line.split(b":", 1)[1])
        if name in (b"connection", b"keep-alive"):
            continue
        kept.append(line)
    kept.append(b"Connection: close")
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            return None
        body += chunk
    return b"\r\n".join(kept) + b"\r\n\r\n" + body
