"""How a refused op reads to a person: what was refused, why (in the person's language), and what to do about
it. Plain values in, a :class:`Refusal` out; no database code, so ``loket-cli case show``'s light read path and
:mod:`app.services.refusals` word a refusal the same way.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Protocol

from app.domain.lifecycle import Action
from app.i18n import register, tr


class RefusedOp(Protocol):
    """The outbox row of a refused op, as far as its wording needs it."""

    @property
    def op_id(self) -> str: ...
    @property
    def case_id(self) -> str | None: ...
    @property
    def kind(self) -> str: ...
    @property
    def payload(self) -> str: ...
    @property
    def actor(self) -> str: ...
    @property
    def created_at(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def errno(self) -> int | None: ...
    @property
    def error(self) -> str | None: ...
    @property
    def refused_at(self) -> str | None: ...


class NamedCase(Protocol):
    """The case a refusal belongs to, as far as its label needs it."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def service(self) -> str: ...
    @property
    def letter_number(self) -> str | None: ...
    @property
    def reg_no(self) -> str | None: ...


REFUSED = "rejected"
DISMISSED = "dismissed"
SET_ASIDE_ERRNO = 999  # the server failed on this op alone: set aside so the rest of the outbox goes on
_MALFORMED = {100, 107}

register({
    "refusal.errno.100": {"id": "Data yang dikirim rusak atau tidak lengkap, sehingga server tidak dapat "
                                "memprosesnya.",
                          "en": "The data sent was malformed or incomplete, so the server could not process it."},
    "refusal.errno.104": {"id": "Anda tidak berwenang melakukan langkah ini pada berkas ini.",
                          "en": "You may not take this step on this case."},
    "refusal.errno.105": {"id": "Berkas ini tidak ada di server.", "en": "The server does not have this case."},
    "refusal.errno.106": {"id": "Server sudah menerima langkah bernomor sama dengan isi berbeda.",
                          "en": "The server already received a step with this id and a different content."},
    "refusal.errno.107": {"id": "Isian tidak lolos pemeriksaan server.",
                          "en": "The entries did not pass the server's checks."},
    "refusal.errno.108": {"id": "Langkah ini tidak berlaku lagi: berkas sudah diproses di perangkat lain.",
                          "en": "This step no longer applies: the case was handled on another device."},
    "refusal.errno.109": {"id": "Server tidak mengenal langkah ini; perbarui aplikasi Loket.",
                          "en": "The server does not know this step; update Loket."},
    "refusal.errno.110": {"id": "Berkas dengan nomor ini sudah ada di server.",
                          "en": "A case with this id already exists on the server."},
    "refusal.errno.120": {"id": "Server tidak dapat memastikan keabsahan persetujuan dari perangkat ini.",
                          "en": "The server could not confirm this device's approval."},
    "refusal.errno.121": {"id": "Berkas berubah setelah ditandatangani; berkas kembali ke antrean tanda tangan.",
                          "en": "The case changed after it was signed; it is back in the signing queue."},
    "refusal.errno.122": {"id": "Sertifikat tanda tangan telah dicabut; hubungi TI atau serahkan kepada Plh.",
                          "en": "The signing certificate has been revoked; call IT or hand over to a deputy."},
    "refusal.errno.123": {"id": "Nomor surat tidak berlaku (di luar blok nomor perangkat ini atau sudah terpakai).",
                          "en": "The letter number is not valid (outside this device's blocks or already used)."},
    "refusal.errno.999": {"id": "Server gagal memproses langkah ini; langkah ini disisihkan agar pekerjaan lain "
                                "tetap terkirim.",
                          "en": "The server failed on this step; it was set aside so the other work still goes out."},
    "refusal.errno.other": {"id": "Server menolak langkah ini (kode {errno}).",
                            "en": "The server refused this step (code {errno})."},
    "refusal.kind.case.create": {"id": "Pendaftaran berkas", "en": "Registration"},
    "refusal.kind.case.edit": {"id": "Perubahan isian", "en": "Edit of the entries"},
    "refusal.kind.case.transition": {"id": "Langkah: {step}", "en": "Step: {step}"},
    "refusal.kind.attachment.add": {"id": "Lampiran", "en": "Attachment"},
    "refusal.kind.conflict.resolve": {"id": "Penyelesaian konflik", "en": "Conflict settlement"},
    "refusal.kind.approval": {"id": "Persetujuan dan tanda tangan (surat {number})",
                              "en": "Approval and signature (letter {number})"},
    "refusal.kind.other": {"id": "Langkah {kind}", "en": "Step {kind}"},
    "refusal.todo.sign": {"id": "Tandatangani lagi", "en": "Sign again"},
    "refusal.todo.edit": {"id": "Perbaiki isian, lalu simpan lagi", "en": "Correct the entries, then save again"},
    "refusal.todo.resend": {"id": "Kirim ulang", "en": "Send again"},
    "refusal.todo.discard": {"id": "Abaikan (tandai sudah ditangani)", "en": "Discard (mark as handled)"},
    "refusal.not_found": {"id": "Penolakan {id} tidak ditemukan atau sudah ditangani.",
                          "en": "Refusal {id} was not found or was already handled."},
    "refusal.no_resend": {"id": "Langkah ini tidak dapat dikirim ulang apa adanya: {todo}.",
                          "en": "This step cannot be sent again as it is: {todo}."},
})


