"""A simulated kelurahan that signs: a shared office laptop, the verifier's second laptop, a Plh.'s laptop and
the Camat's laptop, against one in-process server.

The office laptop ``k`` is shared by siti (petugas), bambang (verifikator), the Lurah and a second signer of
the office (``sekel``); bambang also works on ``p``; ``lurahklojen`` signs on ``d`` as Plh. of Oro-oro Dowo under
a delegation the Lurah granted; the Camat of Klojen signs on ``c``. Two services: SKD (verifier → Lurah, one
signed step) and USULMUS (verifier → Lurah's signed recommendation → the Camat's letter, three steps). Rules:
registering and submitting either, verifying, sending a verified case back from the other laptop (what makes an
offline approval or recommendation stale), each signer approving a batch of one to three cases from their own
queue with one PIN (the network up or down), the Plh. signing, the delegation ending, IT revoking a signer
(``mutasi``) while his approvals may still wait offline, small number blocks running out, going offline and
online, syncing. At the end everyone comes online and syncs (again while work is waiting); then:

- an approval or recommendation the server refused was refused for a reason the signer could not have avoided
  at signing time: the case changed (stale), the delegation it relied on had ended, or the signer was revoked
  before it arrived; a signer not revoked when the approval arrived is never refused for anything else (chain,
  step, order, number, batch);
- each letter number was used once: the numbers the laptops gave out are distinct, and each is either an
  accepted letter on the server or a void number, never both;
- every gap has a refused approval behind it: each laptop's gap and each server void number is the number of
  an approval op that was refused, and every refused genuine approval's number is void;
- every letter verifies by the revocation rule: each accepted letter of a signer revoked later carries a
  document timestamp before the revocation, verifies (pyHanko, with the CRL) and its public page says valid;
- every accepted USULMUS letter rests on the Lurah's (or his Plh.'s) recommendation; no device's chain broke.

Speed: the world (server with its CA, four laptops enrolled with keys, the morning's delegation and cases) is
built once per process and kept as files; each example starts from a copy of them (same paths, same device
ids, so the keyring's tokens and store keys stay valid) instead of migrating, enrolling and certifying again.

Hooks for the steps others add: :attr:`SigningOffice.allowed_refusals` maps an errno to the predicate that
makes such a refusal legitimate, and :attr:`SigningOffice.signers` lists who signs on which laptop.
"""

from __future__ import annotations

import atexit
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
from hypothesis.stateful import RuleBasedStateMachine, rule
from scenarios.office import USULMUS_DOCS, USULMUS_FIELDS

from app.domain.lifecycle import Action, CaseStatus
from app.errors import LoketError
from app.events import EventBus
from app.services import approvals, cases, unlock
from app.services.workspace import Workspace
from app.signing.keystore import KdfParams, KeyStore
from app.storage import repo
from faults.harness import OFFICE, SKD_FIELDS, LocalServer, TestSyncClient, new_workspace
from sync import credentials
from sync.engine import SyncEngine
from sync.errors import RevokedError
from sync.protocol import Errno

PIN = "582047"
STEPS: list[int] = []
SEEN: dict[str, int] = {"accepted": 0, "void": 0, "recommended": 0, "refused on the laptop": 0,
                        "delegations ended": 0, "signers revoked": 0, "letters of revoked signers verified": 0}
PLAN = {"k": {"siti": False, "bambang": False, "lurah": True, "sekel": True}, "p": {"bambang": False},
        "d": {"lurahklojen": True}, "c": {"camat": True}}
URL = "http://127.0.0.1:8765"


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


class StoredServer(LocalServer):
    """A :class:`LocalServer` reopened from its files (schema, CA, users and devices already there)."""

    def __init__(self, folder: Path) -> None:  # noqa: D107 - deliberately not calling the building __init__
        from fastapi.testclient import TestClient

        from sync.server.app import create_app
        from sync.server.ca import Authority
        from sync.server.core import Server
        from sync.server.storage import make_engine

        self.db_path = folder / "server.db"
        self.engine = make_engine(f"sqlite:///{self.db_path}")
        self.server = Server.open(self.engine, Authority.ensure(folder / "ca", self.engine, URL))
        self.codes = {}
        self.app = create_app(self.server)
        self.http = TestClient(self.app, raise_server_exceptions=False)


