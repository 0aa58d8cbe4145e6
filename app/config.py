"""Loket's settings, declared once (after Electrum's ``ConfigVar``): key, type, default, description, pinning.

Where values come from, lowest precedence first:

1. the declaration's default;
2. ``loket.toml`` next to the executable (the bundle folder, when frozen) — IT ships it with the bundle;
3. ``loket.toml`` in the system-wide config folder (``platformdirs.site_config_dir``) — IT puts it on the
   machine (group policy, configuration management);
4. the person's own ``settings.toml`` in the profile — **ordinary keys only**.

Security values are *pinned*: ``ca_fingerprint`` and ``tls_ca_file`` can only come from a provisioning file (1–3), and
``server_url`` cannot be changed by the person once a provisioning file sets it. A user file that tries is
not an error that stops Loket: the value is ignored and reported in :attr:`Config.problems`.

A damaged file (bad TOML, a value of the wrong type) is reported with the file and line; the other files
still load. Code reads values through the declarations (``config.get(SERVER_URL)``), never by spelling a key.
The user file is written atomically (:func:`app.fileio.write_atomic`) and only holds ordinary keys.

No secrets belong here: tokens and keys live in the OS keyring.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Generic, TypeVar

import platformdirs

from app.errors import UserFacingError
from app.fileio import write_atomic
from app.i18n import register, tr

T = TypeVar("T", str, int, bool)

PROVISIONING_FILE = "loket.toml"
USER_FILE = "settings.toml"
APP_NAME, APP_AUTHOR = "Loket", "Pemkot Malang"


class Pinning(StrEnum):
    """How far a person may change a value from their own settings file."""

    NO = "no"  # ordinary setting: the user file overrides provisioning
    PROVISIONED = "provisioned"  # once a provisioning file sets it, the user file cannot change it
    ALWAYS = "always"  # only provisioning files may set it


register({
    "setting.bool": {"id": "harus true atau false", "en": "expected true or false"},
    "setting.int": {"id": "harus bilangan bulat", "en": "expected a whole number"},
    "setting.text": {"id": "harus teks dalam tanda kutip", "en": "expected text in quotes"},
    "setting.one_of": {"id": "salah satu dari {choices}", "en": "one of {choices}"},
    "setting.between": {"id": "antara {low} dan {high}", "en": "between {low} and {high}"},
    "setting.url": {"id": "harus alamat https:// (http biasa hanya untuk 127.0.0.1)",
                    "en": "an https:// address (plain http only for 127.0.0.1)"},
    "setting.fingerprint": {"id": "harus 64 digit heksadesimal (SHA-256)", "en": "64 hexadecimal digits (SHA-256)"},
    "setting.pem_path": {"id": "harus jalur lengkap ke berkas PEM", "en": "a full path to a PEM file"},
    "setting.office": {"id": "harus kode kantor seperti 35.73.02.1008", "en": "an office code like 35.73.02.1008"},
    "config.toml": {
        "id": "Berkas pengaturan {path} rusak di baris {line}: {reason}. Berkas ini diabaikan; "
              "pengaturan lain tetap dipakai.",
        "en": "The settings file {path} is damaged at line {line}: {reason}. This file is ignored; the other "
              "settings still apply.",
    },
    "config.unreadable": {
        "id": "Berkas pengaturan {path} tidak bisa dibaca: {reason}.",
        "en": "The settings file {path} cannot be read: {reason}.",
    },
    "config.unknown": {
        "id": "{path} baris {line}: pengaturan '{key}' tidak dikenal dan diabaikan.",
        "en": "{path} line {line}: the setting '{key}' is not known and was ignored.",
    },
    "config.invalid": {
        "id": "{path} baris {line}: nilai '{key}' tidak sah ({reason}); nilai sebelumnya tetap dipakai.",
        "en": "{path} line {line}: the value of '{key}' is not valid ({reason}); the previous value is kept.",
    },
    "config.pinned": {
        "id": "{path} baris {line}: '{key}' adalah nilai keamanan yang ditetapkan TI dan tidak bisa diubah "
              "dari pengaturan pengguna; diabaikan.",
        "en": "{path} line {line}: '{key}' is a security value set by IT and cannot be changed from the "
              "user's settings; ignored.",
    },
    "config.key_unknown": {
        "id": "Pengaturan '{key}' tidak dikenal. Yang ada: {keys}.",
        "en": "There is no setting '{key}'. Known settings: {keys}.",
    },
    "config.value_invalid": {
        "id": "Nilai untuk '{key}' tidak sah: {reason}.",
        "en": "The value for '{key}' is not valid: {reason}.",
    },
    "config.locked": {
        "id": "'{key}' ditetapkan oleh TI ({source}) dan tidak bisa diubah di perangkat ini.",
        "en": "'{key}' is set by IT ({source}) and cannot be changed on this device.",
    },
})


class ConfigError(UserFacingError):
    """A setting could not be changed (unknown key, bad value, pinned)."""


# ---- declarations ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Setting(Generic[T]):
    """One setting. ``check`` returns a reason when a (correctly typed) value is not acceptable."""

    key: str
    type: type[T]
    default: T
    description_id: str
    description_en: str
    pinned: Pinning = Pinning.NO
    check: Callable[[T], str | None] | None = None
    normalise: Callable[[T], T] | None = None

    def parse(self, raw: object) -> T:
        """The typed, normalised value, or ValueError with a short reason in the person's language."""
        if self.type is bool:
            if not isinstance(raw, bool):
                raise ValueError(tr("setting.bool"))
        elif self.type is int:
            if isinstance(raw, bool) or not isinstance(raw, int):
                raise ValueError(tr("setting.int"))
        elif not isinstance(raw, str):
            raise ValueError(tr("setting.text"))
        value: T = raw  # type: ignore[assignment]
        if self.normalise is not None:
            value = self.normalise(value)
        if self.check is not None:
            reason = self.check(value)
            if reason:
                raise ValueError(reason)
        return value

    def parse_text(self, text: str) -> T:
        """Parse a value typed on a command line (``true``/``false``, digits, or text)."""
        if self.type is bool:
            lowered = text.strip().lower()
            if lowered not in ("true", "false", "1", "0", "yes", "no", "ya", "tidak"):
                raise ValueError(tr("setting.bool"))
            return self.parse(lowered in ("true", "1", "yes", "ya"))
        if self.type is int:
            try:
                number = int(text.strip())
            except ValueError:
                raise ValueError(tr("setting.int")) from None
            return self.parse(number)
        return self.parse(text)


