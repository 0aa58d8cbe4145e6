"""Field-readiness and support checks, shared by ``loket-cli doctor`` and the GUI's support page."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass

from app.i18n import language
from app.services.workspace import Workspace
from app.storage import audit, repo

MIN_FREE_BYTES = 500 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def _t(id_text: str, en_text: str) -> str:
    return id_text if language() == "id" else en_text


def check_database(ws: Workspace) -> Check:
    with ws.db.read() as s:
        result = repo.integrity_check(s)
    ok = result == ["ok"]
    return Check("database", ok, _t("integritas basis data baik", "database integrity ok") if ok
                 else _t("basis data rusak: ", "database damaged: ") + "; ".join(result[:3]))


def check_audit(ws: Workspace) -> Check:
    with ws.db.read() as s:
        report = audit.verify(s)
    if report.broken_at is None:
        return Check("audit_chain", True, _t(f"rantai log audit utuh ({report.entries} entri)",
                                             f"audit chain intact ({report.entries} entries)"))
    return Check("audit_chain", False, _t(f"rantai log audit putus di entri #{report.broken_at}",
                                          f"audit chain broken at entry #{report.broken_at}"))


def check_queue(ws: Workspace) -> Check:
    with ws.db.read() as s:
        counts = repo.outbox_counts(s)
    pending, refused = counts.get("pending", 0), counts.get("rejected", 0)
    return Check("queue", refused == 0,
                 _t(f"{pending} perubahan menunggu dikirim, {refused} ditolak server",
                    f"{pending} changes waiting to be sent, {refused} refused by the server"))


def check_catalog(ws: Workspace) -> Check:
    problems = ws.catalog.problems
    if not problems:
        return Check("catalog", True, _t(f"{len(ws.catalog.services)} layanan dimuat",
                                         f"{len(ws.catalog.services)} services loaded"))
    return Check("catalog", False, "; ".join(str(p) for p in problems[:3]))


def check_disk(ws: Workspace) -> Check:
    free = shutil.disk_usage(ws.profile).free
    ok = free >= MIN_FREE_BYTES
    return Check("disk", ok, _t(f"ruang kosong {free / 2**30:.1f} GB", f"{free / 2**30:.1f} GB free"))


def check_user(ws: Workspace) -> Check:
    users = ws.users()
    if not users:
        return Check("user", False, _t("belum ada pengguna terdaftar di perangkat ini",
                                       "no user is enrolled on this device"))
    names = ", ".join(f"{u.username} ({u.role})" for u in users)
    return Check("user", True, names)


CHECKS: list[Callable[[Workspace], Check]] = [
    check_user, check_database, check_audit, check_queue, check_catalog, check_disk,
]


def run(ws: Workspace, extra: list[Callable[[Workspace], Check]] | None = None) -> list[Check]:
    results = []
    for check in CHECKS + (extra or []):
        try:
            results.append(check(ws))
        except Exception as err:  # a check that crashes is itself a finding
            results.append(Check(check.__name__.removeprefix("check_"), False, f"{type(err).__name__}: {err}"))
    return results
