"""One clock for people: a moment just after 17:00 UTC is already the next day in Malang (WIB), and every
place a person reads it says so — the letter's date and signature block, the case list, the public page,
the CLI — while JSON keeps ISO 8601 with its offset."""

from __future__ import annotations

import datetime as dt

from app import clock, timefmt
from app.i18n import set_language
from app.signing.revocation import when_wib

LATE = "2026-12-01T17:05:00+00:00"  # 00:05 WIB on 2 December


def test_a_late_utc_moment_is_the_next_day_in_malang() -> None:
    assert timefmt.date_long(LATE, "id") == "2 Desember 2026"
    assert timefmt.moment_long(LATE, "id") == "2 Desember 2026, 00.05 WIB"
    assert timefmt.moment_long(LATE, "en") == "2 December 2026, 00:05 WIB"
    assert timefmt.moment_short(LATE, "id") == "02/12/2026 00.05"
    assert timefmt.today(dt.datetime(2026, 12, 1, 17, 5, tzinfo=dt.UTC)) == dt.date(2026, 12, 2)
    assert when_wib("2026-12-01T17:05:00Z") == "2 Desember 2026, 00.05 WIB"
    assert timefmt.iso("2026-12-01T17:05:00Z") == LATE  # machines keep the offset


def test_follows_the_language_in_force() -> None:
    set_language("en")
    assert timefmt.moment_long(LATE) == "2 December 2026, 00:05 WIB"
    set_language("id")
    assert timefmt.moment_long(LATE) == "2 Desember 2026, 00.05 WIB"


def test_jakarta_zone_is_found() -> None:
    """zoneinfo finds Asia/Jakarta (from the system, or the tzdata package on Windows)."""
    assert timefmt.WIB.utcoffset(dt.datetime(2026, 12, 1)) == dt.timedelta(hours=7)
    assert "Jakarta" in str(timefmt.WIB)


def test_today_is_malangs_day(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(clock, "now", lambda: dt.datetime(2026, 12, 1, 17, 5, tzinfo=dt.UTC))
    assert clock.today() == dt.date(2026, 12, 2)


def test_case_list_and_public_page_say_wib() -> None:
    from sync.server.verify_page import _date
    from ui.models.case_table import local_time

    assert local_time("2026-12-01T17:05:00Z") == "02/12/2026 00.05"
    assert _date(LATE) == "2 Desember 2026"


def test_letter_signature_block_says_wib() -> None:
    import pypdfium2

    from app.letters.artwork import render_stamp

    pdf = render_stamp(200, 60, signer_name="Drs. Hendro Prasetyo, M.Si.", nip="197504171998031003",
                       signed_at=dt.datetime(2026, 12, 1, 17, 5, tzinfo=dt.UTC), issuer="CA Kota Malang")
    page = pypdfium2.PdfDocument(pdf)[0]
    text = page.get_textpage().get_text_range().replace("\r", " ").replace("\n", " ")
    assert "2 Desember 2026, 00.05 WIB" in text, text


def test_a_refused_approval_names_the_revocation_in_wib() -> None:
    from types import SimpleNamespace

    from sync.server.approvals import _revoked_message

    message = _revoked_message(SimpleNamespace(revoked_at=LATE, revoke_reason_code="mutasi"))
    assert "revoked on 2 December 2026, 00:05 WIB (mutasi)" in message and "UTC" not in message


def test_short_dates_are_the_day_in_malang() -> None:
    assert timefmt.date_short(LATE) == "02/12/2026"
    assert timefmt.date_short(dt.date(2026, 8, 7)) == "07/08/2026"
    assert timefmt.date_short("2026-08-07") == "07/08/2026"
    assert timefmt.date_short("") == "" and timefmt.date_short("kemarin") == "kemarin"
    assert timefmt.moment_short(LATE).startswith(timefmt.date_short(LATE))
