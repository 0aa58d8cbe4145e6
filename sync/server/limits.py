"""Request bodies are bounded before they are read.

An ASGI middleware in front of the whole application: the declared ``Content-Length`` is checked before a
byte of the body is read, and a streamed body (no length, or a lying one) is counted as it arrives and cut
off at the limit. The limit depends on the caller: without a valid token only :data:`ANON_BODY` (enough for
an enrolment); with one, a blob chunk may be :data:`MAX_CHUNK`, a push :data:`PUSH_BODY`, anything else
:data:`API_BODY`. Over the limit: HTTP 413 with the errno body (errno 113, TOO_LARGE). A token that is
presented but refused (unknown, or its device or user revoked) is answered with that refusal before the body
is read: a revoked laptop learns it is revoked, not that its letter is too large.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync.protocol import ANON_BODY, API, API_BODY, HTTP_STATUS, MAX_CHUNK, PUSH_BODY, Errno, error_body


class TooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail="request body too large")
        self.limit = limit


def too_large_response(limit: int) -> JSONResponse:
    return JSONResponse(error_body(Errno.TOO_LARGE, "the request is larger than the server accepts",
                                   {"limit": limit}), status_code=HTTP_STATUS[Errno.TOO_LARGE],
                        headers={"Connection": "close"})


def _bearer(headers: dict[bytes, bytes]) -> str | None:
    raw = headers.get(b"authorization", b"").decode("latin-1")
    if not raw.lower().startswith("bearer ") or len(raw) > 200:
        return None
    return raw[7:].strip() or None


def limit_for(path: str, method: str, authenticated: bool) -> int:
    if not authenticated:
        return ANON_BODY
    if method == "PUT" and path.startswith(f"{API}/blobs/"):
        return MAX_CHUNK
    if method == "POST" and path == f"{API}/push":
        return PUSH_BODY
    return API_BODY


TokenCheck = Callable[[str], "tuple[int, dict[str, Any]] | None"]


class BodyLimit:
    """``check_token(token)`` is asked (in a worker thread) only when a body may exceed ANON_BODY: ``None`` for
    a valid token, else the refusal's ``(status, errno body)``."""

    def __init__(self, app: ASGIApp, check_token: TokenCheck) -> None:
        self.app = app
        self.check_token = check_token

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.lower(): v for k, v in scope.get("headers", [])}
        declared = _length(headers.get(b"content-length"))
        if declared == 0:
            await self.app(scope, receive, send)
            return
        limit = ANON_BODY
        streamed = declared is None and b"transfer-encoding" in headers  # no length, no encoding: no body
        if streamed or (declared is not None and declared > ANON_BODY):
            token = _bearer(headers)
            refusal = await run_in_threadpool(self.check_token, token) if token else None
            if refusal is not None:
                status, body = refusal
                await JSONResponse(body, status_code=status, headers={"Connection": "close"})(scope, receive, send)
                return
            limit = limit_for(scope.get("path", ""), scope.get("method", ""), token is not None)
        if declared is not None and declared > limit:
            await too_large_response(limit)(scope, receive, send)
            return
        await self._counted(scope, receive, send, limit)

    async def _counted(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        async def watching_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, watching_send)
        except TooLarge:
            if started:
                raise
            await too_large_response(limit)(scope, receive, send)


def _length(raw: Any) -> int | None:
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        return None
    return value if value >= 0 else None
