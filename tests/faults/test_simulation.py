"""A simulated kelurahan: three laptops and one server, driven by hypothesis.

Laptops: siti on two counter PCs (``a``, ``b``) and bambang the verifikator (``v``), all of Kelurahan
Oro-oro Dowo, in-process Workspaces enrolled with ``sync.enroll``; the server is ``sync.server.core.Server``
on SQLite behind its FastAPI app (through TestClient). Rules: intake, edits, submit/verify/return/withdraw,
going offline and online, syncing, and a device clock off by up to a year. At the end of every example
everyone comes online and syncs twice; then every laptop's state hash equals the server's, every op the
server acknowledged has its effect, and every pair of concurrent same-field edits left a conflict record.

Seeded: ``derandomize=True`` with a fixed seed and no example database, so a failure reproduces exactly;
the falsifying steps are printed by hypothesis and the seed is printed here.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from app import clock
from app.domain.lifecycle import Action
from app.errors import LoketError
from app.services import cases
from app.services.workspace import Workspace
from faults.harness import OFFICE, SKD_FIELDS, LocalServer, enroll_workspace, long_run, new_workspace
from faults.sim_signing import SEEN as SIGNING_SEEN
from faults.sim_signing import STEPS as SIGNING_STEPS
from faults.sim_signing import SigningOffice
from faults.state import diff, laptop_state, server_state, state_hash
from sync.engine import SyncEngine
from sync.errors import SyncError

pytestmark = pytest.mark.timeout(3600 if long_run() else 300)  # the long run takes minutes
SEED = 35730210
EXAMPLES = int(os.environ.get("LOKET_SIM_EXAMPLES", "0")) or (300 if long_run() else 30)
KEYS = ("alamat", "keperluan")  # few fields and few cases: collisions are what is being tested
VALUES = ("Jl. Ijen 1", "Jl. Kawi 2", "Jl. Semeru 3", "Bekerja", "Sekolah", "Malang", "Batu")
STEPS: list[int] = []


class Device:
    def __init__(self, name: str, ws: Workspace, username: str, local: LocalServer) -> None:
        self.name = name
        self.ws = ws
        self.username = username
        self.actor = ws.actor(username)
        self.engine = SyncEngine(ws, clients={username: local.client(self._token())})
        self.online = True
        self.skew = dt.timedelta(0)
        self.seen: dict[str, int] = {}  # case → the server version the local content derives from

    def note_seen(self) -> None:
        """After a sync: cases without waiting ops now hold exactly the server's record."""
        with self.ws.db.read() as s:
            rows = s.connection().exec_driver_sql(
                "SELECT id, server_version FROM cases WHERE server_version IS NOT NULL AND id NOT IN "
                "(SELECT case_id FROM outbox WHERE state = 'pending' AND case_id IS NOT NULL)").fetchall()
        self.seen.update({r[0]: int(r[1]) for r in rows})

    def last_op(self) -> str | None:
        with self.ws.db.read() as s:
            found = s.connection().exec_driver_sql("SELECT op_id FROM outbox ORDER BY seq DESC LIMIT 1").scalar()
        return str(found) if found else None

    def _token(self) -> str:
        from sync import credentials

        token = credentials.load_token(self.ws.device_id, self.username)
        assert token
        return token

    @contextmanager
    def clock(self) -> Iterator[None]:
        """This laptop's wall clock, off by ``skew`` (nothing may depend on it)."""
        real = clock.now
        with mock.patch.object(clock, "now", lambda: real() + self.skew), \
                mock.patch.object(clock, "today", lambda: (real() + self.skew).date()):
            yield

    def case_ids(self) -> list[str]:
        with self.ws.db.read() as s:
            return [r[0] for r in s.connection().exec_driver_sql("SELECT id FROM cases ORDER BY created_at, id")]


