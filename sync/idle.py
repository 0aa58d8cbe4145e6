"""``loket-cli sync`` when there is nothing to do, answered without the sync engine: scripts run it thousands
of times, and SQLAlchemy, the engine and ``requests`` cost a second before the first byte goes out.

:func:`quiet_sync` reads with plain SELECTs (:mod:`app.storage.lightread`) everything that makes
:meth:`sync.engine.SyncEngine.run` do work, and answers None — the ordinary path then runs, unchanged — as soon
as one of them might:

* an op or a document's bytes waiting in the outbox (``push``);
* a pull never made (no cursor), a damaged one, list indexes an initial pull left to rebuild, a history pass
  after a light first pull not finished (``_pull``, ``_pull_history``); an empty feed at cursor "0" is idle
  (a first pull of nothing leaves the store as it was);
* delegations kept for an enrolled person (each page carries that person's delegations, which a pull
  stores again), a signer enrolled (their chain head is asked for on every run, their number blocks topped up);
* a petugas' registration numbers below the low-water mark (a new block is asked for);
* the CA certificate and revocation list older than the engine's refresh age, or never fetched;
* a document or letter the laptop should hold and does not (``_download_blobs``);
* a store at another schema revision than the newest (the ordinary path migrates it), no store, no key, no
  server address, nobody enrolled, a token missing from the keyring;
* a proxy in the environment or a ``.netrc`` (``requests`` would use them, this path does not).

Otherwise it asks the server once per enrolled person, ``GET /changes?since=CURSOR&limit=1`` with that person's
token, over the same TLS trust as :class:`sync.client.SyncClient` (see :func:`_connection`). Only a 200 whose
page is empty, at the same cursor, without delegations, counts as idle; anything else (a change, an error, a
refusal, a revoked token, no network, an answer it does not understand) answers None, so that every error
sentence and exit code stays the ordinary path's. When every person's feed is idle it records what a no-op run
records — ``meta.last_sync`` (the GUI's status bar shows it), nothing else: no audit entry (the engine writes one
only when something was pushed or pulled) — and returns the report the ordinary path prints.

``http.client`` rather than ``requests`` (a tenth of a second to import): the trust is the same — the CA bundle
:func:`sync.client.trust_store` names (IT's file, else ``REQUESTS_CA_BUNDLE``, ``CURL_CA_BUNDLE``, certifi's),
the chain always verified, and with a pin the exact certificate. It also checks the host name where urllib3 with
a pin does not: a stricter check can only send a run to the ordinary path, never accept what that path refuses.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from app.domain.registration import LOW_WATER
from app.storage import lightread
from sync.protocol import TRUST_MAX_AGE

log = logging.getLogger("loket.sync.idle")

CONNECT_TIMEOUT, READ_TIMEOUT = 5.0, 60.0  # SyncClient's (connect, read) timeouts
IDLE_ANSWER_MAX = 64 * 1024  # an empty page is a few hundred bytes: a longer answer goes to the ordinary path
_PROXIES = ("http_proxy", "https_proxy", "all_proxy")


@dataclass(frozen=True)
class _Feed:
    """One enrolled person's feed: where their pull stands and the token it is read with."""

    username: str
    cursor: str
    token: str


@dataclass(frozen=True)
class _Server:
    url: str
    cafile: str | None
    pin: str | None


def quiet_sync(profile: Path) -> dict[str, object] | None:
    """The report of a sync run that had nothing to do (as ``loket-cli sync --json`` prints it, waiting
    refusals included), after recording it; None when the ordinary path must run (see the module's text).
    Whatever goes wrong here is the ordinary path's to meet and to say."""
    try:
        return _quiet_sync(profile.expanduser())
    except Exception as err:  # never this path's sentence or exit code
        log.info("light sync not taken: %s", type(err).__name__)
        return None


