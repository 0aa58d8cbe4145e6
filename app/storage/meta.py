"""The device state kept in the store's ``meta`` table, read and written through typed functions only.

Each value has one spelling of its key, one type and one meaning, here; callers never build a key string.
Every function works in the caller's session, so a value changes in the same transaction as the work it
belongs to (an approval's counter with the approval, a pull cursor with the page it covers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.storage.models import Meta


def _get(s: Session, key: str) -> str | None:
    row = s.get(Meta, key)
    return row.value if row else None


def _set(s: Session, key: str, value: str) -> None:
    row = s.get(Meta, key)
    if row is None:
        s.add(Meta(key=key, value=value))
    else:
        row.value = value


def _delete(s: Session, key: str) -> None:
    row = s.get(Meta, key)
    if row is not None:
        s.delete(row)


def _int(s: Session, key: str) -> int:
    try:
        return int(_get(s, key) or 0)
    except ValueError:  # a damaged value counts as never set; the next write repairs it
        return 0


# ---- this device and who works on it -----------------------------------------------------------------------

def device_id(s: Session) -> str | None:
    """This profile's own device id (made once, on first open; see Workspace)."""
    return _get(s, "device_id")


def set_device_id(s: Session, value: str) -> None:
    _set(s, "device_id", value)


def forget_device_id(s: Session) -> None:
    """A copied profile (a test template) makes its own id on first open."""
    _delete(s, "device_id")


def active_user(s: Session) -> str | None:
    """Who works on this laptop now (the last person chosen or enrolled)."""
    return _get(s, "active_user")


def set_active_user(s: Session, username: str) -> None:
    _set(s, "active_user", username)


def has_local_secret(s: Session, username: str) -> bool:
    """Whether a password or PIN was set for ``username`` on this laptop (the verifier is in the keyring)."""
    return _get(s, f"secret:{username}") is not None


def mark_local_secret(s: Session, username: str) -> None:
    _set(s, f"secret:{username}", "1")


def demo_seeded(s: Session) -> str | None:
    """When the demo office's data was written into this profile (``None``: never, or not a demo profile)."""
    return _get(s, "demo_seeded")


def set_demo_seeded(s: Session, at: str) -> None:
    _set(s, "demo_seeded", at)


# ---- the server ------------------------------------------------------------------------------------------

def server_url(s: Session, provisioned: str | None = None) -> str | None:
    """The server this device talks to: the one it enrolled with; before enrolment, ``provisioned`` (the
    ``server_url`` IT set in loket.toml, if the caller has it)."""
    return _get(s, "server_url") or provisioned or None


def set_server_url(s: Session, url: str) -> None:
    """Recorded at enrolment: from then on the device talks to this server."""
    _set(s, "server_url", url.rstrip("/"))


def server_device(s: Session, username: str) -> str | None:
    """The device id the server gave ``username``'s enrolment on this laptop."""
    return _get(s, f"server_device:{username}")


def set_server_device(s: Session, username: str, device_id: str) -> None:
    _set(s, f"server_device:{username}", device_id)


def server_devices(s: Session) -> set[str]:
    """Every device id the server gave a person enrolled on this laptop."""
    stmt = select(Meta.value).where(Meta.key.like("server\\_device:%", escape="\\"))
    return set(s.scalars(stmt))


def tls_pin(s: Session) -> str | None:
    """The server certificate's fingerprint pinned at enrolment (``None`` with a provisioned CA or over http)."""
    return _get(s, "server_tls_pin")


def set_tls_pin(s: Session, pin: str | None) -> None:
    """Pin ``pin``, or with ``None`` forget the pin (the trust is then the provisioned CA)."""
    if pin:
        _set(s, "server_tls_pin", pin)
    else:
        _delete(s, "server_tls_pin")


# ---- sync ------------------------------------------------------------------------------------------------

def last_sync(s: Session) -> str | None:
    """When this laptop last finished a sync (ISO, UTC)."""
    return _get(s, "last_sync")


def set_last_sync(s: Session, at: str) -> None:
    _set(s, "last_sync", at)


# A feed cursor is the server's string, kept as it was sent ("SEQ" or "XID:SEQ", see sync.protocol); the integer
# an older release saved reads as the same string. A damaged value reads as the start: the pull begins again.
START_CURSOR = "0"
_CURSOR = re.compile(r"[0-9]{1,19}(?::[0-9]{1,19})?")


def _cursor(s: Session, key: str) -> str | None:
    value = _get(s, key)
    if value is None:
        return None
    return value if _CURSOR.fullmatch(value) else START_CURSOR


