"""The FastAPI application: the sync API, the public verification page and ``/openapi.json``."""


import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

import anyio
from fastapi import Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import OperationalError
from starlette.concurrency import run_in_threadpool

from app import __version__, clock
from sync.protocol import (
    API,
    HTTP_STATUS,
    MAX_CHUNK,
    PROTOCOL_VERSION,
    RETRY_AFTER,
    START_CURSOR,
    Errno,
    Op,
    Paths,
    error_body,
)
from sync.server import pages
from sync.server.core import ApiError, Server
from sync.server.limits import BodyLimit, TooLarge, too_large_response
from sync.server.notify import Notifier
from sync.server.ops import DeviceCtx
from sync.server.push_body import OP_ID, openapi_body, pushed_ops
from sync.server.status_page import WRONG, StatusDesk, Throttled, form_page, no_letter_page, parse_form, throttled_page
from sync.server.verify_page import render_verify_page

# A page of the feed is a tree of plain values the server built itself: one encoder made once, without the
# circular-reference bookkeeping ``json.dumps`` keeps for every container.
_PAGE_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False)
log = logging.getLogger("loket.server")
SHA256 = r"^[0-9a-f]{64}$"


class ErrorModel(BaseModel):
    errno: int
    error: str
    message: str
    details: dict[str, Any] = {}


class EnrollRequest(BaseModel):
    code: str = Field(min_length=4, max_length=40)
    device_name: str = Field(default="", max_length=120)
    csr_pem: str | None = Field(default=None, max_length=8000)


class OpModel(BaseModel):
    """One op. Only its id is checked here (a result is answered by id); the rest is checked op by op
    (sync/server/opcheck.py), so that a bad op is refused alone and the batch goes on."""

    op_id: str = Field(min_length=8, max_length=36, pattern=OP_ID)
    kind: Any = None
    case_id: Any = None
    base_version: Any = None
    payload: Any = None


class OpResultModel(BaseModel):
    op_id: str
    status: str
    errno: int | None = None
    message: str | None = None
    version: int | None = None
    conflicts: list[dict[str, Any]] | None = None
    case: dict[str, Any] | None = None
    chain: dict[str, Any] | None = None


class PushResponse(BaseModel):
    results: list[OpResultModel]


class ChangesResponse(BaseModel):
    changes: list[dict[str, Any]]
    cursor: str  # sync.protocol.parse_cursor
    more: bool
    delegations: list[dict[str, Any]] = []
    history: bool = False  # the changes are history records (id, seq, deleted, events, documents)


class CertificateRequest(BaseModel):
    csr_pem: str = Field(min_length=64, max_length=8000)


class LeaseRequest(BaseModel):
    classification: str = Field(min_length=1, max_length=40)
    year: int = Field(ge=2000, le=2100)
    count: int = Field(default=50, ge=1, le=500)
    office: str | None = Field(default=None, max_length=40)


class DelegationRequest(BaseModel):
    grant: dict[str, Any]
    signature: str = Field(min_length=16, max_length=400)


class BlobStatus(BaseModel):
    sha256: str
    size: int
    complete: bool


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorModel} for code in (400, 401, 403, 404, 409, 422, 413, 429, 503)
}