def _one_of(*choices: str) -> Callable[[str], str | None]:
    def check(value: str) -> str | None:
        return None if value in choices else tr("setting.one_of", choices=", ".join(choices))
    return check


def _between(low: int, high: int) -> Callable[[int], str | None]:
    def check(value: int) -> str | None:
        return None if low <= value <= high else tr("setting.between", low=low, high=high)
    return check


def _check_url(value: str) -> str | None:
    if value == "":
        return None
    if re.fullmatch(r"https://[A-Za-z0-9.-]+(:\d{1,5})?(/[^\s]*)?", value):
        return None
    if re.fullmatch(r"http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?(/[^\s]*)?", value):
        return None  # a local demo server; real servers speak TLS
    return tr("setting.url")


def _strip_slash(value: str) -> str:
    return value.strip().rstrip("/")


def _fingerprint(value: str) -> str:
    """Accepts ``ab:cd:…``, ``ABCD…`` and openssl's ``sha256 Fingerprint=AB:CD:…`` alike."""
    cleaned = value.rsplit("=", 1)[-1] if "=" in value else value
    return cleaned.strip().lower().replace(":", "").replace(" ", "")


def _check_fingerprint(value: str) -> str | None:
    if value == "" or re.fullmatch(r"[0-9a-f]{64}", value):
        return None
    return tr("setting.fingerprint")


def _check_pem_path(value: str) -> str | None:
    if value == "" or Path(value).is_absolute():
        return None
    return tr("setting.pem_path")


def _check_office(value: str) -> str | None:
    if value == "" or re.fullmatch(r"35\.73(\.[0-9A-Z]+)*", value):
        return None
    return tr("setting.office")


