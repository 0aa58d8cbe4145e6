"""HTTP client of the sync protocol: the only module that imports ``requests``.

Timeouts on every call, a User-Agent, ``Retry-After`` honoured on 503/429, a few retries with backoff on
connection errors.

Transport: ``https://`` only (plain ``http://`` is refused except to this machine's loopback address, for a
local demo server). TLS verification is always on and cannot be turned off. A :class:`TlsTrust` says what
the server's certificate must chain to (the CA file IT provisions, else the system's trust store) and,
when IT provisions no CA, the SHA-256 of the exact certificate pinned at enrolment: a server presenting any
other certificate is refused (:class:`~sync.errors.TlsChangedError`), never retried as "offline".
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import ssl
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter

from app import __version__, clock
from sync.errors import GarbageError, OfflineError, PlainHttpError, SyncError, TlsChangedError, from_body
from sync.protocol import (
    API,
    AUTH_HEADER,
    CLOCK_HEADER,
    RETRY_AFTER,
    USER_AGENT,
    Op,
    OpResult,
    Paths,
    format_cursor,
    is_loopback,
    parse_cursor,
)

log = logging.getLogger("loket.sync.client")
MAX_RETRY_AFTER = 30.0


@dataclass(frozen=True)
class TlsTrust:
    """What the server's TLS certificate must satisfy: chain to ``cafile`` (``None``: the system's trust
    store) and, when ``pin`` is set, be exactly the certificate with that SHA-256 (lower-case hex)."""

    cafile: str | None = None
    pin: str | None = None


def check_url(url: str) -> str:
    """``url`` without its trailing slash, or :class:`PlainHttpError` for clear text to another machine."""
    parts = urlsplit(url)
    if parts.scheme == "https" and parts.hostname:
        return url.rstrip("/")
    if parts.scheme == "http" and parts.hostname and is_loopback(parts.hostname):
        return url.rstrip("/")
    raise PlainHttpError(url=url)


def trust_store(trust: TlsTrust | None = None) -> str:
    """The CA bundle certificates are verified against: IT's provisioned file, else the system's (as
    ``requests`` finds it: ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, else certifi's bundle)."""
    if trust is not None and trust.cafile:
        return trust.cafile
    return os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or \
        requests.utils.DEFAULT_CA_BUNDLE_PATH


def peer_certificate(url: str, cafile: str | None = None, timeout: float = 10.0) -> bytes:
    """The server's certificate (DER), from a handshake verified like every request (chain and name)."""
    parts = urlsplit(check_url(url))
    host = parts.hostname or ""
    context = ssl.create_default_context(cafile=trust_store(TlsTrust(cafile)))
    try:
        with socket.create_connection((host, parts.port or 443), timeout=timeout) as raw, \
                context.wrap_socket(raw, server_hostname=host) as tls:
            der = tls.getpeercert(binary_form=True)
    except ssl.SSLError as err:
        raise SyncError("sync.tls_untrusted", url=url, reason=_ssl_reason(err)) from None
    except OSError:
        raise OfflineError(url=url) from None
    if not der:
        raise SyncError("sync.tls_untrusted", url=url, reason="no certificate")
    return der


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


class _PinnedAdapter(HTTPAdapter):
    """Every connection must present the pinned certificate (urllib3 compares it after verifying the chain)."""

    def __init__(self, pin: str) -> None:
        self._pin = pin
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        kwargs["assert_fingerprint"] = self._pin
        super().init_poolmanager(*args, **kwargs)


class SyncClient:
    def __init__(self, base_url: str, token: str | None = None, *, timeout: tuple[float, float] = (5.0, 60.0),
                 tls: TlsTrust | None = None, retries: int = 3, sleep: Any = time.sleep) -> None:
        self.base_url = check_url(base_url)
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep
        self.http = requests.Session()
        # Always a CA bundle, never False. Passed on every request as well: requests lets REQUESTS_CA_BUNDLE
        # override a session's own bundle, which would replace the provisioned CA.
        self._verify = self.http.verify = trust_store(tls)
        if tls is not None and tls.pin:
            self.http.mount("https://", _PinnedAdapter(tls.pin))
        self.http.headers["User-Agent"] = f"{USER_AGENT}/{__version__}"

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, *, public: bool = False, wait_busy: bool = True,
                 **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.token and not public:
            headers[AUTH_HEADER] = f"Bearer {self.token}"
        url = f"{self.base_url}{path if public else API + path}"
        if url.startswith("https://"):
            kwargs["verify"] = self._verify
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.http.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            except requests.exceptions.SSLError as err:
                raise _tls_error(self.base_url, err) from None
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                # ChunkedEncodingError: the answer was cut mid-body. Every call is safe to repeat (ops by op id,
                # blobs by offset), so it is retried like a refused connection.
                if attempt > self.retries:
                    log.info("offline: %s %s: %s", method, path, type(err).__name__)
                    raise OfflineError(url=self.base_url) from None
                self._sleep(min(0.2 * 2 ** attempt, 3.0))
                continue
            if response.status_code in (429, 503) and attempt <= self.retries and wait_busy:
                wait = _retry_after(response.headers.get(RETRY_AFTER))
                log.info("server asked to wait %.1fs", wait)
                self._sleep(wait)
                continue
            if response.status_code >= 400:
                try:
                    body = response.json()
                except ValueError:
                    body = None
                raise from_body(response.status_code, body)
            return response

    def _json(self, response: requests.Response) -> Any:
        try:
            return response.json()
        except ValueError:
            raise GarbageError(status=response.status_code) from None

    # ---- endpoints ---------------------------------------------------------------------------------
    def ping(self) -> dict[str, Any]:
        data = self._json(self._request("GET", Paths.PING))
        if not isinstance(data, dict) or "server_time" not in data:
            raise GarbageError(status=200)
        return data

    def enroll(self, code: str, device_name: str, csr_pem: str | None = None) -> dict[str, Any]:
        body = {"code": code, "device_name": device_name, "csr_pem": csr_pem}
        # a refused code is not retried: after too many the server answers 429 for a while (said, not waited)
        data = self._json(self._request("POST", Paths.ENROLL, json=body, wait_busy=False))
        if not isinstance(data, dict) or "token" not in data:
            raise GarbageError(status=200)
        return data

    def push(self, ops: list[Op]) -> list[OpResult]:
        # the device's clock as it sends: the server judges the times in the ops against it
        data = self._json(self._request("POST", Paths.PUSH, json={"ops": ops}, headers={CLOCK_HEADER: clock.now_iso()}))
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(ops):
            raise GarbageError(status=200)
        return results

    def changes(self, since: str, limit: int, *, light: bool = False, history: bool = False) -> dict[str, Any]:
        """A page of the feed after cursor ``since`` (kept as the server wrote it); ``light``: the cases
        without history and documents; ``history``: only those, the page marked ``"history": true`` (a server
        that does not know an option sends whole records, which the laptop applies as well). The page's
        ``cursor`` is always returned as a string."""
        params: dict[str, Any] = {"since": since, "limit": limit}
        if light:
            params["light"] = "true"
        if history:
            params["history"] = "true"
        data = self._json(self._request("GET", Paths.CHANGES, params=params))
        if not isinstance(data, dict) or not isinstance(data.get("changes"), list) or "cursor" not in data:
            raise GarbageError(status=200)
        try:
            data["cursor"] = format_cursor(*parse_cursor(str(data["cursor"])))  # a protocol-1 server sends an int
        except ValueError:
            raise GarbageError(status=200) from None
        return data

    def get(self, path: str) -> Any:
        return self._json(self._request("GET", path))

    def post(self, path: str, body: Any) -> Any:
        return self._json(self._request("POST", path, json=body))

    def public_bytes(self, path: str) -> bytes:
        """A public, unauthenticated resource outside the API (the CRL, the verification page)."""
        return self._request("GET", path, public=True).content

    def blob_status(self, sha256: str) -> tuple[int, bool]:
        data = self._json(self._request("GET", Paths.BLOB_STATUS.format(sha256=sha256)))
        return int(data.get("size", 0)), bool(data.get("complete"))

    def blob_put(self, sha256: str, offset: int, chunk: bytes, final: bool) -> tuple[int, bool]:
        data = self._json(self._request("PUT", Paths.BLOB.format(sha256=sha256),
                                        params={"offset": offset, "final": final},
                                        data=chunk, headers={"Content-Type": "application/octet-stream"}))
        return int(data.get("size", 0)), bool(data.get("complete"))

    def blob_get(self, sha256: str) -> bytes:
        return self._request("GET", Paths.BLOB.format(sha256=sha256)).content


def _tls_error(url: str, err: requests.exceptions.SSLError) -> SyncError:
    if "Fingerprints did not match" in str(err):
        log.warning("TLS certificate of %s is not the one pinned at enrolment", url)
        return TlsChangedError(url=url)
    reason = _ssl_reason(err)
    log.warning("TLS refused for %s: %s", url, reason)
    return SyncError("sync.tls_untrusted", url=url, reason=reason)


def _ssl_reason(err: BaseException) -> str:
    """The innermost ssl error's short reason ("self-signed certificate", "Hostname mismatch, …")."""
    seen: list[BaseException] = [err]
    while seen:
        current = seen.pop()
        if isinstance(current, ssl.SSLError):
            return str(getattr(current, "verify_message", None) or current.reason or current)[:200]
        seen += [a for a in (*current.args, getattr(current, "reason", None), current.__cause__)
                 if isinstance(a, BaseException)]
    return type(err).__name__


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, min(float(value or 1), MAX_RETRY_AFTER))
    except ValueError:
        return 1.0
