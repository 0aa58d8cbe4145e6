"""Letter numbers that will never be valid: a genuinely signed approval the server refused.

A laptop hands out a number the moment the signer approves, offline; the citizen may leave with the printed
letter before the server sees it. When the server refuses that approval (the case changed, the certificate
was revoked, the signer may not sign it...), the number is void for ever and never reused. It is recorded
here, so that the public page opened from the letter's QR code says clearly that this letter is not valid,
why, and where to ask — never "not found". Only an event whose signature verifies against the acting user's
own certificate can void a number: a forged op cannot void anyone's letter.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, insert, select

from app.signing.approvals import InvalidApproval, SignedApproval, verify_event
from app.signing.certificates import load_certificate
from sync.protocol import Errno, Op
from sync.server import storage as t

# reason code → (Bahasa Indonesia, English): one sentence each, for the citizen, with no personal data
REASONS: dict[str, tuple[str, str]] = {
    "stale": ("Isi berkas berubah setelah surat ditandatangani, sehingga surat harus ditandatangani ulang.",
              "The request changed after the letter was signed, so the letter has to be signed again."),
    "revoked": ("Sertifikat tanda tangan pejabat sudah dicabut ketika surat ini diterima server.",
                "The signer's certificate had been revoked when the server received this letter."),
    "revoked_unsent": ("Akses penandatangan sudah dicabut sebelum surat ini sampai di server, sehingga surat ini "
                       "tidak pernah terdaftar dan tidak berlaku.",
                       "The signer's access was revoked before this letter reached the server, so it was never "
                       "registered and is not valid."),
    "not_authorised": ("Penandatangan tidak berwenang menandatangani surat ini (atau masa Plh./Plt. sudah "
                       "berakhir).", "The signer was not authorised to sign this letter (or the acting "
                       "appointment had ended)."),
    "number": ("Nomor surat ini berada di luar blok nomor yang diberikan kepada perangkat penandatangan.",
               "This letter number is outside the blocks of numbers given to the signing device."),
    "invalid": ("Tanda tangan elektronik surat ini tidak dapat diterima server.",
                "The server could not accept this letter's electronic signature."),
}
_BY_ERRNO = {Errno.APPROVAL_STALE: "stale", Errno.CERTIFICATE_REVOKED: "revoked", Errno.FORBIDDEN: "not_authorised",
             Errno.NUMBER_OUTSIDE_LEASE: "number"}


def reason_for(errno: int) -> str:
    try:
        return _BY_ERRNO.get(Errno(errno), "invalid")
    except ValueError:
        return "invalid"


def genuine_event(conn: Connection, username: str, op: Op) -> SignedApproval | None:
    """The op's approval event if its signature verifies against ``username``'s own certificate (revoked or
    not: a revoked signer's genuine letter is still his), else None."""
    # the signed event alone: not the letter, nor the device's "at" the client adds to every op it sends
    payload = {k: v for k, v in dict(op.get("payload") or {}).items() if k not in ("pdf", "at")}
    try:
        signed = SignedApproval.from_dict(payload)
    except (InvalidApproval, TypeError, ValueError):
        return None
    row = conn.execute(select(t.certificates).where(t.certificates.c.serial == signed.event.signer_cert_serial)
                       ).first()
    if row is None or row.username != username or signed.event.case_id != op.get("case_id"):
        return None
    try:
        verify_event(signed, load_certificate(row.pem.encode()))
    except (InvalidApproval, ValueError):
        return None
    return signed


def record(conn: Connection, signed: SignedApproval, device_id: str, errno: int, at: str) -> None:
    """Void ``signed``'s number, unless a letter already holds it (a replay must not void the real letter)."""
    number = signed.event.letter_number
    if len(number) > 80:
        return
    held = conn.execute(select(t.approvals.c.id).where(t.approvals.c.letter_number == number)).first()
    known = conn.execute(select(t.void_numbers.c.letter_number).where(t.void_numbers.c.letter_number == number)
                         ).first()
    if held is None and known is None:
        conn.execute(insert(t.void_numbers).values(letter_number=number, case_id=signed.event.case_id,
                                                   device_id=device_id, reason=reason_for(errno), errno=errno,
                                                   at=at))


def lookup(conn: Connection, case_id: str, number: str) -> dict[str, Any] | None:
    """What the public page may say about a void ``number`` of ``case_id``: the reason and its date."""
    row = conn.execute(select(t.void_numbers).where(t.void_numbers.c.letter_number == number,
                                                    t.void_numbers.c.case_id == case_id)).first()
    if row is None:
        return None
    indonesian, english = REASONS.get(row.reason, REASONS["invalid"])
    return {"number": row.letter_number, "reason": row.reason, "reason_id": indonesian, "reason_en": english,
            "at": row.at}


def latest(conn: Connection, case_id: str) -> str | None:
    """The case's most recently voided number (for a QR code that names only the case)."""
    row = conn.execute(select(t.void_numbers.c.letter_number).where(t.void_numbers.c.case_id == case_id)
                       .order_by(t.void_numbers.c.at.desc()).limit(1)).first()
    return str(row.letter_number) if row else None


def unsent_of_revoked(conn: Connection, number: str) -> dict[str, Any] | None:
    """A number from a block given to a device IT has since revoked, never received: it can never be
    registered (the device no longer reaches the server), so the page says it is void instead of "not yet"."""
    import datetime as dt

    from app.letters.numbering import format_number

    rows = conn.execute(select(t.leases, t.devices.c.revoked_at)
                        .join(t.devices, t.devices.c.id == t.leases.c.device_id)
                        .where(t.devices.c.revoked_at.is_not(None))).all()
    for r in rows:
        if r.classification not in number or str(r.year) not in number:
            continue
        for serial in range(r.first, r.last + 1):
            if any(format_number(r.office, r.classification, serial, dt.date(r.year, month, 1)) == number
                   for month in range(1, 13)):
                indonesian, english = REASONS["revoked_unsent"]
                return {"number": number, "reason": "revoked_unsent", "reason_id": indonesian,
                        "reason_en": english, "at": r.revoked_at}
    return None