SERVER_URL = Setting(
    "server_url", str, "",
    "Alamat server pusat Loket (https://…). Jika ditetapkan TI, pengguna tidak bisa mengubahnya.",
    "Address of the central Loket server (https://…). Once IT sets it, users cannot change it.",
    pinned=Pinning.PROVISIONED, check=_check_url, normalise=_strip_slash)
CA_FINGERPRINT = Setting(
    "ca_fingerprint", str, "",
    "SHA-256 sertifikat CA Kota Malang (64 digit heksadesimal); hanya dari berkas provisioning.",
    "SHA-256 of the Kota Malang CA certificate (64 hex digits); only from provisioning files.",
    pinned=Pinning.ALWAYS, check=_check_fingerprint, normalise=_fingerprint)
TLS_CA_FILE = Setting(
    "tls_ca_file", str, "",
    "Berkas PEM berisi CA penerbit sertifikat TLS server (jalur lengkap); hanya dari berkas provisioning. "
    "Kosong: sertifikat TLS server disematkan saat pendaftaran.",
    "PEM file of the CA that issues the server's TLS certificate (full path); only from provisioning files. "
    "Empty: the server's TLS certificate is pinned at enrolment.",
    pinned=Pinning.ALWAYS, check=_check_pem_path, normalise=str.strip)
OFFICE = Setting(
    "office", str, "",
    "Kode kantor perangkat ini (kode wilayah Kemendagri, misalnya 35.73.02.1008).",
    "This device's office code (Kemendagri region code, e.g. 35.73.02.1008).",
    check=_check_office, normalise=str.strip)
LANGUAGE = Setting(
    "language", str, "id",
    "Bahasa: 'id' (Bahasa Indonesia) atau 'en' (English).",
    "Language: 'id' (Bahasa Indonesia) or 'en' (English).",
    check=_one_of("id", "en"), normalise=str.strip)
SYNC_INTERVAL_MINUTES = Setting(
    "sync_interval_minutes", int, 15,
    "Selang sinkronisasi otomatis di latar belakang, dalam menit (1–1440).",
    "Minutes between automatic background syncs (1–1440).",
    check=_between(1, 1440))
LOG_LEVEL = Setting(
    "log_level", str, "INFO",
    "Tingkat catatan log: DEBUG, INFO, WARNING atau ERROR.",
    "Log level: DEBUG, INFO, WARNING or ERROR.",
    check=_one_of("DEBUG", "INFO", "WARNING", "ERROR"), normalise=lambda v: v.strip().upper())
ATTACHMENT_LIMIT_MB = Setting(
    "attachment_limit_mb", int, 20,
    "Ukuran maksimum satu lampiran, dalam MB (1–100).",
    "Largest attachment accepted, in MB (1–100).",
    check=_between(1, 100))
MIN_FREE_DISK_MB = Setting(
    "min_free_disk_mb", int, 500,
    "Ruang disk kosong minimum sebelum 'doctor' memberi peringatan, dalam MB.",
    "Free disk space below which 'doctor' reports a problem, in MB.",
    check=_between(50, 1_000_000))
CLOCK_SKEW_WARN_MINUTES = Setting(
    "clock_skew_warn_minutes", int, 5,
    "Selisih jam dengan server (menit) yang membuat 'doctor' memberi peringatan.",
    "Difference from the server's clock (minutes) above which 'doctor' warns.",
    check=_between(1, 1440))

ALL: tuple[Setting[Any], ...] = (
    SERVER_URL, CA_FINGERPRINT, TLS_CA_FILE, OFFICE, LANGUAGE, SYNC_INTERVAL_MINUTES, LOG_LEVEL, ATTACHMENT_LIMIT_MB,
    MIN_FREE_DISK_MB, CLOCK_SKEW_WARN_MINUTES,
)
BY_KEY: dict[str, Setting[Any]] = {s.key: s for s in ALL}


# ---- where the files are -----------------------------------------------------------------------------------


def site_config_dir() -> Path:
    """The system-wide config folder (``/etc/xdg/Loket``, ``C:\\ProgramData\\Pemkot Malang\\Loket``, …)."""
    return Path(platformdirs.site_config_dir(APP_NAME, APP_AUTHOR))


