"""What ``loket-cli`` says to a person, in one language at a time (Bahasa Indonesia, or English with
``LOKET_LANG=en`` or the profile's language setting).

The handlers' sentences are registered with :mod:`app.i18n` (``cli.*`` keys). The parser's own words —
argparse's "usage:", "positional arguments", its error sentences, and every command's help — go through
:func:`localize_parser`, so ``loket-cli --help`` speaks the same language as the commands. Never imports Qt.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.i18n import language, register, tr

register({
    "cli.duplicate": {"id": "Perhatian: NIK ini masih punya berkas terbuka untuk layanan yang sama.",
                      "en": "Note: this NIK already has an open case for the same service."},
    "cli.fields": {"id": "{n} isian", "en": "{n} fields"},
    "cli.not_a_date": {"id": "{text} bukan tanggal (TTTT-BB-HH)", "en": "{text} is not a date (YYYY-MM-DD)"},
    "cli.register.choose": {"id": "Pilih: loket-cli register show|export --kind keluar|masuk --from … --to …",
                            "en": "Choose: loket-cli register show|export --kind keluar|masuk --from … --to …"},
    "cli.receipt.saved": {"id": "Tanda terima {reg_no} disimpan di {path}", "en": "Receipt {reg_no} saved to {path}"},
    "cli.register.saved": {"id": "{title}: {n} baris disimpan di {path}", "en": "{title}: {n} rows saved to {path}"},
    "cli.support.written": {
        "id": "Berkas dukungan ditulis ke {path} ({kb} KB, {n} bagian rahasia disensor). Kirimkan ke TI.",
        "en": "Support bundle written to {path} ({kb} KB, {n} secrets redacted). Send it to IT."},
    "cli.show.nik": {"id": "NIK: {v}", "en": "NIK: {v}"},
    "cli.show.name": {"id": "Nama: {v}", "en": "Name: {v}"},
    "cli.show.refused": {"id": "DITOLAK SERVER: {what} — {reason}", "en": "REFUSED BY THE SERVER: {what} — {reason}"},
    "cli.show.handled": {"id": "(sudah ditangani)", "en": "(handled)"},
    "cli.sync.history_pending": {
        "id": "Riwayat dan dokumen berkas masih diunduh; sinkronisasi berikutnya melanjutkannya.",
        "en": "Cases' history and documents are still being downloaded; the next sync continues it."},
    "cli.show.history_coming": {"id": "Riwayat dan dokumen berkas ini masih diunduh dari server.",
                                "en": "This case's history and documents are still being downloaded from the server."},
    "cli.import.summary": {"id": "{n} berkas diimpor, {r} baris ditolak", "en": "{n} cases imported, {r} rows refused"},
    "cli.import.row": {"id": "  baris {row}: {field}: {message}", "en": "  row {row}: {field}: {message}"},
    "cli.secret.prompt": {"id": "Kata sandi / PIN", "en": "Password / PIN"},
    "cli.enroll.secret": {
        "id": "Kata sandi orang yang didaftarkan dibaca dari masukan standar: gunakan --secret-stdin "
              "(penandatangan: --pin-stdin, PIN-nya sekaligus kata sandinya).",
        "en": "The new person's password is read from standard input: use --secret-stdin "
              "(signers: --pin-stdin, their PIN is also their password)."},
    "cli.enroll.done": {"id": "Perangkat terdaftar untuk {user} ({roles}, {office})",
                        "en": "Device enrolled for {user} ({roles}, {office})"},
    "cli.sync.summary": {
        "id": "terkirim {pushed}, diterima {pulled}, konflik {conflicts}, ditolak {rejected}, menunggu {pending}",
        "en": "pushed {pushed}, pulled {pulled}, conflicts {conflicts}, rejected {rejected}, pending {pending}"},
    "cli.sync.refused": {"id": "Ditolak server (belum ditangani):", "en": "Refused by the server (not handled yet):"},
    "cli.refusal.todo": {"id": "tindakan", "en": "to do"},
    "cli.refusal.dismissed": {"id": "ditandai sudah ditangani", "en": "marked as handled"},
    "cli.refusal.resent": {"id": "kembali ke antrean kirim", "en": "back in the outbox"},
    "cli.conflict.line": {"id": "{id} {case} {field}: milik perangkat ini={mine!r} dari server={theirs!r}",
                          "en": "{id} {case} {field}: this device={mine!r} server={theirs!r}"},
    "cli.pin.stdin": {"id": "PIN dibaca dari masukan standar: gunakan --pin-stdin.",
                      "en": "The PIN is read from standard input: use --pin-stdin."},
    "cli.step.signed": {"id": "rekomendasi ditandatangani (langkah {step} dari {steps})",
                        "en": "recommendation signed (step {step} of {steps})"},
    "cli.verify.valid": {"id": "SAH", "en": "VALID"},
    "cli.verify.invalid": {"id": "TIDAK SAH", "en": "NOT VALID"},
    "cli.verify.signed_at": {"id": "ditandatangani {when}", "en": "signed {when}"},
    "cli.delegation.revoked": {"id": "(dicabut)", "en": "(revoked)"},
    "cli.doctor.fail": {"id": "GAGAL", "en": "FAIL"},
    "cli.doctor.warn": {"id": "AWAS", "en": "WARN"},
    "cli.yes": {"id": "ya", "en": "yes"},
    "cli.no": {"id": "tidak", "en": "no"},
    "cli.keys.has_key": {"id": "Kunci tanda tangan ada", "en": "Signing key present"},
    "cli.keys.certificate_serial": {"id": "Nomor seri sertifikat", "en": "Certificate serial"},
    "cli.keys.not_after": {"id": "Berlaku sampai", "en": "Valid until"},
    "cli.keys.revoked": {"id": "Dicabut", "en": "Revoked"},
    "cli.keys.revoked_at": {"id": "Dicabut pada", "en": "Revoked on"},
    "cli.keys.revocation_reason": {"id": "Alasan pencabutan", "en": "Reason for revocation"},
    "cli.keys.invalid_since": {"id": "Tidak aman sejak", "en": "Compromised since"},
    "cli.keys.crl_age_hours": {"id": "Umur daftar pencabutan (jam)", "en": "Revocation list age (hours)"},
})


def keys_text(d: dict[str, Any]) -> str:
    """``keys status`` for a person: labels in the chosen language, times in WIB."""
    from app import timefmt

    out = []
    for key, value in d.items():
        if isinstance(value, bool):
            shown = tr("cli.yes") if value else tr("cli.no")
        elif key in ("not_after", "revoked_at", "invalid_since"):
            shown = timefmt.moment_long(value)
        else:
            shown = "-" if value is None else str(value)
        label = tr(f"cli.keys.{key}")
        out.append(f"{label if not label.startswith('cli.') else key}: {shown}")
    return "\n".join(out)

# argparse's own words (it asks gettext for them; Loket answers in the chosen language)
_ARGPARSE_ID = {
    "usage: ": "cara pakai: ",
    "positional arguments": "argumen posisi",
    "options": "pilihan",
    "show this help message and exit": "tampilkan bantuan ini lalu keluar",
    "show program's version number and exit": "tampilkan versi program lalu keluar",
    "the following arguments are required: %s": "argumen berikut wajib diisi: %s",
    "unrecognized arguments: %s": "argumen tidak dikenal: %s",
    "invalid choice: %(value)r (choose from %(choices)s)": "pilihan tidak sah: %(value)r (pilih dari %(choices)s)",
    "argument %(argument_name)s: %(message)s": "argumen %(argument_name)s: %(message)s",
    "expected one argument": "perlu satu nilai",
    "expected at least one argument": "perlu paling sedikit satu nilai",
    "invalid %(type)s value: %(value)r": "nilai %(type)s tidak sah: %(value)r",
    "ambiguous option: %(option)s could match %(matches)s": "pilihan ambigu: %(option)s bisa berarti %(matches)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: galat: %(message)s\n",
    "not allowed with argument %s": "tidak boleh bersama argumen %s",
}

# every command's help, written once in English next to its parser; Bahasa Indonesia here
HELP_ID = {
    "write the rekap to FILE.xlsx or FILE.pdf": "tulis rekap ke FILE.xlsx atau FILE.pdf",
    "2026-1 (ganjil) or 2026-2 (genap)": "2026-1 (ganjil) atau 2026-2 (genap)",
    "the ceiling in rupiah": "pagu dalam rupiah",
    "remove the ceiling": "hapus pagu",
    "make the berita acara of your kecamatan's musrenbang (the accepted proposals of the year), registered and "
    "submitted for the Camat's signature":
        "buat berita acara musrenbang kecamatan Anda (usulan tahun itu yang disetujui), didaftarkan dan diajukan "
        "untuk ditandatangani Camat",
    "rekaps of the receiving offices (musrenbang, school reports)":
        "rekap kantor penerima (musrenbang, laporan sekolah)",
    "the year's kelurahan proposals, ranked, with totals and ceilings":
        "usulan kelurahan setahun, diperingkat, dengan jumlah dan pagu",
    "kecamatan code (35.73.02); default: your own kecamatan, or the whole city":
        "kode kecamatan (35.73.02); bawaan: kecamatan Anda sendiri, atau seluruh kota",
    "every kecamatan of the city": "semua kecamatan di kota",
    "the semester's school reports: totals, missing schools, change":
        "laporan sekolah satu semester: jumlah, sekolah yang belum melapor, perubahan",
    "set a kelurahan's indicative ceiling for a budget year (kecamatan staff)":
        "atur pagu indikatif kelurahan untuk satu tahun anggaran (staf kecamatan)",
    "act as this person (secret on stdin)": "bertindak sebagai orang ini (kata sandi dari masukan standar)",
    "the citizen's receipt as an A5 PDF": "tanda terima pemohon sebagai PDF A5",
    "registration number or case id": "nomor registrasi atau id berkas",
    "who collected the letter": "siapa yang mengambil surat",
    "to the applicant": "hubungan dengan pemohon",
    "the identity document shown (e.g. KTP-el 3573…)": "kartu identitas yang ditunjukkan (mis. KTP-el 3573…)",
    "registers: outgoing letters, incoming requests": "buku agenda: surat keluar, permohonan masuk",
    "print a register": "tampilkan buku agenda",
    "export a register to .xlsx or .pdf": "ekspor buku agenda ke .xlsx atau .pdf",
    "which register: outgoing letters or incoming requests":
        "buku agenda yang mana: keluar (surat keluar) atau masuk (permohonan masuk)",
    "office code (default: every office on this laptop)": "kode kantor (bawaan: semua kantor di laptop ini)",
    "profile (data) folder": "folder profil (data)",
    "print JSON": "keluaran JSON",
    "act as this person on a shared laptop; their password or PIN is read from the first line of standard input":
        "bertindak sebagai orang ini di laptop bersama; kata sandi atau PIN-nya dibaca dari baris pertama "
        "masukan standar",
    "service catalogue": "katalog layanan",
    "list the services available to this user": "daftar layanan yang tersedia bagi pengguna ini",
    "service cases": "berkas layanan",
    "register a draft case": "daftarkan berkas draf",
    "list cases": "daftar berkas",
    "verify/sign: the cases waiting for your verification or your signing step":
        "'verify'/'sign': berkas yang menunggu verifikasi Anda atau langkah tanda tangan Anda",
    "one case with its history": "satu berkas dengan riwayatnya",
    "change fields or documents": "ubah isian atau dokumen",
    "submit for verification": "ajukan untuk verifikasi",
    "verify (paraf)": "verifikasi (paraf)",
    "hand the signed letter over": "serahkan surat yang sudah ditandatangani",
    "withdraw at the citizen's request": "tarik atas permintaan warga",
    "send back to the counter with a reason": "kembalikan ke loket dengan alasan",
    "refuse with a reason": "tolak dengan alasan",
    "bulk intake from a UTF-8 CSV file": "pendaftaran massal dari berkas CSV UTF-8",
    "people who work on this device": "orang yang bekerja di perangkat ini",
    "list users of this profile": "daftar pengguna profil ini",
    "add a local (not enrolled) user, for offline demos": "tambah pengguna lokal (tidak terdaftar), untuk demo "
                                                          "luring",
    "read the new user's password from stdin": "baca kata sandi pengguna baru dari masukan standar",
    "make this user the active one (their password or PIN on stdin)":
        "jadikan pengguna ini yang aktif (kata sandi atau PIN-nya di masukan standar)",
    "join this device to the server with a one-time code": "daftarkan perangkat ini ke server dengan kode sekali "
                                                           "pakai",
    "server address (default: the one IT provisioned)": "alamat server (bawaan: yang dipasang TI)",
    "a signer's PIN (also their password) on stdin": "PIN penandatangan (sekaligus kata sandinya) di masukan standar",
    "the new person's password on stdin": "kata sandi orang baru di masukan standar",
    "one full sync run now": "satu kali sinkronisasi penuh sekarang",
    "conflicts between devices": "konflik antarperangkat",
    "show open conflicts": "tampilkan konflik yang terbuka",
    "settle a conflict": "selesaikan konflik",
    "mine | theirs | FIELD=VALUE": "'mine' (perangkat ini) | 'theirs' (server) | ISIAN=NILAI",
    "work the server refused, and what to do about it": "pekerjaan yang ditolak server, dan tindakannya",
    "show refusals no one has handled yet": "tampilkan penolakan yang belum ditangani",
    "mark a refusal as handled (kept in the history)": "tandai penolakan sudah ditangani (tetap di riwayat)",
    "send again an op the server failed on": "kirim ulang operasi yang gagal di server",
    "approve and sign cases with one PIN entry": "setujui dan tandatangani berkas dengan satu kali PIN",
    "signed letters": "surat bertanda tangan",
    "write the signed letter": "tulis surat yang sudah ditandatangani",
    "check a letter's signatures against the city CA": "periksa tanda tangan surat terhadap CA kota",
    "the signing key and certificate": "kunci tanda tangan dan sertifikatnya",
    "key and certificate state (never the key itself)": "keadaan kunci dan sertifikat (tidak pernah kuncinya)",
    "create the signing key under a PIN and get its certificate": "buat kunci tanda tangan dengan PIN dan ambil "
                                                                  "sertifikatnya",
    "Plh./Plt./a.n.: let another signer sign for the office": "Plh./Plt./a.n.: penandatangan lain menandatangani "
                                                              "untuk kantor",
    "grant a time-limited delegation (signed with your key)": "beri pelimpahan berjangka (ditandatangani dengan "
                                                              "kunci Anda)",
    "the delegate's username": "nama pengguna penerima pelimpahan",
    "last day (YYYY-MM-DD) or an ISO time": "hari terakhir (TTTT-BB-HH) atau waktu ISO",
    "end a delegation now": "akhiri pelimpahan sekarang",
    "delegations known to this device": "pelimpahan yang diketahui perangkat ini",
    "field-readiness and support checks (server, clock, keys, numbers, queue)":
        "pemeriksaan kesiapan dan dukungan (server, jam, kunci, nomor, antrean)",
    "skip the server and clock checks": "lewati pemeriksaan server dan jam",
    "write a zip for IT support: redacted logs, versions, doctor output (no database, no keys)":
        "tulis zip untuk dukungan TI: log yang disensor, versi, hasil doctor (tanpa basis data, tanpa kunci)",
    "settings and where each value comes from": "pengaturan dan asal setiap nilainya",
    "effective settings, their source, and problems in settings files":
        "pengaturan yang berlaku, asalnya, dan masalah di berkas pengaturan",
    "change one of this user's settings (not the values IT pins)": "ubah satu pengaturan pengguna ini (bukan "
                                                                   "nilai yang dipatok TI)",
    "remove one of this user's settings (back to IT's or the default)":
        "hapus satu pengaturan pengguna ini (kembali ke nilai TI atau bawaan)",
    "where the provisioning and user settings files are looked for": "tempat berkas pengaturan TI dan pengguna "
                                                                     "dicari",
}
DESCRIPTION_EN = {"Loket — layanan publik Kota Malang (baris perintah)":
                  "Loket — public services of Kota Malang (command line)"}


def _gettext(message: str) -> str:
    return _ARGPARSE_ID.get(message, message) if language() == "id" else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def _help(text: str | None) -> str | None:
    if not text or text == argparse.SUPPRESS:
        return text
    if language() == "id":
        return HELP_ID.get(text) or _ARGPARSE_ID.get(text, text)
    return DESCRIPTION_EN.get(text, text)


def speak_argparse() -> None:
    """argparse asks gettext for its words while parsers are built: answer in the chosen language."""
    argparse._ = _gettext  # type: ignore[attr-defined]
    argparse.ngettext = _ngettext  # type: ignore[attr-defined]


speak_argparse()


def localize_parser(parser: argparse.ArgumentParser) -> None:
    """Every help text of ``parser`` and its subcommands in the chosen language."""
    seen: set[int] = set()

    def walk(p: argparse.ArgumentParser) -> None:
        if id(p) in seen:
            return
        seen.add(id(p))
        p.description = _help(p.description)
        for action in p._actions:
            action.help = _help(action.help)
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    choice.help = _help(choice.help)
                for sub in action.choices.values():
                    walk(sub)

    walk(parser)


def line(key: str, **params: Any) -> str:
    """A ``cli.*`` sentence in the chosen language."""
    return tr(key, **params)