class Laptop:
    def __init__(self, name: str, ws: Workspace, users: dict[str, str], local: LocalServer) -> None:
        self.name, self.ws = name, ws
        self.users = list(users)
        self.engine = SyncEngine(ws, clients={u: TestSyncClient(local.app, token) for u, token in users.items()})
        self.online = True

    def ids(self, status: CaseStatus) -> list[str]:
        with self.ws.db.read() as s:
            return [r[0] for r in s.connection().exec_driver_sql(
                "SELECT id FROM cases WHERE status = ? ORDER BY created_at, id", (status.value,))]

    def queue(self, username: str) -> list[str]:
        """The signer's queue as the GUI and ``case list --queue sign`` show it."""
        query = approvals.signing_queue(self.ws, self.ws.actor(username))
        with self.ws.db.read() as s:
            return [c.id for c in repo.list_cases(s, query, 0, 100)]

    def query(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.ws.db.read() as s:
            return [tuple(r) for r in s.connection().exec_driver_sql(sql, args).fetchall()]

    def sync(self) -> None:
        with suppress(RevokedError):  # everyone on this laptop revoked: its waiting work was refused locally
            self.engine.run()


class World:
    """The files every example starts from, built by the first example of the process."""

    base: Path | None = None
    delegation = ""
    tokens: dict[tuple[str, str], str] = {}  # (laptop, user) → device token, as the keyring holds it

    @classmethod
    def live(cls) -> Path:
        if cls.base is None:
            # on tmpfs where there is one: SQLite's fsync at every commit is most of an example's time on disk
            shm = Path("/dev/shm")
            cls.base = Path(tempfile.mkdtemp(prefix="loket-sign-", dir=shm if shm.is_dir() else None))
            atexit.register(shutil.rmtree, cls.base, True)  # tmpfs is memory: leave nothing behind
        return cls.base / "live"

    @classmethod
    def ready(cls) -> bool:
        return cls.base is not None and (cls.base / "template").is_dir()

    @classmethod
    def restore(cls) -> None:
        assert cls.base is not None
        shutil.rmtree(cls.live(), ignore_errors=True)
        shutil.copytree(cls.base / "template", cls.live())

    @classmethod
    def keep(cls) -> None:
        assert cls.base is not None
        shutil.copytree(cls.live(), cls.base / "template")


class SigningOffice(RuleBasedStateMachine):
    signers: dict[str, str] = {"lurah": "k", "sekel": "k", "lurahklojen": "d", "camat": "c"}

    def __init__(self) -> None:
        super().__init__()
        self._patches = [
            # cheap key derivation (the real cost is measured elsewhere) and blocks of 3 numbers that run out
            mock.patch.dict(KeyStore.__init__.__kwdefaults__, {"kdf": KdfParams(n=2**10)}),
            mock.patch.object(unlock.make_record, "__defaults__", (KdfParams(n=2**10),)),  # the unlock secrets
            mock.patch("sync.signer.BLOCK", 3),
            mock.patch("app.letters.numbering.LOW_WATER", 2),
        ]
        for patch in self._patches:
            patch.start()
        self.tmp = World.live()
        self.steps = 0
        self.delegation_ended = False
        self.revoked: set[str] = set()
        self.laptops: dict[str, Laptop] = {}
        try:
            if World.ready():
                World.restore()
                self.local: LocalServer = StoredServer(self.tmp / "server")
                self.laptops = {name: self._reopen(name, people) for name, people in PLAN.items()}
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)  # what a failed morning left is not tomorrow's start
                self._build()
        except BaseException:
            self._stop_patches()  # a morning that fails must not leave the cheap costs to the tests after it
            raise
        self.delegation = World.delegation
        self.allowed_refusals: dict[int, Callable[[str], bool]] = {
            int(Errno.APPROVAL_STALE): lambda signer: True,
            int(Errno.FORBIDDEN): lambda signer: signer == "lurahklojen" and self.delegation_ended,
            int(Errno.CERTIFICATE_REVOKED): lambda signer: signer in self.revoked,
        }

    def _reopen(self, name: str, people: dict[str, bool]) -> Laptop:
        ws = Workspace(self.tmp / name, events=EventBus())
        tokens = {u: World.tokens.get((name, u)) or credentials.load_token(ws.device_id, u) or "" for u in people}
        World.tokens.update({(name, u): token for u, token in tokens.items()})
        return Laptop(name, ws, tokens, self.local)

    def _build(self) -> None:
        """The morning, once: the server, everyone enrolled, the Lurah names the Plh. for the week (signed with
        his key, online), siti registers three SKD requests and two USULMUS proposals that bambang verifies, everyone
        syncs; then the files are kept."""
        from sync import delegate

        self.local = LocalServer(self.tmp / "server")
        self.local.codes["sekel"] = self.local.server.add_user(
            "sekel", "Rudi Hartono, S.Sos.", "penandatangan", OFFICE, "198105052006041002",
            "Sekretaris Kelurahan Oro-oro Dowo")
        self.laptops = {}
        for name, people in PLAN.items():
            ws = new_workspace(self.tmp / name)
            tokens = {u: enrol(ws, self.local, u, signer=signer) for u, signer in people.items()}
            self.laptops[name] = Laptop(name, ws, tokens, self.local)
        k = self.laptops["k"]
        until = (dt.date.today() + dt.timedelta(days=7)).isoformat()
        with mock.patch("sync.delegate.client_for", lambda _ws, user: k.engine._client(user)), \
                mock.patch("sync.delegate.SyncEngine", lambda _ws: k.engine):
            World.delegation = str(delegate.grant(k.ws, k.ws.actor("lurah"), "lurahklojen", "plh", until, PIN)["id"])
        for service in ("SKD", "SKD", "SKD", "USULMUS", "USULMUS"):
            self.register(service=service, verified=True)
        for laptop in self.laptops.values():
            laptop.sync()
        self._close()
        World.keep()
        self.local = StoredServer(self.tmp / "server")
        self.laptops = {name: self._reopen(name, people) for name, people in PLAN.items()}

    # ---- rules -------------------------------------------------------------------------------------
    @rule(service=st.sampled_from(["SKD", "SKD", "USULMUS"]), verified=st.booleans())
    def register(self, service: str, verified: bool) -> None:
        """siti registers and submits a request (an SKD) or an RW's proposal (a USULMUS) on the office laptop;
        bambang may verify it at once."""
        k = self.laptops["k"]
        folder = self.tmp / f"scan-{self.steps}"
        folder.mkdir(exist_ok=True)
        files = {}
        for code in ("ktp", "kk", "pengantar_rt") if service == "SKD" else USULMUS_DOCS:
            (folder / code).write_bytes(b"%PDF-1.4\n% " + f"{code} {self.steps}".encode() + b"\n%%EOF\n")
            files[code] = folder / code
        if service == "SKD":
            made = cases.create(k.ws, k.ws.actor("siti"), "SKD", "3573015708900003", f"Warga {self.steps}",
                                SKD_FIELDS, files)
        else:
            made = cases.create(k.ws, k.ws.actor("siti"), "USULMUS", None, f"RW {self.steps:02d}", USULMUS_FIELDS,
                                files)
        cases.transition(k.ws, k.ws.actor("siti"), made.id, Action.SUBMIT)
        if verified:
            cases.transition(k.ws, k.ws.actor("bambang"), made.id, Action.VERIFY)
        self.steps += 1

    @rule(where=st.sampled_from(["k", "p"]), pick=st.integers(0, 3))
    def verify(self, where: str, pick: int) -> None:
        self._transition(where, pick, CaseStatus.SUBMITTED, Action.VERIFY)

    @rule(pick=st.integers(0, 3))
    def send_back(self, pick: int) -> None:
        """bambang, on his other laptop, returns a verified case: an approval or recommendation signed meanwhile
        turns stale."""
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
        """One PIN, a batch of one to three cases from the signer's own queue: letters for the last step,
        recommendations for an earlier one (a case refused on the laptop leaves the others)."""
        laptop = self.laptops[self.signers[signer]]
        found = laptop.queue(signer)
        if not found or signer in self.revoked:  # a revoked signer's laptop no longer syncs his work
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
        if self.delegation_ended or not k.online or "lurah" in self.revoked:
            return
        with mock.patch("sync.delegate.client_for", lambda _ws, user: k.engine._client(user)), \
                mock.patch("sync.delegate.SyncEngine", lambda _ws: k.engine):
            delegate.revoke(k.ws, k.ws.actor("lurah"), self.delegation)
        self.delegation_ended = True
        SEEN["delegations ended"] += 1

    @rule(who=st.sampled_from(["sekel", "lurahklojen"]))
    def revoke_signer(self, who: str) -> None:
        """IT revokes a signer moved to another post (``loket-server revoke --user … --reason-code mutasi``):
        his letters already timestamped stay valid, his approvals arriving from now on are refused."""
        if who in self.revoked or not self._has_signed(who):
            return  # (revoking someone who never signed proves nothing; the rule then waits for a letter)
        self.local.server.revoke(user=who, reason="dipindahtugaskan", reason_code="mutasi")
        self.revoked.add(who)
        SEEN["signers revoked"] += 1
        self.steps += 1

    def _has_signed(self, who: str) -> bool:
        """``who`` has a letter on the server (revoked after its timestamp) or an approval waiting offline
        (refused when it arrives)."""
        laptop = self.laptops[self.signers[who]]
        waiting = laptop.query("SELECT 1 FROM outbox WHERE actor = ? AND kind = 'approval' AND state = 'pending'",
                               (who,))
        return bool(waiting) or bool(self._server(f"SELECT 1 FROM approvals WHERE signer = '{who}' LIMIT 1"))

    @rule(name=st.sampled_from(["k", "p", "d", "c"]))
    def toggle_network(self, name: str) -> None:
        self.laptops[name].online = not self.laptops[name].online

    @rule(name=st.sampled_from(["k", "p", "d", "c"]))
    def sync(self, name: str) -> None:
        laptop = self.laptops[name]
        if laptop.online:
            laptop.sync()
            self.steps += 1

    # ---- the end of every example ----------------------------------------------------------------
    def teardown(self) -> None:
        try:
            for laptop in self.laptops.values():  # one round pushes everything (the laptops' order is fixed)
                laptop.online = True
                laptop.sync()
            for laptop in self.laptops.values():
                if laptop.query("SELECT 1 FROM outbox WHERE state = 'pending' LIMIT 1"):
                    laptop.sync()
            self._check()
        finally:
            self._stop_patches()
            STEPS.append(self.steps)
            if len(STEPS) % 10 == 0:  # a long run shows it is moving (pytest -s)
                print(f"signing simulation: {len(STEPS)} examples, {sum(STEPS)} steps, {SEEN}", flush=True)
            self._close()

    def _stop_patches(self) -> None:
        for patch in reversed(self._patches):
            patch.stop()

    def _close(self) -> None:
        self.local.close()
        for laptop in self.laptops.values():
            laptop.ws.close()

    def _server(self, sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.local.db_path) as db:
            return list(db.execute(sql))

    def _check(self) -> None:
        issued: dict[str, tuple[str, str, int | None, str]] = {}  # number → (signer, op state, errno, case)
        gaps: set[str] = set()
        for laptop in self.laptops.values():
            for actor, kind, state, errno, payload in laptop.query(
                    "SELECT actor, kind, state, errno, payload FROM outbox "
                    "WHERE kind IN ('approval', 'recommendation')"):
                assert state in ("done", "rejected"), (actor, kind, state)
                if state == "rejected":
                    assert errno is not None and errno in self.allowed_refusals, (actor, kind, errno)
                    assert self.allowed_refusals[errno](actor), (actor, kind, errno)
                if kind == "recommendation":
                    SEEN["recommended"] += state == "done"
                    continue
                event = json.loads(payload)["event"]
                number = event["letter_number"]
                assert number not in issued, f"number {number} given out twice"
                issued[number] = (actor, state, errno, event["case_id"])
            gaps.update(r[0] for r in laptop.query("SELECT number FROM letter_gaps"))
        accepted = {r[0] for r in self._server("SELECT letter_number FROM approvals")}
        void = {r[0] for r in self._server("SELECT letter_number FROM void_numbers")}
        assert not accepted & void, accepted & void
        for number, (_signer, state, _errno, case_id) in issued.items():
            if state == "rejected" and number not in void:  # refused on the laptop of a revoked signer: the
                page = self.local.server.letter(case_id, number)  # server never saw it, yet its page says void
                assert page is not None and "void" in page, (number, page)
                void.add(number)
            assert number in (accepted if state == "done" else void), (number, state)
            assert state == "done" or number in gaps, number
        refused = {n for n, (_s, state, _e, _c) in issued.items() if state == "rejected"}
        assert gaps <= refused and void <= refused, (gaps - refused, void - refused)
        assert accepted <= set(issued), accepted - set(issued)
        assert self._server("SELECT device_id, kind, counter FROM chain_breaks") == []
        self._check_letters()
        SEEN["accepted"] += len(accepted)
        SEEN["void"] += len(void)  # (with those only the page explains)

    def _check_letters(self) -> None:
        """USULMUS letters name the recommendation; letters of signers revoked later verify (timestamp first)."""
        from cryptography import x509

        from app.signing.pades import verify_pdf

        for case_id, signer, letter_sha in self._server(
                "SELECT a.case_id, a.signer, a.letter_sha256 FROM approvals a JOIN cases c ON c.id = a.case_id "
                "WHERE c.service = 'USULMUS' OR a.signer IN ('sekel', 'lurahklojen')"):
            info = self.local.server.letter(case_id)
            assert info is not None and info["letter_number"], case_id
            if signer == "camat":  # the page names the office that signed, then the Lurah's recommendation
                assert info["office"] == "Kecamatan Klojen", info["office"]
                assert [s["position"] for s in info["earlier_steps"]] == ["Lurah Oro-oro Dowo"] or \
                    len(info["earlier_steps"]) == 1, info["earlier_steps"]
            if signer not in self.revoked:
                continue
            assert info["signed_before_revocation"], info
            trust = self.local.server.ca_material()
            [(pdf,)] = self._server(f"SELECT data FROM blobs WHERE sha256 = '{letter_sha}'")
            verdict = verify_pdf(bytes(pdf), [x509.load_pem_x509_certificate(trust["ca_pem"].encode())],
                                 [x509.load_pem_x509_crl(trust["crl_pem"].encode())])
            assert verdict.valid and verdict.signed_before_revocation, (case_id, verdict.problems)
            SEEN["letters of revoked signers verified"] += 1