def pull_cursor(s: Session, username: str) -> str:
    """Where ``username``'s pull of the server's feed stands ("0" before the first page)."""
    return _cursor(s, f"cursor:{username}") or START_CURSOR


def set_pull_cursor(s: Session, username: str, cursor: str) -> None:
    """With the page it covers, in the same transaction."""
    _set(s, f"cursor:{username}", cursor)


def history_cursor(s: Session, username: str) -> str | None:
    """Where the second pass after a light first pull stands (``None``: no pass pending)."""
    return _cursor(s, f"history_cursor:{username}")


def set_history_cursor(s: Session, username: str, cursor: str) -> None:
    _set(s, f"history_cursor:{username}", cursor)


def end_history(s: Session, username: str) -> None:
    """The second pass reached the feed's cursor: nothing more to fetch."""
    _delete(s, f"history_cursor:{username}")


def blobs_complete(s: Session) -> str | None:
    """The feed and history positions at which the last look found no attachment or letter bytes missing."""
    return _get(s, "blobs_complete")


def set_blobs_complete(s: Session, state: str | None) -> None:
    if state is None:
        _delete(s, "blobs_complete")
    else:
        _set(s, "blobs_complete", state)


def history_pending(s: Session) -> bool:
    """The second pass after a light first pull has not finished for someone on this laptop: cases from the
    server may still lack their history and documents."""
    found = s.execute(select(Meta.key).where(Meta.key.like("history\\_cursor:%", escape="\\")).limit(1))
    return found.first() is not None


DEFERRED_INDEXES = "deferred_indexes"  # written by app.storage.replica in SQL of its own


def list_indexes_deferred(s: Session) -> bool:
    """Whether an initial pull dropped the case list's indexes and they still wait to be rebuilt."""
    return _get(s, DEFERRED_INDEXES) is not None


# ---- a signer's approval chain -----------------------------------------------------------------------------

@dataclass(frozen=True)
class ApprovalChain:
    """Where a signer's chain of approval events stands on this laptop: the counter of the last event signed
    here (0 before the first) and that event's hash (the next one links to it)."""

    counter: int
    last_hash: str | None


def approval_chain(s: Session, username: str) -> ApprovalChain:
    return ApprovalChain(_int(s, f"approval_counter:{username}"), _get(s, f"approval_last:{username}"))


def set_approval_chain(s: Session, username: str, counter: int, last_hash: str) -> None:
    """After an approval event is signed: its counter and hash, in the approval's own transaction."""
    _set(s, f"approval_counter:{username}", str(counter))
    _set(s, f"approval_last:{username}", last_hash)


def catch_up_approval_counter(s: Session, username: str, seen: int) -> None:
    """Never reuse a counter the server has seen (a laptop restored from an old backup would otherwise sign new
    events under used counters); the last hash stays this laptop's own."""
    if seen > _int(s, f"approval_counter:{username}"):
        _set(s, f"approval_counter:{username}", str(seen))


# ---- the musrenbang rekap ------------------------------------------------------------------------------------

_PAGU = "rekap.pagu.{year}.{office}"  # a kelurahan's ceiling (pagu indikatif) for a budget year, in rupiah
_MAX_PAGU_DIGITS = 16  # 10^15 rupiah is the most a ceiling may be (app.reports.musrenbang.MAX_CEILING)


def _pagu_value(raw: str | None) -> int | None:
    if raw is None or not (raw.isascii() and raw.isdigit()) or len(raw) > _MAX_PAGU_DIGITS:
        return None  # damaged: no ceiling rather than a wrong one
    return int(raw)


def ceilings(s: Session, year: int, offices: list[str]) -> dict[str, int]:
    """The ceilings of ``offices`` for ``year`` set on this laptop (one read); offices without one are left out."""
    keys = {_PAGU.format(year=year, office=code): code for code in offices}
    out: dict[str, int] = {}
    for row in s.execute(select(Meta.key, Meta.value).where(Meta.key.in_(list(keys)))):
        value = _pagu_value(row.value)
        if value is not None:
            out[keys[row.key]] = value
    return out


def set_ceiling(s: Session, year: int, office: str, amount: int | None) -> None:
    """Record a kelurahan's ceiling for ``year`` (``None`` clears it); kept on this laptop, never synced."""
    key = _PAGU.format(year=year, office=office)
    if amount is None:
        _delete(s, key)
    else:
        _set(s, key, str(int(amount)))