def create_app(server: Server, notifier: Notifier | None = None, threads: int | None = None) -> FastAPI:
    """The application; ``notifier``: send the citizens' messages beside the API; ``threads``: requests served
    at once (worker threads), default anyio's 40."""
    sending = notify_lifespan(notifier) if notifier else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if threads:
            anyio.to_thread.current_default_thread_limiter().total_tokens = threads
        if sending is None:
            yield
            return
        async with sending(app):
            yield

    api = FastAPI(title="Loket server", version=__version__, lifespan=lifespan,
                  description="Sync API, city CA and public letter verification of Loket (Kota Malang).")
    api.state.server = server

    def check_token(token: str) -> tuple[int, dict[str, Any]] | None:
        try:
            server.authenticate(token)
        except ApiError as err:
            return err.status, dict(error_body(err.errno, err.message, err.details))
        return None

    api.add_middleware(BodyLimit, check_token=check_token)

    @api.exception_handler(TooLarge)
    async def _too_large(_request: Request, err: TooLarge) -> JSONResponse:
        return too_large_response(err.limit)

    @api.exception_handler(ApiError)
    async def _api_error(_request: Request, err: ApiError) -> JSONResponse:
        wait = err.details.get("retry_after") if err.status == 429 else None
        return JSONResponse(error_body(err.errno, err.message, err.details), status_code=err.status,
                            headers={RETRY_AFTER: str(wait)} if wait else None)

    @api.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, err: RequestValidationError) -> JSONResponse:
        details = {"errors": [{"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))}
                              for e in err.errors()][:20]}
        return JSONResponse(error_body(Errno.INVALID_REQUEST, "invalid request", details),
                            status_code=HTTP_STATUS[Errno.INVALID_REQUEST])

    @api.exception_handler(OperationalError)
    async def _busy(_request: Request, err: OperationalError) -> JSONResponse:
        log.warning("database busy: %s", err)
        return JSONResponse(error_body(Errno.SERVICE_UNAVAILABLE, "server busy, retry later"),
                            status_code=HTTP_STATUS[Errno.SERVICE_UNAVAILABLE],
                            headers={RETRY_AFTER: "2"})

    def bearer(authorization: Annotated[str | None, Header()] = None) -> str:
        token = None
        if authorization and authorization.lower().startswith("bearer "):
            token = authorization[7:].strip()
        if not token:
            raise ApiError(Errno.UNAUTHENTICATED, "missing token")
        return token

    def device(token: Annotated[str, Depends(bearer)]) -> DeviceCtx:
        return server.authenticate(token)

    Device = Annotated[DeviceCtx, Depends(device)]
    # a push and a pull check the token on the connection that serves them (one connection per request)
    Token = Annotated[str, Depends(bearer)]

    @api.get(API + Paths.PING)
    def ping() -> dict[str, Any]:
        return {"server_time": clock.now_iso(), "version": __version__, "protocol": PROTOCOL_VERSION}

    @api.post(API + Paths.ENROLL, responses=ERRORS)
    def enroll(body: EnrollRequest, request: Request) -> dict[str, Any]:
        return server.enroll(body.code, body.device_name, request.client.host if request.client else "unknown")

    # The body is read by ``pushed_ops`` in one pass (sync/server/push_body.py); the schema documents it as before.
    @api.post(API + Paths.PUSH, response_model=PushResponse, response_model_exclude_none=True, responses=ERRORS,
              openapi_extra=openapi_body(OpModel.model_json_schema()))
    def push(token: Token, ops: Annotated[list[Op], Depends(pushed_ops)],
             x_loket_clock: Annotated[str | None, Header(max_length=40)] = None) -> dict[str, Any]:
        return {"results": server.push(token, ops, x_loket_clock)}

    @api.get(API + Paths.CHANGES, response_model=ChangesResponse, responses=ERRORS)
    def changes(token: Token, since: Annotated[str, Query(min_length=1, max_length=40)] = START_CURSOR,
                limit: Annotated[int, Query(ge=1, le=5000)] = 2000, light: bool = False,
                history: bool = False) -> Response:
        # The records are built by the server itself; re-validating thousands of them per page costs more
        # than producing them, so the page is serialised directly (the schema above still documents it).
        # ``light``: the cases without their history and documents (a laptop's first pull; they follow later);
        # ``history``: only those (the laptop's second pass), the page marked ``"history": true``.
        body = _PAGE_ENCODER.encode(server.changes(token, since, limit, light=light, history=history))
        return Response(body.encode(), media_type="application/json")

    @api.get(API + Paths.CASE, responses=ERRORS)
    def case(case_id: str, ctx: Device) -> dict[str, Any]:
        return server.case(ctx, case_id)

    from sync.server import rekap  # the receiving offices' rekaps, limited by the visibility rule

    @api.get(f"{API}/rekap/musrenbang", responses=ERRORS)
    def rekap_musrenbang(ctx: Device, year: Annotated[int, Query(ge=2024, le=2100)],
                         kecamatan: Annotated[str | None, Query(max_length=40)] = None) -> dict[str, Any]:
        return rekap.musrenbang_rekap(server, ctx, year, kecamatan)

    @api.get(f"{API}/rekap/sekolah", responses=ERRORS)
    def rekap_sekolah(ctx: Device, semester: Annotated[str, Query(max_length=7)]) -> dict[str, Any]:
        return rekap.sekolah_rekap(server, ctx, semester)

    @api.post(API + Paths.CERTIFICATE, responses=ERRORS)
    def certificate(body: CertificateRequest, ctx: Device) -> dict[str, Any]:
        return server.issue_certificate(ctx, body.csr_pem)

    @api.post(API + Paths.LEASES, responses=ERRORS)
    def lease(body: LeaseRequest, ctx: Device) -> dict[str, Any]:
        return server.lease(ctx, body.classification, body.year, body.count, body.office)

    @api.get(API + Paths.CHAIN, responses=ERRORS)
    def chain(ctx: Device) -> dict[str, Any]:
        return server.chain_head(ctx)

    @api.post(API + Paths.DELEGATIONS, responses=ERRORS)
    def delegate(body: DelegationRequest, ctx: Device) -> dict[str, Any]:
        return server.grant_delegation(ctx, body.grant, body.signature)

    @api.delete(API + Paths.DELEGATION, responses=ERRORS)
    def undelegate(delegation_id: str, ctx: Device) -> dict[str, Any]:
        return server.revoke_delegation(ctx, delegation_id)

    @api.get(API + Paths.CA, responses=ERRORS)
    def ca(ctx: Device) -> dict[str, str]:
        return server.ca_material()

    @api.get(Paths.CRL, responses={200: {"content": {"application/pkix-crl": {}}}, **ERRORS})
    def crl() -> Response:
        from cryptography.hazmat.primitives import serialization

        der = server._authority().crl().public_bytes(serialization.Encoding.DER)
        return Response(der, media_type="application/pkix-crl")

    @api.get(Paths.VERIFY, response_class=HTMLResponse, responses={404: {"content": {"text/html": {}}}})
    def verify_page(case_id: str, no: Annotated[str | None, Query(max_length=80)] = None) -> HTMLResponse:
        info = server.letter(case_id, no or None) if len(case_id) <= 36 else None
        return HTMLResponse(render_verify_page(info), status_code=200 if info and "pending" not in info else 404,
                            headers=pages.HEADERS)

    add_status_routes(api, StatusDesk(server.engine, server.catalog, server.offices))

    @api.get(API + Paths.BLOB_STATUS, response_model=BlobStatus, responses=ERRORS)
    def blob_status(sha256: Annotated[str, Field(pattern=SHA256)], ctx: Device) -> dict[str, Any]:
        size, complete = server.blob_status(ctx, sha256)
        return {"sha256": sha256, "size": size, "complete": complete}

    @api.put(API + Paths.BLOB, response_model=BlobStatus, responses=ERRORS)
    async def blob_put(sha256: str, request: Request, ctx: Device,
                       offset: Annotated[int, Query(ge=0)] = 0, final: bool = True) -> dict[str, Any]:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ApiError(Errno.BAD_REQUEST, "sha256 must be 64 lowercase hex digits")
        chunk = await request.body()  # at most MAX_CHUNK: the body limit stopped anything larger
        if len(chunk) > MAX_CHUNK:
            raise TooLarge(MAX_CHUNK)
        size, complete = await run_in_threadpool(server.blob_put, ctx, sha256, offset, chunk, final)
        return {"sha256": sha256, "size": size, "complete": complete}

    @api.get(API + Paths.BLOB, responses={200: {"content": {"application/octet-stream": {}}}, **ERRORS})
    def blob_get(sha256: str, ctx: Device) -> Response:
        data = server.blob_get(ctx, sha256)
        if data is None:
            raise ApiError(Errno.NOT_FOUND, "no such blob")
        return Response(content=data, media_type="application/octet-stream")

    return api


def notify_lifespan(notifier: Notifier) -> Any:
    """Sends due messages every few seconds beside the API, in a worker thread: a slow SMTP server or gateway
    never holds a request (or a push) up."""
    import asyncio
    import contextlib

    @contextlib.asynccontextmanager
    async def lifespan(_api: FastAPI) -> Any:
        async def loop() -> None:
            while True:
                try:
                    await run_in_threadpool(notifier.run_once)
                except Exception:  # the database may be busy or away: try again at the next tick
                    log.exception("sending notifications failed")
                await asyncio.sleep(notifier.settings.interval_seconds)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()

    return lifespan


def add_status_routes(api: FastAPI, desk: StatusDesk) -> None:
    """``/status``: the form (GET), the request's status (POST) and its signed letter (POST /status/surat)."""

    def html_page(text: str, status: int = 200, extra: dict[str, str] | None = None) -> HTMLResponse:
        return HTMLResponse(text, status_code=status, headers={**pages.HEADERS, **(extra or {})})

    async def found(request: Request) -> tuple[Any, dict[str, str]] | HTMLResponse:
        form = parse_form(await request.body())
        client = request.client.host if request.client else "unknown"
        try:
            hit = await run_in_threadpool(desk.lookup, form.get("reg_no", ""), form.get("code", ""), client)
        except Throttled as err:
            return html_page(throttled_page(err.wait), 429, {RETRY_AFTER: str(err.wait)})
        if hit is None:
            return html_page(form_page(WRONG, form.get("reg_no", "")), 403)
        return hit, form

    @api.get("/status", response_class=HTMLResponse)
    def status_form() -> HTMLResponse:
        return html_page(form_page())

    @api.post("/status", response_class=HTMLResponse,
              responses={403: {"content": {"text/html": {}}}, 429: {"content": {"text/html": {}}}})
    async def status(request: Request) -> HTMLResponse:
        result = await found(request)
        if isinstance(result, HTMLResponse):
            return result
        hit, form = result
        return html_page(desk.render(hit, form.get("reg_no", ""), form.get("code", "")))

    @api.post("/status/surat", responses={200: {"content": {"application/pdf": {}}},
                                          **{code: {"content": {"text/html": {}}} for code in (403, 404, 429)}})
    async def status_letter(request: Request) -> Response:
        result = await found(request)
        if isinstance(result, HTMLResponse):
            return result
        letter = await run_in_threadpool(desk.letter, result[0])
        if letter is None:
            return html_page(no_letter_page(), 404)
        name, data = letter
        return Response(data, media_type="application/pdf", headers={
            **pages.HEADERS, "Content-Disposition": f'attachment; filename="{name}"'})
