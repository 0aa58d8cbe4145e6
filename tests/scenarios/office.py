"""What every story shares: the signer's PIN and how a person is enrolled on a laptop."""

from __future__ import annotations

import json
from pathlib import Path

from samples import NIK_WOMAN, SKD_FIELDS, documents
from support.server import DEFAULT_SECRET, Laptop, ServerProcess

# A signing PIN a person could choose: six digits, neither a repetition nor a run. A signer's PIN is also
# the secret that unlocks them on a shared laptop.
PIN = "582047"
# Each person's own password on the shared laptop, chosen at enrolment (signers use the PIN).
SECRETS = {"siti": "melati-counter-31", "bambang": "paraf-sekretaris-77"}


def enrol(device: Laptop, server: ServerProcess, username: str, *, signer: bool = False,
          secret: str | None = None) -> None:
    """Join ``username`` to ``device`` with a fresh one-time code, as IT does at the office; the person
    types their own secret (``secret``, else :data:`SECRETS`, else the laptop's default; a signer's is
    :data:`PIN` unless given). ``device`` remembers it and passes it whenever it acts as that person."""
    code = server.codes.pop(username, None) or server.code(username)
    args = ["enroll", "--server", server.url, "--code", code]
    if signer:
        device.ok(*args, "--pin-stdin", stdin=(secret or PIN) + "\n")
    else:
        device.ok(*args, "--secret-stdin", stdin=(secret or SECRETS.get(username, DEFAULT_SECRET)) + "\n")


def register_skd(device: Laptop, folder: Path, *, user: str = "siti", name: str = "Ani Lestari",
                 nik: str = NIK_WOMAN, submit: bool = True, extra: dict[str, str] | None = None) -> str:
    """The counter registers a complete SKD request (fields and scans) and, by default, submits it; ``extra``
    adds fields (the citizen's phone, e-mail and consent to be told: ``CONTACT_FIELDS``)."""
    scans = folder / f"scans-{nik}"
    scans.mkdir(exist_ok=True)
    args = ["--user", user, "case", "new", "--service", "SKD", "--nik", nik, "--name", name]
    for key, value in {**SKD_FIELDS, **(extra or {})}.items():
        args += ["--field", f"{key}={value}"]
    for doc, path in documents(scans).items():
        args += ["--attach", f"{doc}={path}"]
    case_id = str(device.ok(*args)["id"])
    if submit:
        device.ok("--user", user, "case", "submit", case_id)
    return case_id


# The citizen's phone and e-mail, and their yes to being told how the request goes (sync/server/notify.py).
CONTACT_FIELDS = {"telepon": "081234567890", "email": "ani.lestari@contoh.id", "izin_kabar": "ya"}


# A Musrenbang proposal of an RW: no citizen NIK; verified at the kelurahan, endorsed by the Lurah, approved by
# the Camat (resources/services/usulmus.toml).
USULMUS_FIELDS = {
    "tahun_anggaran": "2027",
    "bidang": "infrastruktur",
    "program": "Peningkatan saluran drainase lingkungan",
    "kegiatan": "Perbaikan saluran drainase Jl. Candi Panggung gang 3 sepanjang 120 meter",
    "lokasi": "Jl. Candi Panggung gang 3, RT 02/RW 05",
    "volume": "120",
    "satuan": "m",
    "estimasi_biaya": "150000000",
    "penerima_manfaat": "240",
    "prioritas": "1",
    "penanggung_jawab": "Slamet Riyadi",
    "telepon": "081234567890",
}
USULMUS_DOCS = ("berita_acara", "rab", "foto_lokasi")


def register_usulmus(device: Laptop, folder: Path, *, user: str = "siti", name: str = "RW 05",
                     submit: bool = True) -> str:
    """The kelurahan registers a complete USULMUS proposal (the case name is the proposing RW) and submits it."""
    scans = folder / f"usulmus-{name.replace(' ', '_')}"
    scans.mkdir(exist_ok=True)
    args = ["--user", user, "case", "new", "--service", "USULMUS", "--name", name]
    for key, value in USULMUS_FIELDS.items():
        args += ["--field", f"{key}={value}"]
    for doc, path in documents(scans, USULMUS_DOCS).items():
        args += ["--attach", f"{doc}={path}"]
    case_id = str(device.ok(*args)["id"])
    if submit:
        device.ok("--user", user, "case", "submit", case_id)
    return case_id


def approve(device: Laptop, *case_ids: str, user: str = "lurah") -> dict[str, str]:
    """``user`` approves ``case_ids`` in one batch with one PIN; returns case id → letter number (all signed)."""
    signed = device.ok("--user", user, "case", "approve", *case_ids, "--pin-stdin", stdin=PIN + "\n")
    assert all(s["status"] == "approved" and s["letter_number"] for s in signed), signed
    return {s["id"]: s["letter_number"] for s in signed}


def letter_verifies(device: Laptop, case_id: str, folder: Path) -> dict[str, object]:
    """Export ``case_id``'s letter as the citizen would receive it and check it with ``loket-cli verify``."""
    path = folder / f"letter-{case_id}.pdf"
    device.ok("letter", "export", case_id, "--out", str(path))
    out = device.run("--json", "verify", str(path))
    result: dict[str, object] = json.loads(out.stdout)
    assert out.returncode == 0 and result["valid"], result
    return result


def add_signer(device: Laptop, server: ServerProcess, username: str, name: str, position: str) -> None:
    """IT adds another penandatangan of the office and enrols them on ``device`` (a shared signing laptop)."""
    from samples import OFFICE

    added = server.admin("user", "add", "--office", OFFICE, "--role", "penandatangan", "--name", name,
                         "--username", username, "--position", position)
    server.codes[username] = str(added["code"])
    enrol(device, server, username, signer=True)


def reg_no_of(device: Laptop, case_id: str) -> str:
    """The readable registration number the counter gave ``case_id`` at submit (printed on the receipt)."""
    return str(device.ok("case", "show", case_id)["reg_no"])


def hand_over(device: Laptop, ident: str, collector: str = "Budi Santoso", relation: str = "keluarga",
              id_shown: str = "KTP-el 3573020101850001", user: str = "siti") -> dict[str, object]:
    """The counter hands the signed letter over and records who collected it."""
    result: dict[str, object] = device.ok("--user", user, "case", "issue", ident, "--collector", collector,
                                          "--relation", relation, "--id-shown", id_shown)
    return result