def _quiet_sync(profile: Path) -> dict[str, object] | None:
    found = _idle_state(profile)
    if found is None:
        return None
    server, feeds, keys, report = found
    for feed in feeds:
        if not _feed_is_quiet(server, feed):
            return None
    if not _record_last_sync(profile / "loket.db", keys):
        return None
    return report


def _idle_state(profile: Path) -> tuple[_Server, list[_Feed], Any, dict[str, object]] | None:
    """What the store says: the server, each enrolled person's feed, the store's keys and the report; None
    when the store says the run would do work or that this path does not know the store."""
    if any(os.environ.get(name) or os.environ.get(name.upper()) for name in _PROXIES) or os.environ.get("NETRC") \
            or (Path.home() / ".netrc").exists():
        return None
    store = lightread.open_profile(profile)
    if store is None:
        return None
    with store:
        if store.revision != lightread.NEWEST_SCHEMA or store.keys is None:
            return None
        device_id, url = store.meta("device_id"), store.meta("server_url")
        enrolled = [u for u in store.users() if u.enrolled]
        counts = store.outbox_counts()
        if not device_id or not url or not enrolled or counts.get("pending") or store.meta("deferred_indexes"):
            return None
        cursors: dict[str, str] = {}
        for user in enrolled:
            cursor = store.meta(f"cursor:{user.username}")
            if (user.role == "penandatangan" or cursor is None or not _is_cursor(cursor)
                    or store.meta(f"history_cursor:{user.username}") is not None
                    or store.delegation_count(user.username)
                    or (user.role == "petugas" and _registration_left(store, user.office) < LOW_WATER)):
                return None
            cursors[user.username] = cursor
        if _trust_age(profile) > TRUST_MAX_AGE or _blob_missing(store, profile):
            return None
        pin = store.meta("server_tls_pin")
        from app.services import refusalview

        waiting = [refusalview.view(op, case).as_dict() for op, case in store.refusals(refusalview.REFUSED)]
        keys = store.keys
    cafile = _provisioned_ca(profile)
    tokens = _tokens(device_id, list(cursors))
    if tokens is None:
        return None
    report: dict[str, object] = {"pushed": 0, "pulled": 0, "conflicts": counts.get("conflicts", 0), "rejected": 0,
                                 "pending": 0, "blobs_up": 0, "blobs_down": 0, "leases": 0, "refused": [],
                                 "revoked_users": [], "history_pending": False, "refusals": waiting}
    server = _Server(url, cafile, None if cafile else (pin or None))
    return server, [_Feed(u, c, tokens[u]) for u, c in cursors.items()], keys, report


def _is_cursor(text: str) -> bool:
    from sync.protocol import format_cursor, parse_cursor

    try:
        return format_cursor(*parse_cursor(text)) == text
    except ValueError:
        return False


def _registration_left(store: lightread.LightStore, office: str) -> int:
    """:func:`app.services.registration.remaining` for this year: server-leased numbers left."""
    from app import timefmt
    from app.domain.registration import LOCAL_LEASE, REG_SERIES

    return sum(left for ident, left in store.leases_left(office, REG_SERIES, timefmt.today().year)
               if not ident.startswith(LOCAL_LEASE))


def _trust_age(profile: Path) -> float:
    path = profile / "crl.pem"
    try:
        return time.time() - path.stat().st_mtime
    except OSError:
        return float("inf")


def _blob_missing(store: lightread.LightStore, profile: Path) -> bool:
    from app.storage.blobs import BlobStore

    assert store.keys is not None
    blobs = BlobStore(profile / "blobs", cipher=store.keys.blob_cipher())  # as Workspace makes it
    return not all(blobs.has(sha) for sha in store.blob_hashes())


def _provisioned_ca(profile: Path) -> str | None:
    from app import config

    value = config.load(profile).get(config.TLS_CA_FILE)
    return value or None


def _tokens(device_id: str, usernames: list[str]) -> dict[str, str] | None:
    from sync import credentials
    from sync.errors import SyncError

    found: dict[str, str] = {}
    for username in usernames:
        try:
            token = credentials.load_token(device_id, username)
        except SyncError:
            return None
        if not token:
            return None
        found[username] = token
    return found


