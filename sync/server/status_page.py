"""``/status``: a citizen follows their request with the registration number and access code printed on the
receipt, and fetches the signed letter — the same bytes the verification page checks.

The code travels in a POST body only (never in a URL, so never in a log), is compared in constant time, and
wrong codes are counted per client address and per registration number: after ``MAX_FAILURES`` in a window
both are refused (HTTP 429) until the window ends. The page shows what the receipt already says — the service,
the steps and their dates, the office — never a NIK, an address or another field of the form.
"""

from __future__ import annotations

import hmac
import html
import urllib.parse
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select, update
from sqlalchemy.exc import IntegrityError

from app import clock, timefmt
from app.domain.catalog import Catalog
from app.domain.offices import OfficeDirectory
from sync.server import storage as t
from sync.server.notify import scrub
from sync.server.pages import page

MAX_FAILURES = 20
WINDOW_SECONDS = 3600
MAX_FORM = 2048
FIELD_MAX = 40
_DUMMY = "0" * 16  # compared against when the number is unknown: the same work, the same answer


@dataclass(frozen=True)
class Found:
    case: Any
    events: list[Any]


class Throttled(Exception):
    def __init__(self, wait: int) -> None:
        super().__init__("too many wrong codes")
        self.wait = wait


def parse_form(body: bytes) -> dict[str, str]:
    """``reg_no`` and ``code`` from an urlencoded body (already bounded by the body limit), cut to size."""
    data = urllib.parse.parse_qs(body[:MAX_FORM].decode("utf-8", "replace"), max_num_fields=10)
    return {k: " ".join(v[0].split())[:FIELD_MAX] for k, v in data.items() if k in ("reg_no", "code") and v}


def norm_code(code: str) -> str:
    """As the citizen may type it: spaces and dashes left out, letters in capitals."""
    return "".join(ch for ch in code if ch not in " -").upper()


