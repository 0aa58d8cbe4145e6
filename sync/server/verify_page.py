"""The public page a letter's QR code opens: number, signer, position, date, status, hash — nothing more
than the letter itself shows (no NIK, no address)."""

from __future__ import annotations

import html
from typing import Any

from app.letters.model import WIB, tanggal

_STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:0;background:#f4f6f8;color:#1d2733}
main{max-width:40rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem 2rem;
box-shadow:0 1px 4px rgba(0,0,0,.1)}
h1{font-size:1.25rem;margin:.2rem 0 1rem} .ok{color:#0b6b2f} .bad{color:#a31515}
dl{display:grid;grid-template-columns:11rem 1fr;gap:.45rem 1rem;margin:0} dt{color:#5b6775}
dd{margin:0;overflow-wrap:anywhere} .badge{display:inline-block;padding:.25rem .7rem;border-radius:999px;
font-weight:600} .badge.ok{background:#e3f5e9} .badge.bad{background:#fde7e7} footer{font-size:.8rem;color:#5b6775;
margin-top:1.5rem}
@media (max-width:30rem){main{margin:0;border-radius:0;padding:1.2rem 1.1rem}
dl{grid-template-columns:1fr;gap:.1rem} dd{margin-bottom:.55rem}}
"""


def _date(iso: str) -> str:
    """The day in Malang (WIB): a letter signed at 22:00 UTC is dated the next day, as the letter says."""
    from app.signing.revocation import parse_time

    moment = parse_time(iso)
    return tanggal(moment.astimezone(WIB).date()) if moment else iso


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
    if info is None:
        body = ('<h1 class="bad">Surat tidak ditemukan</h1><p>Tidak ada surat Pemerintah Kota Malang dengan kode ini. '
                'Periksa kembali kode QR, atau hubungi kantor yang menerbitkan surat.</p>'
                '<p lang="en"><em>No letter of the City of Malang has this code.</em></p>')
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
        body = (f'<h1>Verifikasi Surat Elektronik</h1><p>{badge}</p>{_revocation_note(info)}<dl>{items}</dl>'
                '<p>Cocokkan nomor dan isi surat yang Anda pegang dengan data di atas. Berkas PDF asli juga dapat '
                'diperiksa tanda tangannya di pembaca PDF dengan sertifikat CA Pemerintah Kota Malang.</p>')
    return (f'<!doctype html><html lang="id"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width,initial-scale=1"><title>Verifikasi Surat — Pemerintah Kota Malang</title>'
            f'<style>{_STYLE}</style></head><body><main><p>PEMERINTAH KOTA MALANG</p>{body}'
            '<footer>Ditandatangani secara elektronik dengan sertifikat yang diterbitkan CA Pemerintah Kota Malang '
            '(UU 11/2008 jo. UU 19/2016 tentang ITE, PP 71/2019).</footer></main></body></html>')
