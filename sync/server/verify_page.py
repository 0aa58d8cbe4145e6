"""The public page a letter's QR code opens: number, signer, position, date, status, hash — nothing more
than the letter itself shows (no NIK, no address)."""

from __future__ import annotations

import html
from typing import Any

from app import timefmt
from sync.server.pages import page


def _date(iso: str) -> str:
    """The day in Malang (WIB): a letter signed at 22:00 UTC is dated the next day, as the letter says."""
    return timefmt.date_long(iso, "id") if timefmt.parse(iso) else iso


def _earlier_rows(steps: Any) -> list[tuple[str, str]]:
    """The earlier signed steps of the approval chain: position, name and date of each."""
    return [(f"Persetujuan {s.get('position') or '-'}", f"{s.get('name') or '-'} — {_date(str(s.get('at') or ''))}")
            for s in steps]


def _revocation_rows(info: dict[str, Any]) -> list[tuple[str, str]]:
    """The signer's later (or earlier) revocation, as the letter's own timestamp proves it."""
    from app.signing.revocation import reason_label, when_wib

    if not info.get("certificate_revoked_at"):
        return []
    rows = [("Cap waktu server", when_wib(info.get("timestamped_at"))),
            ("Sertifikat penandatangan", f"dicabut pada {when_wib(info['certificate_revoked_at'])}"),
            ("Alasan pencabutan", reason_label(info.get("revocation_reason")))]
    if info.get("invalid_since"):
        rows.append(("Kunci tidak aman sejak", when_wib(info["invalid_since"])))
    return rows


def _revocation_note(info: dict[str, Any]) -> str:
    from app.signing.revocation import revocation_line

    revoked = info.get("certificate_revoked_at")
    if not revoked:
        return ""
    before = bool(info.get("signed_before_revocation"))
    since = info.get("invalid_since")
    line_id = revocation_line(revoked, info.get("revocation_reason"), before, "id", since)
    line_en = revocation_line(revoked, info.get("revocation_reason"), before, "en", since)
    css = "ok" if before else "bad"
    return (f'<p class="{css}"><strong>{html.escape(line_id[:1].upper() + line_id[1:])}.</strong> '
            + ('Cap waktu server membuktikan surat ini sudah ada sebelum pencabutan, sehingga tetap sah.</p>'
               if before else 'Hubungi kantor yang menerbitkan surat.</p>')
            + f'<p lang="en"><em>{html.escape(line_en[:1].upper() + line_en[1:])}.</em></p>')


def render_verify_page(info: dict[str, Any] | None) -> str:
    if info is not None and ("void" in info or "pending" in info):
        body = other_number_body(info)
    elif info is None:
        body = ('<h1 class="bad">Surat tidak ditemukan</h1><p>Tidak ada surat Pemerintah Kota Malang dengan kode ini. '
                'Periksa kembali kode QR, atau hubungi kantor yang menerbitkan surat.</p>'
                '<p lang="en">No letter of the City of Malang has this code. Check the QR code again, or ask the '
                'office that issued the letter.</p>')
    else:
        revoked = info.get("certificate_revoked_at")
        before = bool(revoked and info.get("signed_before_revocation"))
        valid = info["status"] in ("approved", "issued") and (not revoked or before)
        badge = ('<span class="badge ok">SAH — ditandatangani secara elektronik</span>' if valid else
                 '<span class="badge bad">TIDAK BERLAKU</span>')
        rows = [("Nomor surat", info["letter_number"]), ("Jenis surat", info["service"]),
                ("Kantor", info["office"]), *_earlier_rows(info.get("earlier_steps") or ()),
                ("Penandatangan", info["signer"]),
                ("Jabatan", info.get("position") or "-"), ("Tanggal", _date(info["signed_at"])),
                ("Status", "Berlaku" if valid else ("Sertifikat dicabut" if revoked else info["status"])),
                *_revocation_rows(info), ("SHA-256 berkas", info["sha256"])]
        items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(str(v))}</dd>" for k, v in rows)
        badge_en = ("Valid: signed electronically." if valid else "Not valid.")
        body = (f'<h1>Verifikasi Surat Elektronik</h1><p class="en" lang="en">Electronic letter verification</p>'
                f'<p>{badge}<br><span lang="en">{badge_en}</span></p>{_revocation_note(info)}<dl>{items}</dl>'
                '<p>Cocokkan nomor dan isi surat yang Anda pegang dengan data di atas. Berkas PDF asli juga dapat '
                'diperiksa tanda tangannya di pembaca PDF dengan sertifikat CA Pemerintah Kota Malang.</p>'
                '<p lang="en">Compare the number and content of the letter you hold with the data above. The '
                'original PDF\'s signature can also be checked in a PDF reader with the City of Malang CA '
                'certificate.</p>')
    return page("Verifikasi Surat", body)


def other_number_body(info: dict[str, Any]) -> str:
    """A printed letter whose number is not the case's valid letter: voided (why, where to ask) or not yet
    received by the server. Never "not found" for a number the city's signer really gave out."""
    esc = html.escape
    office = esc(info.get("office") or "kantor yang menerbitkan surat")
    office_en = esc(info.get("office") or "the office that issued it")
    if "pending" in info:
        number = esc(str(info["pending"]))
        return (f'<h1 class="bad">Nomor surat belum terdaftar</h1><p><span class="badge bad">BELUM TERDAFTAR'
                f'</span></p><dl><dt>Nomor surat</dt><dd>{number}</dd></dl>'
                '<p>Server Pemerintah Kota Malang belum menerima surat bernomor ini. Surat yang ditandatangani '
                'tanpa jaringan baru terdaftar setelah perangkat kantor tersambung; periksa lagi nanti. Bila nomor '
                f'ini tetap belum terdaftar, surat ini belum sah: tanyakan ke {office}.</p>'
                '<p lang="en"><em>The City of Malang has not received a letter with this number yet. A letter '
                'signed offline is registered once the office\'s device is back online; check again later. If '
                f'the number stays unregistered, the letter is not valid yet: ask {office_en}.</em></p>')
    void = info["void"]
    rows = [("Nomor surat", info["letter_number"]), ("Kantor", info.get("office") or "-"),
            ("Status", f"Dibatalkan sejak {_date(str(void['at']))}")]
    items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(str(v))}</dd>" for k, v in rows)
    items += f'<dt>Alasan</dt><dd style="word-break:normal">{esc(void["reason_id"])}</dd>'
    valid = info.get("valid_number")
    instead = (f" Surat yang berlaku untuk permohonan ini bernomor {esc(valid)}." if valid else "")
    instead_en = (f" The valid letter for this request is number {esc(valid)}." if valid else "")
    return (f'<h1 class="bad">Surat TIDAK SAH</h1><p><span class="badge bad">TIDAK BERLAKU — nomor surat dibatalkan'
            f'</span></p><dl>{items}</dl>'
            f'<p>Surat dengan nomor ini tidak sah dan tidak dapat digunakan. {esc(void["reason_id"])}{instead} '
            f'Silakan hubungi {office} dengan membawa surat ini untuk mendapatkan surat yang berlaku.</p>'
            f'<p lang="en"><em>This letter is not valid and cannot be used. {esc(void["reason_en"])}{instead_en} '
            f'Please contact {office_en}, bringing this letter, to get a valid one.</em></p>')