class StatusDesk:
    def __init__(self, engine: Engine, catalog: Catalog, offices: OfficeDirectory) -> None:
        self.engine = engine
        self.catalog = catalog
        self.offices = offices

    def lookup(self, reg_no: str, code: str, client: str) -> Found | None:
        """The case whose receipt has ``reg_no`` and ``code``; None for a wrong pair (counted); raises
        :class:`Throttled` when this client or this number had too many wrong codes."""
        reg_no, keys = reg_no.strip().upper(), [f"ip:{client}"[:64]]
        if reg_no:
            keys.append(f"reg:{reg_no}"[:64])
        window = int(clock.now().timestamp()) // WINDOW_SECONDS * WINDOW_SECONDS
        with self.engine.connect() as conn:
            worst = max((conn.execute(select(t.status_attempts.c.failures).where(
                t.status_attempts.c.key == k, t.status_attempts.c.window_start == window)).scalar() or 0
                for k in keys), default=0)
            row = conn.execute(select(t.cases).where(t.cases.c.reg_no == reg_no, t.cases.c.deleted.is_(False))
                               ).first() if reg_no else None
        if worst >= MAX_FAILURES:
            raise Throttled(max(1, window + WINDOW_SECONDS - int(clock.now().timestamp())))
        expected = norm_code(row.access_code or "") if row is not None else ""
        good = hmac.compare_digest(norm_code(code).encode(), (expected or _DUMMY).encode())
        if row is None or not expected or not good:
            self._failed(keys, window)
            return None
        with self.engine.connect() as conn:
            events = list(conn.execute(select(t.case_events).where(t.case_events.c.case_id == row.id)
                                       .order_by(t.case_events.c.id)))
        return Found(row, events)

    def letter(self, found: Found) -> tuple[str, bytes] | None:
        """The signed letter's file name and bytes (the blob the verification page's hash names)."""
        case = found.case
        if case.status not in ("approved", "issued") or not case.letter_sha256:
            return None
        with self.engine.connect() as conn:
            data = conn.execute(select(t.blobs.c.data).where(t.blobs.c.sha256 == case.letter_sha256,
                                                             t.blobs.c.complete.is_(True))).scalar()
        if data is None:
            return None
        safe = "".join(ch if ch.isalnum() else "-" for ch in (case.letter_number or case.reg_no or "surat"))
        return f"surat-{safe.strip('-')[:60]}.pdf", bytes(data)

    def _failed(self, keys: list[str], window: int) -> None:
        a = t.status_attempts.c
        with self.engine.begin() as conn:
            conn.execute(t.status_attempts.delete().where(a.window_start < window))
            for key in keys:
                for _ in range(3):
                    where = (a.key == key) & (a.window_start == window)
                    if conn.execute(update(t.status_attempts).where(where).values(failures=a.failures + 1)).rowcount:
                        break
                    try:
                        with conn.begin_nested():
                            conn.execute(t.status_attempts.insert().values(key=key, window_start=window, failures=1))
                        break
                    except IntegrityError:
                        continue

    # ---- pages -------------------------------------------------------------------------------------
    def render(self, found: Found, reg_no: str, code: str) -> str:
        case = found.case
        service = self.catalog.services.get(case.service)
        office = self.offices.get(case.office)
        signer = self.offices.get(case.signer_office)
        esc = html.escape
        rows = [("Nomor registrasi", case.reg_no), ("Layanan", service.names["id"] if service else case.service),
                ("Kantor", office.display_name if office else case.office)]
        if signer and signer.code != case.office:
            rows.append(("Ditandatangani oleh", signer.display_name))
        if case.letter_number and case.status in ("approved", "issued"):
            rows.append(("Nomor surat", case.letter_number))
        items = "".join(f"<dt>{esc(k)}</dt><dd>{esc(str(v))}</dd>" for k, v in rows)
        body = (f'<h1>Status Permohonan</h1><p class="en" lang="en">Request status</p>{self._state(case)}'
                f'<dl>{items}</dl><h2>Tahapan <span class="en" lang="en">· Steps</span></h2>'
                f'<ol class="steps">{steps_html(case, found.events)}</ol>'
                f'{self._download(case, reg_no, code)}'
                f'<h2>Kantor yang dihubungi <span class="en" lang="en">· Office to contact</span></h2>'
                f'<p>{esc(office.display_name if office else case.office)}. Bawa tanda terima Anda. '
                '<span lang="en">Bring your receipt.</span></p>'
                '<p><a href="/status">Cek permohonan lain · <span lang="en">Check another request</span></a></p>')
        return page("Status Permohonan", body, FOOTER)

    def _state(self, case: Any) -> str:
        reason = html.escape(scrub(case.reason, 300)) if case.reason else "-"
        return {
            "returned": f'<p class="alert"><b>Dikembalikan untuk dilengkapi:</b> {reason}<br><span lang="en">'
                        'Returned: please complete your request at the office.</span></p>',
            "rejected": f'<p class="alert"><b>Permohonan ditolak:</b> {reason}<br><span lang="en">'
                        'The request was rejected.</span></p>',
            "withdrawn": '<p class="alert"><b>Permohonan dibatalkan.</b> <span lang="en">The request was '
                         'withdrawn.</span></p>',
            "approved": '<p><span class="badge ok">Surat sudah ditandatangani</span><br><span lang="en">The '
                        'letter is signed.</span></p>',
            "issued": '<p><span class="badge ok">Surat sudah diserahkan</span><br><span lang="en">The letter has '
                      'been handed over.</span></p>',
        }.get(case.status, '<p><span class="badge wait">Sedang diproses</span><br><span lang="en">In progress'
                           '</span></p>')

    def _download(self, case: Any, reg_no: str, code: str) -> str:
        if case.status not in ("approved", "issued") or not case.letter_sha256:
            return ""
        esc = html.escape
        return ('<form method="post" action="/status/surat">'
                f'<input type="hidden" name="reg_no" value="{esc(reg_no)}">'
                f'<input type="hidden" name="code" value="{esc(code)}">'
                '<button type="submit">Unduh surat (PDF) · <span lang="en">Download the letter</span></button>'
                '</form><p class="hint">Keaslian surat dapat diperiksa dengan memindai kode QR pada surat. '
                '<span lang="en">Scan the QR code on the letter to check it is genuine.</span></p>')


STEP_NAMES = (
    ("create", "Diterima di loket", "Registered at the counter"),
    ("submit", "Diajukan untuk diperiksa", "Submitted for checking"),
    ("verify", "Diperiksa dan diparaf", "Checked and initialled"),
    ("approve", "Surat ditandatangani", "Letter signed"),
    ("issue", "Surat diserahkan", "Letter handed over"),
)
_STOPS = {"return": ("Dikembalikan", "Returned"), "reject": ("Ditolak", "Rejected"),
          "withdraw": ("Dibatalkan", "Withdrawn")}