class Kelurahan(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        # Ids decide the order of a push batch across cases (and so which edit meets which): seed them, so
        # that one sequence of steps always plays out the same way.
        ids = random.Random(SEED)
        self._ids = mock.patch.object(uuid, "uuid4", lambda: uuid.UUID(int=ids.getrandbits(128), version=4))
        self._ids.start()
        self.tmp = Path(tempfile.mkdtemp(prefix="loket-sim-"))
        self.local = LocalServer(self.tmp / "server")
        self.devices: dict[str, Device] = {}
        for name, username in (("a", "siti"), ("b", "siti"), ("v", "bambang")):
            ws = new_workspace(self.tmp / name)
            enroll_workspace(ws, self.local, username)
            self.devices[name] = Device(name, ws, username, self.local)
        self.steps = 0
        self.edits: dict[str, tuple[str, int]] = {}  # edit op id → (device name, server version seen)
        # A new case's create op refers to the case row and is pushed without a body of its own unless the
        # case changed first: what was registered is read off the laptop right after the intake.
        self.registered: dict[str, dict[str, object]] = {}  # case id → fields as registered

    @initialize(full=st.booleans())
    def first_case(self, full: bool) -> None:
        """Every example starts from one case that all three laptops hold (the common morning)."""
        self.intake("a", full)
        for name in ("a", "b", "v"):
            self.sync(name)

    # ---- rules -------------------------------------------------------------------------------------
    @rule(who=st.sampled_from(["a", "b"]), full=st.booleans())
    def intake(self, who: str, full: bool) -> None:
        dev = self.devices[who]
        files = None
        if full:
            folder = self.tmp / f"scan-{self.steps}"
            folder.mkdir()
            files = {}
            for code in ("ktp", "kk", "pengantar_rt"):
                (folder / code).write_bytes(b"%PDF-1.4\n% " + f"{code} {self.steps}".encode() + b"\n%%EOF\n")
                files[code] = folder / code
        with dev.clock():
            new = cases.create(dev.ws, dev.actor, "SKD", "3573015708900003", f"Warga {self.steps}",
                               SKD_FIELDS if full else {"alamat": "Jl. Ijen"}, files)
        with dev.ws.db.read() as s:
            fields = s.connection().exec_driver_sql("SELECT fields FROM cases WHERE id = ?", (new.id,)).scalar()
        self.registered[new.id] = json.loads(str(fields))
        self.steps += 1

    @rule(who=st.sampled_from(["a", "b"]), pick=st.integers(0, 2), key=st.sampled_from(KEYS),
          value=st.sampled_from(VALUES))
    def edit(self, who: str, pick: int, key: str, value: str) -> None:
        self._edit(who, pick, key, value)

    @rule(who=st.sampled_from(["a", "b"]), pick=st.integers(0, 2), first=st.sampled_from(KEYS),
          second=st.sampled_from(KEYS), value=st.sampled_from(VALUES))
    def edit_two_fields(self, who: str, pick: int, first: str, second: str, value: str) -> None:
        """One field and then another, as a person fills a form: two ops on one case in a row."""
        self._edit(who, pick, first, value + " (1)")
        self._edit(who, pick, second, value + " (2)")

    def _edit(self, who: str, pick: int, key: str, value: str) -> None:
        dev = self.devices[who]
        ids = dev.case_ids()
        if not ids:
            return
        case_id = ids[pick % len(ids)]
        before = dev.last_op()
        with dev.clock(), suppress(LoketError):  # not editable in its status: the person sees why
            cases.edit(dev.ws, dev.actor, case_id, {key: value})
        made = dev.last_op()
        if made != before and made is not None:
            self.edits[made] = (who, dev.seen.get(case_id, 1))
        self.steps += 1

    @rule(who=st.sampled_from(["a", "b", "v"]), pick=st.integers(0, 2),
          action=st.sampled_from([Action.SUBMIT, Action.VERIFY, Action.RETURN, Action.WITHDRAW]))
    def transition(self, who: str, pick: int, action: Action) -> None:
        dev = self.devices[who]
        ids = dev.case_ids()
        if not ids:
            return
        reason = "berkas kurang jelas" if action in (Action.RETURN, Action.WITHDRAW) else None
        with dev.clock(), suppress(LoketError):
            cases.transition(dev.ws, dev.actor, ids[pick % len(ids)], action, reason)
        self.steps += 1

    @rule(who=st.sampled_from(["a", "b", "v"]))
    def toggle_network(self, who: str) -> None:
        self.devices[who].online = not self.devices[who].online

    @rule(who=st.sampled_from(["a", "b", "v"]), days=st.integers(-365, 365))
    def clock_drift(self, who: str, days: int) -> None:
        self.devices[who].skew = dt.timedelta(days=days, seconds=days * 37)

    @precondition(lambda self: any(d.online for d in self.devices.values()))
    @rule(who=st.sampled_from(["a", "b", "v"]))
    def sync(self, who: str) -> None:
        dev = self.devices[who]
        if not dev.online:
            return
        with dev.clock():
            dev.engine.run()
        dev.note_seen()
        self.steps += 1

    # ---- the end of every example ----------------------------------------------------------------
    def teardown(self) -> None:
        try:
            self._converge_and_check()
        finally:
            self._ids.stop()
            STEPS.append(self.steps)
            self.local.close()
            for dev in self.devices.values():
                dev.ws.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _converge_and_check(self) -> None:
        for _ in range(2):
            for dev in self.devices.values():
                dev.online = True
                try:
                    dev.engine.run()
                except SyncError as err:
                    raise AssertionError(f"{dev.name}: sync failed on a good network: {err}") from None
                dev.note_seen()
        snaps = [c for c in self.local.all_cases() if c["office"] == OFFICE]
        server = server_state(snaps)
        for dev in self.devices.values():
            mine = laptop_state(dev.ws.profile / "loket.db", OFFICE)
            assert state_hash(mine) == state_hash(server), (dev.name, diff(mine, server))
        self._acknowledged_not_lost(server)
        self._concurrent_edits_conflict(server)

    def _done_ops(self, dev: Device) -> list[tuple[str, str, str | None, int | None, dict[str, object]]]:
        with dev.ws.db.read() as s:
            rows = s.connection().exec_driver_sql(
                "SELECT op_id, kind, case_id, base_version, payload FROM outbox WHERE state = 'done' "
                "ORDER BY seq").fetchall()
        return [(r[0], r[1], r[2], r[3], json.loads(r[4]) if r[4] else {}) for r in rows]  # "": by reference

    def _server_device(self, dev: Device) -> str:
        with dev.ws.db.read() as s:
            found = s.connection().exec_driver_sql("SELECT value FROM meta WHERE key = ?",
                                                   (f"server_device:{dev.username}",)).scalar()
        return str(found)

    def _acknowledged_not_lost(self, server: dict[str, dict[str, object]]) -> None:
        with self.local.engine.connect() as conn:
            answers = {(r[0], r[1]): json.loads(r[2]) for r in conn.exec_driver_sql(
                "SELECT device, op_id, response FROM idempotency")}
        for dev in self.devices.values():
            device = self._server_device(dev)
            for op_id, kind, case_id, _base, payload in self._done_ops(dev):
                if kind == "blob":
                    continue
                answer = answers.get((device, op_id))
                assert answer is not None and answer["status"] == "applied", (dev.name, kind, op_id, answer)
                if kind == "case.create":
                    assert case_id in server, (dev.name, case_id)
                elif kind == "case.transition":
                    events = server[str(case_id)]["events"]
                    assert isinstance(events, list)
                    assert any(e[0] == payload["action"] and e[4] == device for e in events), (dev.name, op_id)

    def _concurrent_edits_conflict(self, server: dict[str, dict[str, Any]]) -> None:
        """Replay each field's history in the server's order of application: an edit made by a device that
        had not seen another device's later change of that field, with a different value, must have left a
        conflict record (and not overwritten the other value)."""
        with self.local.engine.connect() as conn:
            order = [(r[0], r[1], json.loads(r[2])) for r in conn.exec_driver_sql(
                "SELECT device, op_id, response FROM idempotency ORDER BY rowid")]
            recorded = {(r[0], r[1]) for r in conn.exec_driver_sql("SELECT op_id, field FROM conflicts")}
        ops: dict[str, tuple[str, str | None, dict[str, object]]] = {}
        for dev in self.devices.values():
            for op_id, kind, case_id, _base, payload in self._done_ops(dev):
                ops[op_id] = (kind, case_id, payload)
        value: dict[tuple[str, str], object] = {}
        changed: dict[tuple[str, str], tuple[str, int]] = {}  # (case, field) → (device name, version)
        for _device, op_id, answer in order:
            if op_id not in ops or answer.get("status") != "applied":
                continue
            kind, case_id, payload = ops[op_id]
            if kind == "case.create":
                fields = self.registered[str(case_id)]
                for key in KEYS:
                    value[(str(case_id), key)] = fields.get(key)
                continue
            if kind != "case.edit" or op_id not in self.edits:
                continue
            who, seen_version = self.edits[op_id]
            for key, new in dict(payload.get("fields") or {}).items():  # type: ignore[call-overload]
                slot = (str(case_id), key)
                last = changed.get(slot)
                concurrent = last is not None and last[0] != who and last[1] > seen_version
                if concurrent and last is not None and new != value.get(slot):
                    assert (op_id, key) in recorded, (
                        f"{who}'s edit of {key} (made having seen v{seen_version}) overwrote {last[0]}'s change "
                        f"of v{last[1]} without a conflict record")
                    continue
                if (op_id, key) in recorded or new == value.get(slot):
                    continue
                value[slot] = new
                changed[slot] = (who, int(answer["version"]))
        # and every acknowledged change is there: the replayed history ends where the server's fields are
        for (case_id, key), expected in value.items():
            assert server[case_id]["fields"].get(key) == expected, (case_id, key, expected)


# derandomize: the same examples on every run and machine (a failure reproduces as it is printed). Shrinking
# replays hundreds of examples of a few seconds each, so it is off unless LOKET_SIM_SHRINK=1 asks for it.
PHASES = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if os.environ.get("LOKET_SIM_SHRINK")
                                                          else [])
