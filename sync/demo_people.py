"""The demo's people, one list for the demo server (``loket-server init --demo``) and the demo laptop
(``make run``): names, NIPs and positions agree on both sides. Every area of the catalogue has a petugas, a
verifikator and a penandatangan, so each service can be walked to a signed letter from the *Pengguna* menu.
Demo only: real people are added by IT with ``loket-server user add``.
"""

from __future__ import annotations

# username, full name, role, office, NIP, position
DEMO_USERS: list[tuple[str, str, str, str, str, str]] = [
    # Kelurahan Oro-oro Dowo (Kecamatan Klojen): SKD, SKTM, SKU, SPDUK, USULMUS
    ("siti", "Siti Aminah", "petugas", "35.73.02.1008", "199001012015032001", "Pengadministrasi Umum"),
    ("bambang", "Bambang Wicaksono", "verifikator", "35.73.02.1008", "198203122008011002", "Sekretaris Kelurahan"),
    ("lurah", "Drs. Hendro Prasetyo, M.Si.", "penandatangan", "35.73.02.1008", "197504171998031003",
     "Lurah Oro-oro Dowo"),
    # Dinas Pendidikan dan Kebudayaan: LAPSEK, NODIN
    ("rina", "Rina Kartikasari", "petugas", "35.73.OPD.DISDIK", "199305202019032004", "Pengelola Data"),
    ("yudi", "Yudi Setiawan, S.Pd.", "verifikator", "35.73.OPD.DISDIK", "198507142010011015", "Sekretaris Dinas"),
    ("kadisdik", "Dr. Suwarjana, S.E., M.M.", "penandatangan", "35.73.OPD.DISDIK", "197002151996011001",
     "Kepala Dinas Pendidikan dan Kebudayaan"),
    # Dinas Kesehatan: RUJKES, NODIN
    ("nadia", "Nadia Puspitasari, A.Md.Kes.", "petugas", "35.73.OPD.DINKES", "199602112020122003",
     "Pengadministrasi Layanan Kesehatan"),
    ("hartono", "dr. Hartono Wibisono", "verifikator", "35.73.OPD.DINKES", "198011232006041007",
     "Kepala Bidang Pelayanan Kesehatan"),
    ("kadinkes", "dr. Husnul Muarif, M.Kes.", "penandatangan", "35.73.OPD.DINKES", "197106091999031004",
     "Kepala Dinas Kesehatan"),
    # Kecamatan Klojen: the Camat approves USULMUS after the Lurah; the kecamatan's staff make the berita acara of
    # its musrenbang (BAMUS), its secretary initials it and the Camat signs it
    ("dewi", "Dewi Anggraini", "petugas", "35.73.02", "199108082015022003", "Pengelola Program dan Kegiatan"),
    ("sekcam", "Agus Prasetyo, S.Sos.", "verifikator", "35.73.02", "198304042009011006", "Sekretaris Kecamatan"),
    ("camat", "Taufik Hidayat, S.STP.", "penandatangan", "35.73.02", "198001012000121001", "Camat Klojen"),
    ("lurahklojen", "Dra. Endang Wahyuni", "penandatangan", "35.73.02.1001", "197806122003122004",
     "Lurah Klojen"),
]

DEMO_PIN = "582047"  # every demo signer's PIN, also their secret (demo only; real ones are their owners')


def demo_secret(username: str, role: str) -> str:
    """The demo person's own secret on the shared demo laptop: a signer's is the PIN."""
    return DEMO_PIN if role == "penandatangan" else f"{username}-loket-demo"