def steps_html(case: Any, events: list[Any]) -> str:
    """Each step done (with its date, WIB) or still to come; a return, rejection or withdrawal in place of the
    step it stopped. A case returned and handed in again starts its later steps over from the new hand-in."""
    last: dict[str, str] = {"create": case.created_at}
    stop: tuple[str, str] | None = None
    steps = {s[0] for s in STEP_NAMES}
    for e in events:
        if e.action in _STOPS:
            stop = (e.action, e.at)
        elif e.action == "submit":  # handed in (again): the later steps start over
            last, stop = {"create": case.created_at, "submit": e.at}, None
        elif e.action in steps:
            last[e.action] = e.at
    if stop and stop[0] == "return" and case.status != "returned":
        stop = None
    out = []
    for key, name_id, name_en in STEP_NAMES:
        if key in last:
            out.append(_li("done", name_id, name_en, _when(last[key])))
        elif stop is not None:
            label = _STOPS[stop[0]]
            out.append(_li("stop", label[0], label[1], _when(stop[1])))
            stop = None
            break
        else:
            out.append(_li("todo", name_id, name_en, "belum · not yet"))
    return "".join(out)


def _when(at: str) -> str:
    """The page is Indonesian first: ``2 Desember 2026, 09.47 WIB``, as the receipt and the letter write it."""
    return timefmt.moment_long(at, "id")


def _li(css: str, name_id: str, name_en: str, when: str) -> str:
    return (f'<li class="{css}"><b>{html.escape(name_id)} <span class="en" lang="en">· {html.escape(name_en)}'
            f'</span></b><small>{html.escape(when)}</small></li>')


FOOTER = ("Halaman ini hanya menampilkan tahapan permohonan, tanpa NIK dan alamat. Jangan bagikan kode akses "
          "Anda. <span lang=\"en\">This page shows only the steps of the request, never an ID number or an "
          "address. Do not share your access code.</span>")


def form_page(message: str | None = None, reg_no: str = "") -> str:
    error = f'<p class="alert" role="alert">{message}</p>' if message else ""
    body = (f'<h1>Cek Status Permohonan</h1><p class="en" lang="en">Check your request</p>{error}'
            '<p>Masukkan nomor registrasi dan kode akses yang tercetak pada tanda terima.<br>'
            '<span lang="en">Enter the registration number and access code printed on your receipt.</span></p>'
            '<form method="post" action="/status">'
            '<label for="reg_no">Nomor registrasi <small lang="en">Registration number</small></label>'
            f'<input type="text" id="reg_no" name="reg_no" value="{html.escape(reg_no)}" maxlength="40" '
            'autocomplete="off" autocapitalize="characters" spellcheck="false" required>'
            '<label for="code">Kode akses <small lang="en">Access code</small></label>'
            '<input type="password" id="code" name="code" maxlength="40" autocomplete="off" '
            'autocapitalize="characters" spellcheck="false" required>'
            '<button type="submit">Lihat status · <span lang="en">Show status</span></button></form>')
    return page("Cek Status Permohonan", body, FOOTER)


WRONG = ('Nomor registrasi atau kode akses tidak cocok. Periksa kembali tanda terima Anda.<br>'
         '<span lang="en">The registration number or access code does not match. Check your receipt.</span>')


def throttled_page(wait: int) -> str:
    minutes = max(1, (wait + 59) // 60)
    body = ('<h1 class="bad">Terlalu banyak percobaan</h1><p class="en" lang="en">Too many attempts</p>'
            f'<p class="alert">Kode akses salah terlalu sering. Coba lagi setelah {minutes} menit, atau datang ke '
            'kantor dengan membawa tanda terima.<br><span lang="en">The access code was wrong too many times. '
            f'Try again in {minutes} minutes, or come to the office with your receipt.</span></p>')
    return page("Terlalu banyak percobaan", body, FOOTER)


def no_letter_page() -> str:
    body = ('<h1>Surat belum tersedia</h1><p class="en" lang="en">The letter is not available yet</p>'
            '<p>Surat untuk permohonan ini belum ditandatangani.<br><span lang="en">The letter for this request '
            'has not been signed yet.</span></p><p><a href="/status">Kembali · <span lang="en">Back</span></a></p>')
    return page("Surat belum tersedia", body, FOOTER)