Kelurahan.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=25, deadline=None,
                                       database=None, derandomize=True, print_blob=True, phases=PHASES,
                                       suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
TestKelurahan = Kelurahan.TestCase


def test_same_field_edit_behind_another_local_edit_conflicts(tmp_path: Path) -> None:
    """The scenario the machine above is built to find, written out: b changes alamat and syncs; a, which
    never saw that, edits keperluan and then alamat offline, and syncs. a's alamat must meet b's as a
    conflict — a's second op carries base version 2 (a's local count), which must not pass for having seen
    the server's version 2 (b's change)."""
    local = LocalServer(tmp_path / "server")
    a, b = new_workspace(tmp_path / "a"), new_workspace(tmp_path / "b")
    for ws in (a, b):
        enroll_workspace(ws, local, "siti")
    sync_a = SyncEngine(a, clients={"siti": local.client(Device("a", a, "siti", local)._token())})
    sync_b = SyncEngine(b, clients={"siti": local.client(Device("b", b, "siti", local)._token())})
    new = cases.create(a, a.actor("siti"), "SKD", "3573015708900003", "Ani", {"alamat": "Jl. Ijen 1"})
    sync_a.run()
    sync_b.run()
    cases.edit(b, b.actor("siti"), new.id, {"alamat": "Jl. Kawi 2"})
    sync_b.run()
    cases.edit(a, a.actor("siti"), new.id, {"keperluan": "Bekerja"})
    cases.edit(a, a.actor("siti"), new.id, {"alamat": "Jl. Semeru 3"})
    report = sync_a.run()
    [snap] = [c for c in local.all_cases() if c["id"] == new.id]
    assert snap["fields"]["alamat"] == "Jl. Kawi 2", "b's change was overwritten without a conflict"
    assert [c["field"] for c in snap["conflicts"]] == ["alamat"] and report.conflicts == 1
    local.close()


