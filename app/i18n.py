"""Messages of the core, in Bahasa Indonesia (default) and English.

The core cannot use Qt's translator (the CLI and the server never import Qt), so every sentence the core
shows a person lives here, keyed by a stable id. The GUI sets the language with :func:`set_language` from
the same setting that picks its Qt translator, so both halves always speak one language.
"""

from __future__ import annotations

import os
from typing import Any

DEFAULT_LANGUAGE = "id"
LANGUAGES = ("id", "en")

_language: str | None = None

MESSAGES: dict[str, dict[str, str]] = {
    # validation
    "required": {"id": "{label} wajib diisi.", "en": "{label} is required."},
    "nik.length": {
        "id": "{label} harus 16 digit angka (tertulis {count} karakter).",
        "en": "{label} must be 16 digits (got {count} characters).",
    },
    "nik.digits": {"id": "{label} hanya boleh berisi angka.", "en": "{label} may contain digits only."},
    "nik.region": {
        "id": "{label}: kode wilayah {code} tidak dikenal.",
        "en": "{label}: region code {code} is not known.",
    },
    "nik.date": {
        "id": "{label}: tanggal lahir {date} di dalam NIK bukan tanggal yang sah.",
        "en": "{label}: the birth date {date} inside the NIK is not a real date.",
    },
    "nik.serial": {
        "id": "{label}: nomor urut di akhir NIK tidak boleh 0000.",
        "en": "{label}: the serial number at the end of the NIK cannot be 0000.",
    },
    "kk.date": {
        "id": "{label}: tanggal {date} di dalam No. KK bukan tanggal yang sah.",
        "en": "{label}: the date {date} inside the family card number is not a real date.",
    },
    "kk.serial": {
        "id": "{label}: nomor urut di akhir No. KK tidak boleh 0000.",
        "en": "{label}: the serial number at the end of the family card number cannot be 0000.",
    },
    "date.format": {
        "id": "{label}: tanggal harus berformat TTTT-BB-HH (misalnya 2026-08-17).",
        "en": "{label}: a date must look like YYYY-MM-DD (for example 2026-08-17).",
    },
    "date.range": {
        "id": "{label}: tanggal {value} di luar rentang yang diizinkan.",
        "en": "{label}: the date {value} is outside the allowed range.",
    },
    "phone.format": {
        "id": "{label}: nomor telepon harus diawali 08, +62 atau 0 kode area, 9–13 digit.",
        "en": "{label}: a phone number starts with 08, +62 or an area code, 9–13 digits.",
    },
    "email.format": {
        "id": "{label}: alamat e-mail tidak sah (contoh: nama@contoh.id).",
        "en": "{label}: not a valid e-mail address (for example name@example.id).",
    },
    "consent.format": {"id": "{label}: isi ya atau tidak.", "en": "{label}: answer yes or no."},
    "number.format": {"id": "{label} harus berupa angka.", "en": "{label} must be a number."},
    "number.range": {
        "id": "{label} harus di antara {min} dan {max}.",
        "en": "{label} must be between {min} and {max}.",
    },
    "text.length": {
        "id": "{label} paling banyak {max} karakter.",
        "en": "{label} may have at most {max} characters.",
    },
    "text.pattern": {"id": "{label} tidak sesuai format.", "en": "{label} does not have the right format."},
    "choice.invalid": {
        "id": "{label}: '{value}' bukan pilihan yang tersedia ({choices}).",
        "en": "{label}: '{value}' is not one of the choices ({choices}).",
    },
    "field.unknown": {
        "id": "Isian '{key}' tidak ada di layanan {service}.",
        "en": "The field '{key}' does not exist in the service {service}.",
    },
    "document.required": {
        "id": "Dokumen wajib belum dilampirkan: {label}.",
        "en": "A required document is missing: {label}.",
    },
    "document.unknown": {
        "id": "Dokumen '{code}' tidak dikenal untuk layanan {service}.",
        "en": "The document '{code}' is not known for the service {service}.",
    },
    "attachment.too_large": {
        "id": "Lampiran {name} terlalu besar ({size} MB); batasnya {limit} MB.",
        "en": "The attachment {name} is too large ({size} MB); the limit is {limit} MB.",
    },
    "attachment.type": {
        "id": "Lampiran {name} harus berupa PDF, JPG atau PNG.",
        "en": "The attachment {name} must be a PDF, JPG or PNG.",
    },
    "attachment.missing": {
        "id": "Berkas lampiran {name} tidak ditemukan.",
        "en": "The attachment file {name} was not found.",
    },
    "reason.required": {
        "id": "Alasan wajib diisi untuk langkah ini.",
        "en": "A reason is required for this step.",
    },
    # domain
    "service.unknown": {"id": "Layanan '{code}' tidak dikenal.", "en": "The service '{code}' is not known."},
    "service.office": {
        "id": "Layanan {service} tidak dilayani di {office}.",
        "en": "The service {service} is not offered at {office}.",
    },
    "case.unknown": {"id": "Berkas '{id}' tidak ditemukan.", "en": "The case '{id}' was not found."},
    "case.ambiguous": {
        "id": "Awalan '{id}' cocok dengan lebih dari satu berkas; tulis lebih lengkap.",
        "en": "The prefix '{id}' matches more than one case; type more of it.",
    },
    "transition.forbidden": {
        "id": "Berkas berstatus '{status}' tidak bisa di-{action}.",
        "en": "A case with status '{status}' cannot be {action}.",
    },
    "transition.role": {
        "id": "Peran {role} tidak berhak melakukan '{action}'.",
        "en": "The role {role} may not do '{action}'.",
    },
    "transition.office": {
        "id": "Berkas ini milik kantor lain ({office}).",
        "en": "This case belongs to another office ({office}).",
    },
    "edit.forbidden": {
        "id": "Berkas berstatus '{status}' tidak bisa diubah lagi.",
        "en": "A case with status '{status}' can no longer be edited.",
    },
    "user.none": {
        "id": "Belum ada pengguna di profil ini. Daftarkan perangkat dengan 'loket-cli enroll'.",
        "en": "This profile has no user yet. Enrol the device with 'loket-cli enroll'.",
    },
    "user.unknown": {"id": "Pengguna '{name}' tidak ada di profil ini.", "en": "No user '{name}' in this profile."},
    "office.unknown": {"id": "Kode kantor '{code}' tidak dikenal.", "en": "The office code '{code}' is not known."},
    "role.unknown": {"id": "Peran '{role}' tidak dikenal.", "en": "The role '{role}' is not known."},
    # storage
    "db.too_new": {
        "id": "Basis data {path} dibuat oleh versi Loket yang lebih baru (skema {found}). "
        "Pasang versi terbaru; data tidak diubah.",
        "en": "The database {path} was written by a newer Loket (schema {found}). "
        "Install the newer version; nothing was changed.",
    },
    "db.corrupt": {
        "id": "Basis data {path} rusak dan tidak dibuka. Salinannya disimpan di {copy}.",
        "en": "The database {path} is damaged and was not opened. A copy was kept at {copy}.",
    },
    "csv.header": {
        "id": "Baris judul CSV harus diawali kolom 'nik' dan 'name' (ditemukan: {found}).",
        "en": "The CSV header must start with the columns 'nik' and 'name' (found: {found}).",
    },
    "csv.encoding": {
        "id": "Berkas CSV bukan UTF-8 (byte {pos}). Simpan ulang sebagai 'CSV UTF-8'.",
        "en": "The CSV file is not UTF-8 (byte {pos}). Save it again as 'CSV UTF-8'.",
    },
    "csv.columns": {
        "id": "Jumlah kolom baris ini ({found}) tidak sama dengan judul ({expected}).",
        "en": "This row has {found} columns but the header has {expected}.",
    },
    "file.unreadable": {"id": "Berkas {path} tidak bisa dibaca: {reason}", "en": "Cannot read {path}: {reason}"},
    "internal": {
        "id": "Maaf, terjadi kesalahan tak terduga. Rinciannya tercatat di {log}.",
        "en": "Sorry, something unexpected went wrong. The details are in {log}.",
    },
}


