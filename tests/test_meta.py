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