def executable_dir() -> Path | None:
    """The bundle folder when frozen (``sys.executable``'s folder); ``None`` in a source checkout."""
    if getattr(sys, "frozen", False):
        return Path(sys.executable).resolve().parent
    return None


def user_settings_path(profile: Path) -> Path:
    return profile / USER_FILE


def provisioning_paths(site_dir: Path | None = None, exe_dir: Path | None = None) -> list[Path]:
    """Provisioning files in precedence order (lowest first): next to the executable, then system-wide."""
    paths: list[Path] = []
    folder = exe_dir if exe_dir is not None else executable_dir()
    if folder is not None:
        paths.append(folder / PROVISIONING_FILE)
    paths.append((site_dir if site_dir is not None else site_config_dir()) / PROVISIONING_FILE)
    return paths


# ---- loading -----------------------------------------------------------------------------------------------

DEFAULT_SOURCE = "default"


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong in a settings file: which file, which line (0 when unknown), the translated message."""

    path: str
    line: int
    message: str

    def as_dict(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "message": self.message}

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Resolved:
    """A setting's effective value and where it came from (``"default"`` or a file path)."""

    key: str
    value: Any
    source: str
    pinned: bool

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "value": self.value, "source": self.source, "pinned": self.pinned}


@dataclass
class Config:
    """The effective settings. ``files`` lists every file looked at, in precedence order, and whether it existed."""

    values: dict[str, Resolved]
    problems: list[Problem] = field(default_factory=list)
    files: list[tuple[str, bool]] = field(default_factory=list)
    user_path: Path | None = None

    def get(self, setting: Setting[T]) -> T:
        value: T = self.values[setting.key].value
        return value

    def source(self, setting: Setting[Any]) -> str:
        return self.values[setting.key].source

    def __iter__(self) -> Iterator[Resolved]:
        return iter(self.values[s.key] for s in ALL)

    def as_dict(self) -> dict[str, object]:
        return {"settings": [r.as_dict() for r in self],
                "files": [{"path": p, "exists": e} for p, e in self.files],
                "problems": [p.as_dict() for p in self.problems]}


_TOML_LINE = re.compile(r"\(at line (\d+), column \d+\)|at line (\d+)")


def _toml_error_line(err: tomllib.TOMLDecodeError) -> tuple[int, str]:
    text = str(err)
    found = _TOML_LINE.search(text)
    line = int(found.group(1) or found.group(2)) if found else 0
    reason = _TOML_LINE.sub("", text).strip().rstrip(".") or "invalid TOML"
    return line, reason


def _line_of(text: str, key: str) -> int:
    pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return 0


def read_file(path: Path, problems: list[Problem]) -> tuple[dict[str, Any], str] | None:
    """The parsed table and text of ``path``; ``None`` when missing or damaged (damage goes to ``problems``)."""
    from app.i18n import tr

    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as err:
        problems.append(Problem(str(path), 0, tr("config.unreadable", path=path, reason=type(err).__name__)))
        return None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as err:
        line, reason = _toml_error_line(err)
        problems.append(Problem(str(path), line, tr("config.toml", path=path, line=line, reason=reason)))
        return None


def _apply(path: Path, table: dict[str, Any], text: str, values: dict[str, Resolved], *, user: bool,
           provisioned: set[str], problems: list[Problem]) -> None:
    from app.i18n import tr

    for key, raw in table.items():
        line = _line_of(text, key)
        setting = BY_KEY.get(key)
        if setting is None:
            problems.append(Problem(str(path), line, tr("config.unknown", path=path, line=line, key=key)))
            continue
        if user and (setting.pinned is Pinning.ALWAYS
                     or (setting.pinned is Pinning.PROVISIONED and key in provisioned)):
            problems.append(Problem(str(path), line, tr("config.pinned", path=path, line=line, key=key)))
            continue
        try:
            value = setting.parse(raw)
        except ValueError as err:
            problems.append(Problem(str(path), line, tr("config.invalid", path=path, line=line, key=key,
                                                        reason=err)))
            continue
        values[key] = Resolved(key, value, str(path), setting.pinned is not Pinning.NO)
        if not user:
            provisioned.add(key)