@dataclass(frozen=True, slots=True)
class Refusal:
    op_id: str
    case_id: str | None
    case_label: str  # the case as a person names it: registration name and short number
    kind: str
    what: str  # what was refused, in words
    errno: int | None
    reason: str  # the server's reason in the person's language
    detail: str  # the server's own message (English), for IT
    todo: str  # "sign" | "edit" | "resend" | "discard"
    todo_text: str
    actor: str
    made_at: str
    refused_at: str | None
    handled: bool  # discarded by a person: kept in the history, gone from the list

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def reason_text(errno: int | None) -> str:
    key = f"refusal.errno.{errno}"
    from app.i18n import MESSAGES

    return tr(key) if key in MESSAGES else tr("refusal.errno.other", errno=errno if errno is not None else "-")


def _what(op: RefusedOp) -> str:
    if op.kind == "approval":
        try:
            number = json.loads(op.payload)["event"]["letter_number"]
        except (ValueError, KeyError, TypeError):
            number = "-"
        return tr("refusal.kind.approval", number=number)
    if op.kind == "case.transition":
        try:
            step = Action(json.loads(op.payload)["action"]).label
        except (ValueError, KeyError, TypeError):
            step = "-"
        return tr("refusal.kind.case.transition", step=step)
    key = f"refusal.kind.{op.kind}"
    from app.i18n import MESSAGES

    return tr(key) if key in MESSAGES else tr("refusal.kind.other", kind=op.kind)


def todo_of(op: RefusedOp) -> str:
    if op.errno == SET_ASIDE_ERRNO:
        return "resend"
    if op.kind == "approval":
        return "discard" if op.errno == 122 else "sign"
    if op.errno in _MALFORMED and op.kind in ("case.create", "case.edit", "attachment.add", "case.transition"):
        return "edit"
    return "discard"


def _label(case: NamedCase | None, case_id: str | None) -> str:
    if case is None:
        return (case_id or "-")[:8]
    number = case.letter_number or case.reg_no or case.id[:8]
    return f"{case.name} · {case.service} {number}"


def view(op: RefusedOp, case: NamedCase | None) -> Refusal:
    todo = todo_of(op)
    return Refusal(op.op_id, op.case_id, _label(case, op.case_id), op.kind, _what(op), op.errno,
                   reason_text(op.errno), op.error or "", todo, tr(f"refusal.todo.{todo}"), op.actor,
                   op.created_at, op.refused_at, op.state == DISMISSED)