def ca_bundle(cafile: str | None) -> str:
    """:func:`sync.client.trust_store` without importing ``requests`` (whose default bundle is certifi's)."""
    if cafile:
        return cafile
    found = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
    if found:
        return found
    import certifi

    return str(certifi.where())


def _connection(server: _Server) -> tuple[http.client.HTTPConnection, str] | None:
    """A connection to the server and the path prefix of its address; None for an address the ordinary path
    refuses (clear text to another machine)."""
    from sync.protocol import is_loopback

    parts = urlsplit(server.url)
    host = parts.hostname or ""
    if parts.scheme == "https" and host:
        context = ssl.create_default_context(cafile=ca_bundle(server.cafile))
        return http.client.HTTPSConnection(host, parts.port or 443, timeout=CONNECT_TIMEOUT,
                                           context=context), parts.path.rstrip("/")
    if parts.scheme == "http" and host and is_loopback(host):
        return http.client.HTTPConnection(host, parts.port or 80, timeout=CONNECT_TIMEOUT), parts.path.rstrip("/")
    return None


def _feed_is_quiet(server: _Server, feed: _Feed) -> bool:
    """One ``GET /changes`` as :meth:`sync.client.SyncClient.changes` sends it: True for an empty page at the
    same cursor without delegations."""
    from app import __version__
    from sync.protocol import API, AUTH_HEADER, USER_AGENT, Paths, format_cursor, parse_cursor

    made = _connection(server)
    if made is None:
        return False
    conn, prefix = made
    try:
        conn.connect()
        if conn.sock is not None:
            conn.sock.settimeout(READ_TIMEOUT)
        if server.pin and server.url.startswith("https://"):
            der = conn.sock.getpeercert(binary_form=True) if isinstance(conn.sock, ssl.SSLSocket) else None
            if not der or hashlib.sha256(der).hexdigest() != server.pin.replace(":", "").lower():
                log.info("light sync not taken: the certificate is not the pinned one")
                return False
        query = urlencode({"since": feed.cursor, "limit": 1})
        conn.request("GET", f"{prefix}{API}{Paths.CHANGES}?{query}",
                     headers={AUTH_HEADER: f"Bearer {feed.token}", "User-Agent": f"{USER_AGENT}/{__version__}",
                              "Accept": "application/json"})
        answer = conn.getresponse()
        body = answer.read(IDLE_ANSWER_MAX + 1)  # never the whole of whatever a server sends
        if len(body) > IDLE_ANSWER_MAX:
            log.info("light sync not taken: the feed's answer is not a short empty page")
            return False
        if answer.status != 200:
            log.info("light sync not taken: the feed answered %d", answer.status)
            return False
    finally:
        conn.close()
    page = json.loads(body)
    if not isinstance(page, dict) or page.get("changes") != [] or page.get("more") \
            or page.get("delegations", []) != [] or "cursor" not in page:
        return False
    return bool(format_cursor(*parse_cursor(str(page["cursor"]))) == feed.cursor)


def _record_last_sync(path: Path, keys: Any) -> bool:
    """``meta.last_sync`` as :meth:`sync.engine.SyncEngine.run` sets it at the end of every run, in one write
    transaction like ``Database.write``; False if the store would not take it (the ordinary path then runs)."""
    import sqlcipher3.dbapi2 as sqlcipher

    from app import clock
    from app.storage.keyed import connect

    try:
        con = connect(path, keys)
    except Exception:
        log.info("light sync not taken: the store did not open for writing")
        return False
    try:
        con.isolation_level = None
        con.execute("PRAGMA synchronous = FULL")
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO meta (key, value) VALUES ('last_sync', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (clock.now_iso(),))
        con.execute("COMMIT")
    except sqlcipher.Error:
        log.info("light sync not taken: last_sync not recorded")
        return False
    finally:
        con.close()
    return True
