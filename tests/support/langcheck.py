"""Is a text in the other language? A small word list per language: words that are unmistakably English in
an Indonesian screen (and the other way round), after taking out the proper names both languages share
(offices, places, positions, codes)."""

from __future__ import annotations

import re

# names that are the same in both languages: offices, places, positions, product and standard names
PROPER = ("Kota Malang", "Oro-oro Dowo", "Kelurahan", "Kecamatan", "Klojen", "Blimbing", "Lurah", "Camat",
          "Dinas", "Kepala", "Loket", "NIK", "NIP", "PIN", "Plh", "Plt", "a.n.", "QR", "PDF", "CSV", "XLSX", "KK",
          "Sekretaris", "Petugas", "Siti", "Bambang", "Dewi", "Budi", "Santoso", "Unicode", "Qt", "WIB", "OK",
          "Page Up", "Page Down")

_ENGLISH = """
the is are was were not and with this that these of for from your you has have yes cancel save open close
file files print printer page pages case cases name user users signed letter letters service services error
warning help settings back next previous select delete copy paste search new edit submit verify approve reject
refused done queue history date time due updated device received step reason all none show hide view there
here which what when who will can cannot should must by on please sign signing draft issued withdrawn returned
verified rejected waiting pending sent online offline conflicts conflict mine theirs field fields document
documents attachment attachments choose directory size type modified undo redo cut
"""

_INDONESIAN = """
yang dan tidak belum sudah untuk dengan ini itu berkas daftar simpan batal tutup buka cetak halaman pengguna
surat layanan nama tanggal alasan kembali antrean tanda tangan ajukan verifikasi setujui tolak riwayat perangkat
diterima langkah oleh ke dari di pada akan bisa harus atau semua baru ubah hapus salin tempel cari bantuan
pengaturan keluar masuk sandi kata ya perlu menunggu terkirim konflik ditolak sah lampiran isian dokumen
petunjuk pilih tampilkan berikutnya sebelumnya jenis ukuran diubah sinkronisasi daring luring ditandatangani
tenggat perbaiki
"""

ENGLISH = frozenset(_ENGLISH.split())
INDONESIAN = frozenset(_INDONESIAN.split())
_WORD = re.compile(r"[A-Za-z]+")


def foreign_words(text: str, lang: str) -> list[str]:
    """The words of ``text`` that belong to the other language than ``lang`` ('id' or 'en')."""
    clean = text.replace("&", "")
    for name in PROPER:
        clean = clean.replace(name, " ")
    other = ENGLISH if lang == "id" else INDONESIAN
    return [w for w in _WORD.findall(clean) if w.lower() in other]