def language() -> str:
    """The language in force: set explicitly, else ``LOKET_LANG``, else Bahasa Indonesia."""
    if _language is not None:
        return _language
    env = os.environ.get("LOKET_LANG", "").strip().lower()[:2]
    return env if env in LANGUAGES else DEFAULT_LANGUAGE


def either(id_text: str, en_text: str) -> str:
    """A word or short phrase written inline in both languages (a verdict, a unit, a field's name): the one in
    the person's language. Sentences are keyed messages (:func:`register`, :func:`tr`); the GUI's own text
    is Qt's (``resources/translations``)."""
    return id_text if language() == "id" else en_text


def set_language(lang: str | None) -> None:
    global _language
    _language = lang if lang in LANGUAGES else None


def tr(key: str, /, **params: Any) -> str:
    """The sentence ``key`` in the current language, with ``params`` filled in."""
    entry = MESSAGES.get(key)
    if entry is None:
        return key
    text = entry.get(language()) or entry[DEFAULT_LANGUAGE]
    try:
        return text.format(**params)
    except (KeyError, IndexError):
        return text


def pick(names: dict[str, str] | str) -> str:
    """Choose the current language's variant of a ``{"id": …, "en": …}`` label."""
    if isinstance(names, str):
        return names
    return names.get(language()) or names.get(DEFAULT_LANGUAGE) or next(iter(names.values()), "")


def register(messages: dict[str, dict[str, str]]) -> None:
    """Add a module's own messages (each module keeps its sentences next to its code)."""
    for key, entry in messages.items():
        if key in MESSAGES and MESSAGES[key] != entry:
            raise ValueError(f"message key {key!r} registered twice with different text")
        MESSAGES[key] = entry
