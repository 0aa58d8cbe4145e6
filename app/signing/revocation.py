"""How a letter's standing against its signer's revocation is said to people (CLI, public page).

One sentence per case, Bahasa Indonesia first, English second; times in Malang's civil time (WIB). The
revocation's reason is the city's code (``mutasi``, ``hilang`` …), never the admin's free text.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from app import timefmt
from app.signing.certificates import REVOCATION_REASONS


def parse_time(value: Any) -> dt.datetime | None:
    """An ISO string or datetime as an aware datetime (UTC assumed); ``None`` for anything else."""
    return timefmt.parse(value)


def when_wib(value: Any, lang: str = "id") -> str:
    """``1 Desember 2026, 04.31 WIB`` / ``1 December 2026, 04:31 WIB``."""
    return timefmt.moment_long(value, lang) if timefmt.parse(value) else "-"


def reason_label(code: str | None, lang: str = "id") -> str:
    reason = REVOCATION_REASONS.get(code or "")
    if reason is None:
        return code or ("tanpa keterangan" if lang == "id" else "no reason given")
    return f"{reason.code} — {reason.label_id if lang == 'id' else reason.label_en}"


def revocation_line(revoked_at: Any, reason_code: str | None, signed_before: bool, lang: str = "id",
                    invalid_since: Any = None) -> str:
    """The sentence for a letter whose signer's certificate is revoked (empty when it is not)."""
    if not revoked_at:
        return ""
    when, why = when_wib(revoked_at, lang), reason_label(reason_code, lang)
    if invalid_since and not signed_before:
        since = when_wib(invalid_since, lang)
        return (f"tidak sah — kunci penandatangan dianggap tidak aman sejak {since} ({why}); sertifikat dicabut "
                f"pada {when}" if lang == "id" else
                f"not valid — the signer's key is considered compromised since {since} ({why}); the certificate "
                f"was revoked on {when}")
    if signed_before:
        return (f"sah — ditandatangani sebelum sertifikat dicabut pada {when} ({why})" if lang == "id" else
                f"valid — signed before the certificate was revoked on {when} ({why})")
    return (f"tidak sah — sertifikat dicabut pada {when} ({why}) dan tidak ada cap waktu yang membuktikan "
            "surat ditandatangani sebelumnya" if lang == "id" else
            f"not valid — the certificate was revoked on {when} ({why}) and no timestamp proves the letter "
            "was signed before")