def load(profile: Path | None = None, *, site_dir: Path | None = None, exe_dir: Path | None = None) -> Config:
    """Resolve every setting from defaults, provisioning files and (when ``profile`` is given) the user file.

    Never raises for a bad file: problems are collected in :attr:`Config.problems`.
    """
    values = {s.key: Resolved(s.key, s.default, DEFAULT_SOURCE, s.pinned is not Pinning.NO) for s in ALL}
    problems: list[Problem] = []
    files: list[tuple[str, bool]] = []
    provisioned: set[str] = set()
    sources = [(p, False) for p in provisioning_paths(site_dir, exe_dir)]
    user_path = user_settings_path(profile) if profile is not None else None
    if user_path is not None:
        sources.append((user_path, True))
    for path, is_user in sources:
        parsed = read_file(path, problems)
        files.append((str(path), path.exists()))
        if parsed is not None:
            _apply(path, parsed[0], parsed[1], values, user=is_user, provisioned=provisioned, problems=problems)
    return Config(values, problems, files, user_path)


# ---- the user's settings file ------------------------------------------------------------------------------


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    # JSON's string escapes are a subset of TOML basic strings' escapes.
    return json.dumps(str(value), ensure_ascii=False)


def dumps_user(values: dict[str, object]) -> str:
    """The user file's text: a header, then one ``key = value`` line per setting, in declaration order."""
    lines = ["# Pengaturan pengguna Loket / Loket user settings. Ditulis oleh Loket; nilai keamanan",
             "# (server_url yang ditetapkan TI, ca_fingerprint) diatur lewat loket.toml, bukan di sini."]
    for setting in ALL:
        if setting.key in values:
            lines.append(f"# {setting.description_id}")
            lines.append(f"{setting.key} = {_toml_value(values[setting.key])}")
    return "\n".join(lines) + "\n"


def _user_values(path: Path) -> dict[str, object]:
    """The valid, ordinary entries of the user file (damaged or pinned entries are dropped on rewrite)."""
    parsed = read_file(path, [])
    if parsed is None:
        return {}
    out: dict[str, object] = {}
    for key, raw in parsed[0].items():
        setting = BY_KEY.get(key)
        if setting is None or setting.pinned is Pinning.ALWAYS:
            continue
        try:
            out[key] = setting.parse(raw)
        except ValueError:
            continue
    return out


def set_user_value(profile: Path, key: str, text: str | None, *, site_dir: Path | None = None,
                   exe_dir: Path | None = None) -> Config:
    """Set (``text``) or reset (``None``) one ordinary setting in the user file, atomically; returns the new
    effective configuration. Raises :class:`ConfigError` for unknown keys, bad values and pinned values."""
    setting = BY_KEY.get(key)
    if setting is None:
        raise ConfigError("config.key_unknown", key=key, keys=", ".join(BY_KEY))
    current = load(profile, site_dir=site_dir, exe_dir=exe_dir)
    source = current.source(setting)
    if setting.pinned is Pinning.ALWAYS or (setting.pinned is Pinning.PROVISIONED and source != DEFAULT_SOURCE
                                            and source != str(current.user_path)):
        raise ConfigError("config.locked", key=key, source=source if source != DEFAULT_SOURCE else "loket.toml")
    path = user_settings_path(profile)
    values = _user_values(path)
    if text is None:
        values.pop(key, None)
    else:
        try:
            values[key] = setting.parse_text(text)
        except ValueError as err:
            raise ConfigError("config.value_invalid", key=key, reason=str(err)) from None
    write_atomic(path, dumps_user(values).encode("utf-8"), mode=0o600)
    return load(profile, site_dir=site_dir, exe_dir=exe_dir)


def markdown_table() -> str:
    """The settings reference for docs/provisioning.md (kept in sync by tests/test_config.py)."""
    rows = ["| key | type | default | pinned | description (ID) | description (EN) |",
            "|---|---|---|---|---|---|"]
    for s in ALL:
        default = _toml_value(s.default) if s.default != "" else '`""` (not set)'
        if not default.startswith("`"):
            default = f"`{default}`"
        rows.append(f"| `{s.key}` | {s.type.__name__} | {default} | {s.pinned.value} | {s.description_id} | "
                    f"{s.description_en} |")
    return "\n".join(rows) + "\n"
