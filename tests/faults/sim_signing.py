"""A simulated kelurahan that signs: one shared office laptop, the verifier's second laptop, a Plh.'s laptop.

The office laptop ``k`` is shared by siti (petugas), bambang (verifikator), the Lurah and a second signer of
the office (``sekel``); bambang also works on ``p``; ``lurahklojen`` signs on ``d`` as Plh. of Oro-oro Dowo under
a delegation the Lurah granted. Rules: registering and submitting, verifying, sending a verified case back from
the other laptop (what makes an offline approval stale), approving batches of one to three cases with one PIN
(either signer, the network up or down), the Plh. signing, the delegation ending, small number blocks running
out, going offline and online, syncing. At the end everyone comes online and syncs twice; then:

- an approval the server refused was refused for a reason the signer could not have avoided at signing time:
  the case changed (stale), or the delegation it relied on had ended; a signer whose certificate was not
  revoked when the approval arrived is never refused for anything else (chain, order, number, batch);
- each letter number was used once: the numbers the laptops gave out are distinct, and each is either an
  accepted letter on the server or a void number, never both;
- every gap has a refused approval behind it: each laptop's gap and each server void number is the number of
  an approval op the server refused, and every refused genuine approval's number is void;
- no device's chain broke (the laptop pushes in the order it signed).

Hooks for the steps others add: :attr:`SigningOffice.allowed_refusals` maps an errno to the predicate that
makes such a refusal legitimate (certificate revocation adds 122 with "revoked before receipt"), and
:attr:`SigningOffice.signers` lists who signs on which laptop (a multi-step approval chain adds its steps).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path
from typing import Any
from unittest import mock

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, rule

from app.domain.lifecycle import Action, CaseStatus
from app.errors import LoketError
from app.services import approvals, cases
from app.services.workspace import Workspace
from app.signing.keystore import KdfParams, KeyStore
from faults.harness import OFFICE, SKD_FIELDS, LocalServer, new_workspace
from sync import credentials
from sync.engine import SyncEngine
from sync.protocol import Errno

PIN = "582047"
STEPS: list[int] = []
SEEN: dict[str, int] = {"accepted": 0, "void": 0, "refused on the laptop": 0, "delegations ended": 0}


def enrol(ws: Workspace, local: LocalServer, username: str, *, signer: bool = False) -> str:
    """``sync.enroll`` against the in-process server (with a signing key and a first number block for a
    signer); returns the device token."""
    from sync.enroll import enroll

    code = local.codes.pop(username, None) or local.server.enrolment_code(username)
    with mock.patch("sync.enroll.SyncClient", lambda _url, token=None, **_kw: local.client(token)):
        enroll(ws, "http://localhost", code, PIN if signer else None, client=local.client())
    token = credentials.load_token(ws.device_id, username)
    assert token
    return token


class Laptop:
    def __init__(self, name: str, ws: Workspace, users: dict[str, str], local: LocalServer) -> None:
        self.name, self.ws = name, ws
        self.users = list(users)
        self.engine = SyncEngine(ws, clients={u: local.client(token) for u, token in users.items()})
        self.online = True

    def ids(self, status: CaseStatus) -> list[str]:
        with self.ws.db.read() as s:
            return [r[0] for r in s.connection().exec_driver_sql(
                "SELECT id FROM cases WHERE status = ? ORDER BY created_at, id", (status.value,))]

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.ws.db.read() as s:
            return [tuple(r) for r in s.connection().exec_driver_sql(sql, args).fetchall()]


class SigningOffice(RuleBasedStateMachine):
    signers: dict[str, str] = {"lurah": "k", "sekel": "k", "lurahklojen": "d"}

    def __init__(self) -> None:
        super().__init__()
        # (ids stay random: each example's laptops need keyring entries of their own; the push order does not
        # depend on ids any more, it is the order of signing)
        self._patches = [
            # cheap key derivation (the real cost is measured elsewhere) and blocks of 3 numbers that run out
            mock.patch.dict(KeyStore.__init__.__kwdefaults__, {"kdf": KdfParams(n=2**10)}),
            mock.patch("sync.signer.BLOCK", 3),
            mock.patch("app.letters.numbering.LOW_WATER", 2),
        ]
        for patch in self._patches:
            patch.start()
        self.tmp = Path(tempfile.mkdtemp(prefix="loket-sign-"))
        self.local = LocalServer(self.tmp / "server")
        self.local.codes["sekel"] = self.local.server.add_user(
            "sekel", "Rudi Hartono, S.Sos.", "penandatangan", OFFICE, "198105052006041002",
            "Sekretaris Kelurahan Oro-oro Dowo")
        self.laptops: dict[str, Laptop] = {}
        plan = {"k": {"siti": False, "bambang": False, "lurah": True, "sekel": True}, "p": {"bambang": False},
                "d": {"lurahklojen": True}}
        for name, people in plan.items():
            ws = new_workspace(self.tmp / name)
            tokens = {u: enrol(ws, self.local, u, signer=signer) for u, signer in people.items()}
            self.laptops[name] = Laptop(name, ws, tokens, self.local)
        self.delegation: str | None = None
        self.delegation_ended = False
        self.steps = 0
        self.allowed_refusals: dict[int, Callable[[str], bool]] = {
            int(Errno.APPROVAL_STALE): lambda signer: True,
            int(Errno.FORBIDDEN): lambda signer: signer == "lurahklojen" and self.delegation_ended,
        }

    @initialize()
    def morning(self) -> None:
        """The Lurah names the Plh. for the week (signed with his key, online), everyone syncs."""
        from sync import delegate

        k = self.laptops["k"]
        lurah = k.ws.actor("lurah")
        until = (dt.date.today() + dt.timedelta(days=7)).isoformat()
        with mock.patch("sync.delegate.client_for", lambda _ws, user: k.engine._client(user)), \
                mock.patch("sync.delegate.SyncEngine", lambda _ws: k.engine):
            self.delegation = str(delegate.grant(k.ws, lurah, "lurahklojen", "plh", until, PIN)["id"])
        for _ in range(2):
            self.register(verified=True)
        for name in self.laptops:
            self.sync(name)

    # ---- rules -------------------------------------------------------------------------------------
    @rule(verified=st.booleans())
    def register(self, verified: bool) -> None:
        """siti registers and submits a request on the office laptop; bambang may verify it at once."""
        k = self.laptops["k"]
        folder = self.tmp / f"scan-{self.steps}"
        folder.mkdir()
        files = {}
        for code in ("ktp", "kk", "pengantar_rt"):
            (folder / code).write_bytes(b"%PDF-1.4\n% " + f"{code} {self.steps}".encode() + b"\n%%EOF\n")
            files[code] = folder / code
        made = cases.create(k.ws, k.ws.actor("siti"), "SKD", "3573015708900003", f"Warga {self.steps}",
                            SKD_FIELDS, files)
        cases.transition(k.ws, k.ws.actor("siti"), made.id, Action.SUBMIT)
        if verified:
            cases.transition(k.ws, k.ws.actor("bambang"), made.id, Action.VERIFY)
        self.steps += 1

    @rule(where=st.sampled_from(["k", "p"]), pick=st.integers(0, 3))
    def verify(self, where: str, pick: int) -> None:
        self._transition(where, pick, CaseStatus.SUBMITTED, Action.VERIFY)

    @rule(pick=st.integers(0, 3))
    def send_back(self, pick: int) -> None:
        """bambang, on his other laptop, returns a verified case: an approval signed meanwhile turns stale."""
        self._transition("p", pick, CaseStatus.VERIFIED, Action.RETURN, "alamat tidak sesuai KK")

    def _transition(self, where: str, pick: int, status: CaseStatus, action: Action, why: str | None = None) -> None:
        laptop = self.laptops[where]
        found = laptop.ids(status)
        if found:
            with suppress(LoketError):
                cases.transition(laptop.ws, laptop.ws.actor("bambang"), found[pick % len(found)], action, why)
        self.steps += 1

    @rule(signer=st.sampled_from(sorted(signers)), picks=st.lists(st.integers(0, 5), min_size=1, max_size=3))
    def approve(self, signer: str, picks: list[int]) -> None:
        """One PIN, a batch of one to three verified cases (a case refused on the laptop leaves the others)."""
        laptop = self.laptops[self.signers[signer]]
        found = laptop.ids(CaseStatus.VERIFIED)
        if not found:
            return
        chosen = list(dict.fromkeys(found[p % len(found)] for p in picks))
        done = approvals.approve_batch(laptop.ws, laptop.ws.actor(signer), chosen, PIN)
        SEEN["refused on the laptop"] += sum(1 for a in done if a.status == "refused")  # e.g. numbers ran out
        self.steps += 1

    @rule()
    def end_delegation(self) -> None:
        """The Lurah is back: he ends the Plh. (online, from the office laptop)."""
        from sync import delegate

        k = self.laptops["k"]
        if self.delegation is None or self.delegation_ended or not k.online:
            return
        with mock.patch("sync.delegate.client_for", lambda _ws, user: k.engine._client(user)), \
                mock.patch("sync.delegate.SyncEngine", lambda _ws: k.engine):
            delegate.revoke(k.ws, k.ws.actor("lurah"), self.delegation)
        self.delegation_ended = True
        SEEN["delegations ended"] += 1

    @rule(name=st.sampled_from(["k", "p", "d"]))
    def toggle_network(self, name: str) -> None:
        self.laptops[name].online = not self.laptops[name].online

    @rule(name=st.sampled_from(["k", "p", "d"]))
    def sync(self, name: str) -> None:
        laptop = self.laptops[name]
        if laptop.online:
            laptop.engine.run()
            self.steps += 1

    # ---- the end of every example ----------------------------------------------------------------
    def teardown(self) -> None:
        try:
            for _ in range(2):
                for laptop in self.laptops.values():
                    laptop.online = True
                    laptop.engine.run()
            self._check()
        finally:
            for patch in reversed(self._patches):
                patch.stop()
            STEPS.append(self.steps)
            self.local.close()
            for laptop in self.laptops.values():
                laptop.ws.close()
            shutil.rmtree(self.tmp, ignore_errors=True)

    def _server(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.local.db_path) as db:
            return list(db.execute(sql))

    def _check(self) -> None:
        issued: dict[str, tuple[str, str, int | None]] = {}  # number → (signer, op state, errno)
        gaps: set[str] = set()
        for laptop in self.laptops.values():
            for actor, state, errno, payload in laptop.query(
                    "SELECT actor, state, errno, payload FROM outbox WHERE kind = 'approval'"):
                number = json.loads(payload)["event"]["letter_number"]
                assert number not in issued, f"number {number} given out twice"
                issued[number] = (actor, state, errno)
            gaps.update(r[0] for r in laptop.query("SELECT number FROM letter_gaps"))
        accepted = {r[0] for r in self._server("SELECT letter_number FROM approvals")}
        void = {r[0] for r in self._server("SELECT letter_number FROM void_numbers")}
        assert not accepted & void, accepted & void
        for number, (signer, state, errno) in issued.items():
            assert state in ("done", "rejected"), (number, state)
            if state == "done":
                assert number in accepted, number
                continue
            assert errno is not None and errno in self.allowed_refusals, (signer, number, errno)
            assert self.allowed_refusals[errno](signer), (signer, number, errno)
            assert number in void and number in gaps, number
        refused = {n for n, (_s, state, _e) in issued.items() if state == "rejected"}
        assert gaps <= refused and void <= refused, (gaps - refused, void - refused)
        assert accepted <= set(issued), accepted - set(issued)
        assert self._server("SELECT device_id, kind, counter FROM chain_breaks") == []
        SEEN["accepted"] += len(accepted)
        SEEN["void"] += len(void)
