"""Refused work is visible where people work, and one bad op never holds back the rest.

A step the server refuses shows in ``loket-cli sync`` (text and JSON), in ``case show``, in ``refusals list``
and in the log (without personal data); discarding marks it handled and it stays in the case's history.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from pathlib import Path

from samples import NIK_WOMAN
from scenarios.office import enrol, register_skd
from support.server import Laptop, ServerProcess
from support.store_keys import open_store


def test_a_step_taken_on_an_outdated_case_is_refused_visibly(office: Laptop, server: ServerProcess,
                                                              new_laptop: Callable[[str], Laptop],
                                                              tmp_path: Path) -> None:
    case_id = register_skd(office, tmp_path)
    office.ok("sync")
    home = new_laptop("rumah")  # siti withdraws the request from another laptop at the citizen's wish
    enrol(home, server, "siti")
    home.ok("sync")
    home.ok("--user", "siti", "case", "withdraw", case_id)
    assert home.ok("sync")["rejected"] == 0

    office.ok("--user", "bambang", "case", "verify", case_id)  # not yet knowing it was withdrawn
    text = office.run("sync")
    assert text.returncode == 0
    assert "ditolak 1" in text.stdout and "Ditolak server" in text.stdout
    assert "sudah diproses di perangkat lain" in text.stdout and "Ani Lestari" in text.stdout

    [waiting] = office.ok("refusals", "list")
    assert waiting["case_id"] == case_id and waiting["kind"] == "case.transition" and waiting["errno"] == 108
    assert waiting["what"].startswith("Langkah: verifikasi") and waiting["detail"]  # the server's own words
    assert waiting["todo"] == "discard" and waiting["refused_at"]

    again = office.ok("sync")  # JSON keeps the count of this run and lists what still waits
    assert again["rejected"] == 0 and [r["op_id"] for r in again["refusals"]] == [waiting["op_id"]]

    shown = office.ok("case", "show", case_id)
    assert shown["status"] == "withdrawn"
    assert [r["op_id"] for r in shown["refusals"]] == [waiting["op_id"]]
    assert "DITOLAK SERVER" in office.run("case", "show", case_id).stdout

    log = (office.profile / "logs" / "loket-cli.log").read_text(encoding="utf-8")
    line = next(x for x in log.splitlines() if "op refused" in x)
    assert case_id in line and "case.transition" in line and "108" in line
    assert "Ani Lestari" not in log and NIK_WOMAN not in log

    office.ok("--user", "bambang", "refusals", "dismiss", waiting["op_id"][:8])
    assert office.ok("refusals", "list") == []
    [kept] = office.ok("case", "show", case_id)["refusals"]
    assert kept["handled"] is True  # never deleted silently: still in the case's history


def _bad_op(device: Laptop, case_id: str) -> str:
    """An op no valid client makes (a name sent as a list), queued ahead of good work, as an old import did."""
    op_id = str(uuid.uuid4())
    con = open_store(device.profile / "loket.db", env=device.env)  # the laptop's own encrypted store
    try:
        version = con.execute("SELECT version FROM cases WHERE id = ?", (case_id,)).fetchone()[0]
        con.execute("INSERT INTO outbox (op_id, kind, case_id, base_version, payload, actor, created_at, state, "
                    "priority, attempts) VALUES (?, 'case.edit', ?, ?, ?, 'siti', '2026-12-01T08:00:00+07:00', "
                    "'pending', 1, 0)", (op_id, case_id, version, json.dumps({"name": ["Ani", "Lestari"]})))
        con.commit()
    finally:
        con.close()
    return op_id


def test_one_malformed_op_is_set_aside_and_the_rest_goes_out(office: Laptop, server: ServerProcess,
                                                              tmp_path: Path) -> None:
    first = register_skd(office, tmp_path, submit=False)
    office.ok("sync")
    bad = _bad_op(office, first)
    second = register_skd(office, tmp_path, name="Budi Santoso", nik="3573010101850002")

    report = office.ok("sync")
    assert report["pending"] == 0 and report["rejected"] == 1
    [refused] = report["refusals"]
    assert refused["op_id"] == bad and refused["errno"] in (100, 107, 999)
    assert refused["todo"] in ("edit", "resend")
    token = server.token("siti")
    on_server = {c["id"]: c for c in server.all_cases(token)}
    assert on_server[second]["status"] == "submitted"  # the good work behind it arrived
    assert on_server[first]["name"] == "Ani Lestari"
