"""A morning offline at the counter, then back online: one sync delivers the work, the feed brings it back,
and the laptop's list, search and history stay what the people see on the server.

The feed returns every case a laptop has just pushed, with the server's time and device; the laptop writes
only what differs, so a name it already holds keeps its search entry, and a colleague's correction of a name
replaces the old entry (the search finds the new name, not the old one).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from samples import NIK_MAN, NIK_WOMAN
from scenarios.office import enrol, register_skd
from support.server import Laptop, ServerProcess

pytestmark = pytest.mark.timeout(600)  # real processes on a shared machine

NIK_THIRD = "3573014101900002"  # a woman born 01-01-1990 (day + 40), Blimbing


def names_found(device: Laptop, term: str) -> list[str]:
    return sorted(c["name"] for c in device.ok("--user", "siti", "case", "list", "--search", term))


def test_a_morning_offline_then_one_sync_and_a_colleagues_correction(
        office: Laptop, server: ServerProcess, new_laptop: Callable[[str], Laptop], tmp_path: Path) -> None:
    office.ok("sync")
    server.stop()  # the network goes
    ani = register_skd(office, tmp_path, name="Ani Lestari", nik=NIK_WOMAN, submit=False)
    budi = register_skd(office, tmp_path, name="Budi Santoso", nik=NIK_MAN, submit=False)
    citra = register_skd(office, tmp_path, name="Citra Dewi", nik=NIK_THIRD, submit=False)
    office.ok("--user", "siti", "case", "edit", citra, "--name", "Citra Dewanti")  # a typo seen at the counter
    failed = office.run("sync")
    assert failed.returncode != 0

    server.start()  # back online
    report = office.ok("sync")
    # three cases, each with its three scanned documents, and the edit
    assert (report["pushed"], report["rejected"], report["pending"]) == (13, 0, 0), report["refused"]
    assert report["pulled"] >= 3  # the feed brought the three cases back
    assert names_found(office, "santoso") == ["Budi Santoso"]
    assert names_found(office, "dewanti") == ["Citra Dewanti"] and names_found(office, "citra dewi") == []
    for case_id in (ani, budi, citra):
        shown = office.ok("--user", "siti", "case", "show", case_id)
        created = shown["events"][0]
        assert created["on_server"] and created["this_device"], created
    edited = office.ok("--user", "siti", "case", "show", citra)["events"][-1]
    assert edited["received_at"], edited  # the server's receipt time came back with the feed

    # A colleague at the back-office laptop corrects a name; the counter laptop takes the correction.
    back = new_laptop("belakang")
    enrol(back, server, "siti")
    back.ok("sync")
    back.ok("--user", "siti", "case", "edit", budi, "--name", "Budi Santosa")
    assert back.ok("sync")["pushed"] == 1
    again = office.ok("sync")
    assert again["pushed"] == 0 and again["pulled"] >= 1
    assert names_found(office, "santosa") == ["Budi Santosa"] and names_found(office, "santoso") == []
    assert len(office.ok("--user", "siti", "case", "list")) == 3
    quiet = office.ok("sync")
    assert (quiet["pushed"], quiet["pulled"]) == (0, 0)