# The same office signing: a shared laptop with two signers, 2- and 3-step chains (SKD, USULMUS), offline batches,
# stale approvals and recommendations, signers revoked (mutasi), a Plh. whose
# delegation ends, number blocks running out (faults/sim_signing.py says what is checked at the end).
# LOKET_SIM_SHARD=1 runs other examples than the seeded ones, chosen by pytest's --hypothesis-seed=N: a long run
# split over several processes (each builds its own world), e.g. four shards of 75 examples with seeds 1–4.
SigningOffice.TestCase.settings = settings(max_examples=EXAMPLES, stateful_step_count=15, deadline=None,
                                           database=None, derandomize=not os.environ.get("LOKET_SIM_SHARD"),
                                           print_blob=True, phases=PHASES,
                                           suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.filter_too_much])
# An example signs real letters (render, PAdES, the server's timestamp): about a second of CPU each after the
# world is built; the time limit allows 20 s an example (a shared machine under load), so it grows with the run.
SIGNING_TIMEOUT = 600 + 20 * EXAMPLES


@pytest.mark.timeout(SIGNING_TIMEOUT)
class TestSigningOffice(SigningOffice.TestCase):  # type: ignore[misc,valid-type]
    """The machine's examples, then: a long run (≥ 100 examples) must have met what the revocation rule is
    about — signers revoked after their letters were timestamped (letters that must stay valid, some signed in
    the example itself), and steps signed after the revocation (refused at receipt)."""

    def runTest(self) -> None:
        super().runTest()
        if EXAMPLES >= 100:
            assert SIGNING_SEEN["letters of revoked signers verified"] >= 10, SIGNING_SEEN
            assert SIGNING_SEEN["of them signed in the example"] >= 3, SIGNING_SEEN
            assert SIGNING_SEEN["signed after revocation, refused"] >= 3, SIGNING_SEEN

    runTest.is_hypothesis_test = True  # type: ignore[attr-defined]  # (--hypothesis-seed reaches it)


def test_zz_report_simulated_steps() -> None:
    """Prints what the machines above covered (runs after them: pytest keeps the file's order)."""
    if STEPS:
        print(f"\nsimulation: {len(STEPS)} examples, {sum(STEPS)} steps (seeded ids {SEED}, derandomized), "
              "all converged, 0 acknowledged writes lost, every concurrent same-field edit a conflict")
    if SIGNING_STEPS:
        print(f"signing simulation: {len(SIGNING_STEPS)} examples, {sum(SIGNING_STEPS)} steps, {SIGNING_SEEN}; every "
              "refused approval explained, every number used once, every gap behind a refusal, no chain broken")
