"""The history pass against the real server: history pages carry only what a light first pull left out, the
pass ends in the first sync run for a small office, and the sync after it is one round trip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.services.workspace import Workspace
from app.storage import meta
from samples import documents
from support.server import Laptop, ServerProcess
from sync import credentials
from sync.client import SyncClient
from sync.engine import SyncEngine
from sync.enroll import enroll
from sync.protocol import START_CURSOR

NIK = "3573015708900003"


def submitted_case(siti: Laptop) -> str:
    folder = siti.profile.parent / "scans"
    folder.mkdir(exist_ok=True)
    args = ["case", "new", "--service", "SKD", "--nik", NIK, "--name", "Ani Lestari",
            "--field", "tempat_lahir=Malang", "--field", "tanggal_lahir=1990-08-17", "--field", "jenis_kelamin=P",
            "--field", "no_kk=3573021204180003", "--field", "alamat=Jl. Ijen 5", "--field", "keperluan=Kerja"]
    for doc, path in documents(folder).items():
        args += ["--attach", f"{doc}={path}"]
    case_id = str(siti.ok(*args)["id"])
    siti.ok("case", "submit", case_id)
    return case_id


def _counting(ws: Workspace, url: str, seen: list[str]) -> SyncClient:
    token = credentials.load_token(ws.device_id, "siti")
    assert token
    client = SyncClient(url, token)
    original = client.http.request

    def counted(method: str, address: str, **kw: Any) -> Any:
        seen.append(f"{method} {address}")
        return original(method, address, **kw)

    client.http.request = counted  # type: ignore[method-assign]
    return client


def test_history_pass_then_one_trip(laptop: Callable[..., Laptop], server: ServerProcess, tmp_path: Path) -> None:
    counter = laptop("siti", "counter")
    ids = [str(counter.ok("case", "new", "--service", "SKD", "--nik", NIK, "--name", f"Warga {i}",
                          "--field", "alamat=Jl. Ijen 5")["id"]) for i in range(2)]
    ids.append(submitted_case(counter))  # with documents and a history
    counter.ok("sync")

    ws = Workspace(tmp_path / "new-laptop")
    enroll(ws, server.url, server.code("siti"))
    seen: list[str] = []
    client = _counting(ws, server.url, seen)

    page = client.changes(START_CURSOR, 5000, history=True)  # the server's history page
    assert page["history"] is True
    assert {c["id"] for c in page["changes"]} == set(ids)
    assert all(set(c) == {"id", "seq", "deleted", "events", "documents"} for c in page["changes"])
    submitted = next(c for c in page["changes"] if c["id"] == ids[2])
    assert [e["action"] for e in submitted["events"]] == ["submit"] and len(submitted["documents"]) >= 1

    stages: list[str] = []
    report = SyncEngine(ws, clients={"siti": client},
                        progress=lambda stage, done, total: stages.append(stage)).run()
    assert report.pulled == 3
    assert "history" in stages
    with ws.db.read() as s:
        assert meta.history_cursor(s, "siti") is None  # the pass ended in the first run
        events = s.connection().exec_driver_sql("SELECT case_id, action FROM case_events").all()
        documents = s.connection().exec_driver_sql("SELECT count(*) FROM attachments").scalar_one()
    assert events == [(ids[2], "submit")] and documents == len(submitted["documents"])

    for _ in range(2):
        seen.clear()
        SyncEngine(ws, clients={"siti": client}).run()
        assert len(seen) == 1 and "/changes" in seen[0], seen

    from app.storage import replica

    looked: list[int] = []
    original_missing = replica.missing_blobs

    def missing(*args: Any, **kw: Any) -> list[str]:
        looked.append(1)
        return original_missing(*args, **kw)

    replica.missing_blobs = missing  # type: ignore[assignment]
    try:
        SyncEngine(ws, clients={"siti": client}).run()  # nothing came in: no look through every hash
        assert looked == []
    finally:
        replica.missing_blobs = original_missing  # type: ignore[assignment]
    submitted_case(counter)  # a new case with documents on the server: the next run looks again
    counter.ok("sync")
    replica.missing_blobs = missing  # type: ignore[assignment]
    try:
        report = SyncEngine(ws, clients={"siti": client}).run()
        assert looked == [1] and report.pulled == 1
    finally:
        replica.missing_blobs = original_missing  # type: ignore[assignment]
    ws.close()


def test_a_case_opened_before_its_history_came_says_so(laptop: Callable[..., Laptop], server: ServerProcess,
                                                       tmp_path: Path) -> None:
    from app.services import cases, caseview

    counter = laptop("siti", "counter")
    case_id = submitted_case(counter)
    counter.ok("sync")
    ws = Workspace(tmp_path / "new-laptop")
    enroll(ws, server.url, server.code("siti"))
    engine = SyncEngine(ws)
    engine._pull_history = lambda username, **kw: None  # type: ignore[method-assign]  # the pass not reached it
    report = engine.run()
    assert report.pulled == 1 and report.history_pending
    shown = cases.show(ws, case_id)
    assert shown["history_coming"] and shown["documents"] == []
    light = caseview.show_light(ws.profile, case_id)
    assert light is not None and light["history_coming"]

    report = SyncEngine(ws).run()
    assert not report.history_pending
    shown = cases.show(ws, case_id)
    assert not shown["history_coming"] and shown["documents"] and shown["events"][-1]["action"] == "submit"
    ws.close()
