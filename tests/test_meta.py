"""The device state in the store's meta table, through its typed accessors."""

from __future__ import annotations

from app.services.workspace import Workspace
from app.storage import meta


def test_server_url_prefers_the_enrolled_one(ws: Workspace) -> None:
    with ws.db.read() as s:
        assert meta.server_url(s) is None
        assert meta.server_url(s, "https://loket.malangkota.go.id") == "https://loket.malangkota.go.id"
    with ws.db.write() as s:
        meta.set_server_url(s, "https://sync.example.test/")
        meta.set_server_device(s, "siti", "dev-1")
    with ws.db.read() as s:
        assert meta.server_url(s, "https://loket.malangkota.go.id") == "https://sync.example.test"
        assert meta.server_device(s, "siti") == "dev-1"
        assert meta.server_device(s, "lurah") is None


def test_the_approval_counter_only_moves_forward(ws: Workspace) -> None:
    with ws.db.read() as s:
        assert meta.approval_chain(s, "lurah") == meta.ApprovalChain(0, None)
    with ws.db.write() as s:
        meta.set_approval_chain(s, "lurah", 3, "a" * 64)
        meta.catch_up_approval_counter(s, "lurah", 2)  # the server saw less: nothing changes
    with ws.db.read() as s:
        assert meta.approval_chain(s, "lurah") == meta.ApprovalChain(3, "a" * 64)
    with ws.db.write() as s:
        meta.catch_up_approval_counter(s, "lurah", 7)  # a restored laptop: never reuse what the server saw
    with ws.db.read() as s:
        assert meta.approval_chain(s, "lurah") == meta.ApprovalChain(7, "a" * 64)
        assert meta.approval_chain(s, "camat").counter == 0


def test_device_people_and_sync_state(ws: Workspace) -> None:
    from app.storage.models import Meta

    with ws.db.read() as s:
        assert meta.device_id(s) == ws.device_id
        assert meta.tls_pin(s) is None and meta.last_sync(s) is None and meta.pull_cursor(s, "siti") == "0"
        assert not meta.has_local_secret(s, "siti") and meta.demo_seeded(s) is None
    with ws.db.write() as s:
        meta.set_active_user(s, "siti")
        meta.mark_local_secret(s, "siti")
        meta.set_tls_pin(s, "ab" * 32)
        meta.set_server_device(s, "siti", "dev-1")
        meta.set_server_device(s, "lurah", "dev-2")
        s.add(Meta(key="serverXdevice:x", value="not-a-device"))  # "_" is no wildcard in the look-up
        meta.set_pull_cursor(s, "siti", "7450012:42")
        meta.set_history_cursor(s, "siti", "42")
        meta.set_last_sync(s, "2026-12-02T02:47:00Z")
    with ws.db.read() as s:
        assert meta.active_user(s) == "siti" and meta.has_local_secret(s, "siti")
        assert meta.tls_pin(s) == "ab" * 32
        assert meta.server_devices(s) == {"dev-1", "dev-2"}
        assert meta.pull_cursor(s, "siti") == "7450012:42" and meta.history_cursor(s, "siti") == "42"
        assert meta.last_sync(s) == "2026-12-02T02:47:00Z"
    with ws.db.write() as s:
        meta.set_tls_pin(s, None)  # enrolled again under a provisioned CA: the pin goes
        s.get(Meta, "cursor:siti").value = "rusak"  # type: ignore[union-attr]
        meta.end_history(s, "siti")
    with ws.db.read() as s:
        assert meta.tls_pin(s) is None and meta.pull_cursor(s, "siti") == "0"  # a damaged cursor starts over
        assert meta.history_cursor(s, "siti") is None
    with ws.db.write() as s:
        s.get(Meta, "cursor:siti").value = "1234"  # type: ignore[union-attr]  # saved by an older release
    with ws.db.read() as s:
        assert meta.pull_cursor(s, "siti") == "1234"


def test_meta_keys_are_read_and_written_only_through_app_storage_meta() -> None:
    """One way to the meta table: app.storage.meta's typed functions; no untyped get/set by key."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    pattern = re.compile(r"\b(get_meta|set_meta|delete_meta)\(")
    found = {str(path.relative_to(root)) for folder in ("app", "sync", "ui", "tests", "bench", "docs")
             for path in (root / folder).rglob("*.py")
             if path.name != "test_meta.py"
             and pattern.search(path.read_text(encoding="utf-8"))}
    assert not found, found
