"""The doctor's network checks: is the server reachable, and how far is this laptop's clock from it.

``app/`` never imports ``sync/``, so ``app.services.doctor.run`` receives these through its ``extra``
parameter (``doctor.run(ws, extra=network_checks(cfg))``). Both checks share one ``/ping`` round trip.
The ping needs no token; nothing secret is sent or logged.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass

from app import clock, config
from app.i18n import register, tr
from app.services.doctor import Check
from app.services.workspace import Workspace
from app.storage import meta
from sync.client import SyncClient, TlsTrust
from sync.errors import SyncError
from sync.protocol import PROTOCOL_VERSION
from sync.tls import trust_for

SKEW_FAIL_MINUTES = 60  # beyond this, letters would carry a wrong signing time: fix the clock first

register({
    "doctor.no_server": {"id": "alamat server belum diatur (daftarkan perangkat atau isi server_url di loket.toml)",
                         "en": "no server address yet (enrol the device or set server_url in loket.toml)"},
    "doctor.unreachable": {"id": "{url} tidak terjangkau: {error}", "en": "{url} not reachable: {error}"},
    "doctor.server": {"id": "{url} menjawab dalam {ms} ms (versi {version})",
                      "en": "{url} answered in {ms} ms (version {version})"},
    "doctor.protocol": {"id": " — protokol {theirs}, aplikasi ini {ours}",
                        "en": " — protocol {theirs}, this app {ours}"},
    "doctor.clock_alone": {"id": "jam perangkat {now} UTC; tidak bisa dibandingkan dengan server",
                           "en": "device clock {now} UTC; cannot be compared with the server"},
    "doctor.clock_ahead": {"id": "jam perangkat {seconds} detik lebih cepat dari server",
                           "en": "device clock {seconds} s ahead of the server"},
    "doctor.clock_behind": {"id": "jam perangkat {seconds} detik lebih lambat dari server",
                            "en": "device clock {seconds} s behind the server"},
    "doctor.clock_fix": {"id": " — perbaiki jam sebelum menandatangani", "en": " — fix the clock before signing"},
})


@dataclass
class PingResult:
    url: str | None
    server_time: dt.datetime | None = None
    local_mid: dt.datetime | None = None
    round_trip: float = 0.0
    version: str = ""
    protocol: int | None = None
    error: str | None = None


def server_url(ws: Workspace, cfg: config.Config) -> str | None:
    """The enrolled server (profile), else the provisioned one (``server_url`` in loket.toml)."""
    with ws.db.read() as s:
        return meta.server_url(s, cfg.get(config.SERVER_URL))


def _parse_time(text: str) -> dt.datetime:
    parsed = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def ping(url: str, *, timeout: float = 5.0, now: Callable[[], dt.datetime] = clock.now,
         tls: TlsTrust | None = None) -> PingResult:
    """One ``/ping`` without retries; the local time is taken at the middle of the round trip."""
    try:
        client = SyncClient(url, timeout=(timeout, timeout), retries=0, tls=tls)
    except SyncError as err:  # a clear-text address to another machine
        return PingResult(url, error=err.message)
    try:
        before, started = now(), time.monotonic()
        data = client.ping()
        elapsed = time.monotonic() - started
        local_mid = before + dt.timedelta(seconds=elapsed / 2)
        return PingResult(url, _parse_time(str(data["server_time"])), local_mid, elapsed,
                          str(data.get("version", "")), data.get("protocol"))
    except SyncError as err:
        return PingResult(url, error=err.message)
    except Exception as err:  # a bad URL, a TLS failure, an odd answer: the verdict says which
        return PingResult(url, error=f"{type(err).__name__}: {err}")
    finally:
        client.close()


def network_checks(cfg: config.Config | None = None, *,
                   now: Callable[[], dt.datetime] = clock.now) -> list[Callable[[Workspace], Check]]:
    """``[check_server, check_clock]`` sharing one ping; ``cfg`` defaults to the profile's settings."""
    cache: dict[str, PingResult] = {}

    def _ping(ws: Workspace) -> PingResult:
        if "result" not in cache:
            settings = cfg or config.load(ws.profile)
            url = server_url(ws, settings)
            cache["result"] = ping(url, now=now, tls=trust_for(ws)) if url else PingResult(None)
        return cache["result"]

    def check_server(ws: Workspace) -> Check:
        result = _ping(ws)
        if result.url is None:
            return Check("server", False, tr("doctor.no_server"))
        if result.error:
            return Check("server", False, tr("doctor.unreachable", url=result.url, error=result.error))
        text = tr("doctor.server", url=result.url, ms=f"{result.round_trip * 1000:.0f}", version=result.version)
        if result.protocol is not None and result.protocol != PROTOCOL_VERSION:
            return Check("server", False, text + tr("doctor.protocol", theirs=result.protocol, ours=PROTOCOL_VERSION))
        return Check("server", True, text)

    def check_clock(ws: Workspace) -> Check:
        result = _ping(ws)
        if result.server_time is None or result.local_mid is None:
            return Check("clock", True, tr("doctor.clock_alone", now=f"{now():%Y-%m-%d %H:%M}"), warn=True)
        skew = (result.local_mid - result.server_time).total_seconds()
        limit = (cfg or config.load(ws.profile)).get(config.CLOCK_SKEW_WARN_MINUTES) * 60
        text = tr("doctor.clock_ahead" if skew > 0 else "doctor.clock_behind", seconds=f"{abs(skew):.0f}")
        if abs(skew) > SKEW_FAIL_MINUTES * 60:
            return Check("clock", False, text + tr("doctor.clock_fix"))
        return Check("clock", True, text, warn=abs(skew) > limit)

    return [check_server, check_clock]
