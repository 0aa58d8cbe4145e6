"""HTTP client of the sync protocol: the only module that imports ``requests``.

Timeouts on every call, TLS verification always on (optionally pinned to the city CA bundle), a
User-Agent, ``Retry-After`` honoured on 503/429, a few retries with backoff on connection errors.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests

from app import __version__
from sync.errors import GarbageError, OfflineError, from_body
from sync.protocol import API, AUTH_HEADER, RETRY_AFTER, USER_AGENT, Op, OpResult

log = logging.getLogger("loket.sync.client")
MAX_RETRY_AFTER = 30.0


class SyncClient:
    def __init__(self, base_url: str, token: str | None = None, *, timeout: tuple[float, float] = (5.0, 60.0),
                 verify: bool | str = True, retries: int = 3, sleep: Any = time.sleep) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.retries = retries
        self._sleep = sleep
        self.http = requests.Session()
        self.http.verify = verify  # a path pins the city CA; never False
        self.http.headers["User-Agent"] = f"{USER_AGENT}/{__version__}"

    def close(self) -> None:
        self.http.close()

    def _request(self, method: str, path: str, *, public: bool = False, **kwargs: Any) -> requests.Response:
        headers = kwargs.pop("headers", {})
        if self.token and not public:
            headers[AUTH_HEADER] = f"Bearer {self.token}"
        url = f"{self.base_url}{path if public else API + path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.http.request(method, url, headers=headers, timeout=self.timeout, **kwargs)
            except (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError) as err:
                # ChunkedEncodingError: the answer was cut mid-body. Every call is safe to repeat (ops by op id,
                # blobs by offset), so it is retried like a refused connection.
                if attempt > self.retries:
                    log.info("offline: %s %s: %s", method, path, type(err).__name__)
                    raise OfflineError(url=self.base_url) from None
                self._sleep(min(0.2 * 2 ** attempt, 3.0))
                continue
            if response.status_code in (429, 503) and attempt <= self.retries:
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
        data = self._json(self._request("GET", "/ping"))
        if not isinstance(data, dict) or "server_time" not in data:
            raise GarbageError(status=200)
        return data

    def enroll(self, code: str, device_name: str, csr_pem: str | None = None) -> dict[str, Any]:
        body = {"code": code, "device_name": device_name, "csr_pem": csr_pem}
        data = self._json(self._request("POST", "/enroll", json=body))
        if not isinstance(data, dict) or "token" not in data:
            raise GarbageError(status=200)
        return data

    def push(self, ops: list[Op]) -> list[OpResult]:
        data = self._json(self._request("POST", "/push", json={"ops": ops}))
        results = data.get("results") if isinstance(data, dict) else None
        if not isinstance(results, list) or len(results) != len(ops):
            raise GarbageError(status=200)
        return results

    def changes(self, since: int, limit: int) -> dict[str, Any]:
        data = self._json(self._request("GET", "/changes", params={"since": since, "limit": limit}))
        if not isinstance(data, dict) or not isinstance(data.get("changes"), list) or "cursor" not in data:
            raise GarbageError(status=200)
        return data

    def get(self, path: str) -> Any:
        return self._json(self._request("GET", path))

    def post(self, path: str, body: Any) -> Any:
        return self._json(self._request("POST", path, json=body))

    def public_bytes(self, path: str) -> bytes:
        """A public, unauthenticated resource outside the API (the CRL, the verification page)."""
        return self._request("GET", path, public=True).content

    def blob_status(self, sha256: str) -> tuple[int, bool]:
        data = self._json(self._request("GET", f"/blobs/{sha256}/status"))
        return int(data.get("size", 0)), bool(data.get("complete"))

    def blob_put(self, sha256: str, offset: int, chunk: bytes, final: bool) -> tuple[int, bool]:
        data = self._json(self._request("PUT", f"/blobs/{sha256}", params={"offset": offset, "final": final},
                                        data=chunk, headers={"Content-Type": "application/octet-stream"}))
        return int(data.get("size", 0)), bool(data.get("complete"))

    def blob_get(self, sha256: str) -> bytes:
        return self._request("GET", f"/blobs/{sha256}").content


def _retry_after(value: str | None) -> float:
    try:
        return max(0.0, min(float(value or 1), MAX_RETRY_AFTER))
    except ValueError:
        return 1.0
