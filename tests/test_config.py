"""Settings declared once: precedence, pinned security values, damaged files, atomic user writes, the doc."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from app import config
from app.config import ATTACHMENT_LIMIT_MB, CA_FINGERPRINT, LANGUAGE, SERVER_URL, SYNC_INTERVAL_MINUTES

ROOT = Path(__file__).resolve().parent.parent
FP = "ab" * 32


@pytest.fixture
def dirs(tmp_path: Path) -> dict[str, Path]:
    out = {name: tmp_path / name for name in ("site", "exe", "profile")}
    for path in out.values():
        path.mkdir()
    return out


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _load(dirs: dict[str, Path]) -> config.Config:
    return config.load(dirs["profile"], site_dir=dirs["site"], exe_dir=dirs["exe"])


def test_defaults_when_no_file_exists(dirs: dict[str, Path]) -> None:
    cfg = _load(dirs)
    assert cfg.get(LANGUAGE) == "id"
    assert cfg.get(SYNC_INTERVAL_MINUTES) == 15
    assert all(r.source == config.DEFAULT_SOURCE for r in cfg)
    assert not cfg.problems
    assert [exists for _, exists in cfg.files] == [False, False, False]


def test_precedence_exe_then_site_then_user(dirs: dict[str, Path]) -> None:
    _write(dirs["exe"] / "loket.toml", 'language = "en"\nsync_interval_minutes = 30\nattachment_limit_mb = 5\n')
    site = _write(dirs["site"] / "loket.toml", "sync_interval_minutes = 10\n")
    user = _write(dirs["profile"] / "settings.toml", 'language = "id"\n')
    cfg = _load(dirs)
    assert (cfg.get(LANGUAGE), cfg.source(LANGUAGE)) == ("id", str(user))
    assert (cfg.get(SYNC_INTERVAL_MINUTES), cfg.source(SYNC_INTERVAL_MINUTES)) == (10, str(site))
    assert (cfg.get(ATTACHMENT_LIMIT_MB), cfg.source(ATTACHMENT_LIMIT_MB)) == (5, str(dirs["exe"] / "loket.toml"))


def test_user_file_never_overrides_pinned_values(dirs: dict[str, Path]) -> None:
    site = _write(dirs["site"] / "loket.toml",
                  f'server_url = "https://loket.malangkota.go.id/"\nca_fingerprint = "{FP.upper()}"\n')
    user = _write(dirs["profile"] / "settings.toml",
                  f'server_url = "https://evil.example"\nca_fingerprint = "{"cd" * 32}"\nlanguage = "en"\n')
    cfg = _load(dirs)
    assert cfg.get(SERVER_URL) == "https://loket.malangkota.go.id"
    assert cfg.source(SERVER_URL) == str(site)
    assert cfg.get(CA_FINGERPRINT) == FP
    assert cfg.get(LANGUAGE) == "en"  # ordinary keys still come from the user file
    pinned = [p for p in cfg.problems if p.path == str(user)]
    assert [p.line for p in pinned] == [1, 2]
    assert all("server_url" in p.message or "ca_fingerprint" in p.message for p in pinned)


def test_fingerprint_accepts_openssl_output(dirs: dict[str, Path]) -> None:
    colons = ":".join(FP[i:i + 2] for i in range(0, 64, 2)).upper()
    _write(dirs["site"] / "loket.toml", f'ca_fingerprint = "sha256 Fingerprint={colons}"\n')
    assert _load(dirs).get(CA_FINGERPRINT) == FP


def test_ca_fingerprint_is_pinned_even_without_provisioning(dirs: dict[str, Path]) -> None:
    _write(dirs["profile"] / "settings.toml", f'ca_fingerprint = "{FP}"\nserver_url = "https://a.example"\n')
    cfg = _load(dirs)
    assert cfg.get(CA_FINGERPRINT) == ""
    # server_url is pinned only once provisioning sets it: here the person may point the laptop somewhere
    assert cfg.get(SERVER_URL) == "https://a.example"


def test_bad_toml_names_file_and_line_and_other_sources_still_load(dirs: dict[str, Path]) -> None:
    _write(dirs["exe"] / "loket.toml", 'language = "en"\n')
    bad = _write(dirs["site"] / "loket.toml", 'sync_interval_minutes = 20\n\nserver_url = "https://x\n')
    cfg = _load(dirs)
    assert cfg.get(LANGUAGE) == "en"
    assert cfg.get(SYNC_INTERVAL_MINUTES) == 15  # the whole damaged file is ignored
    [problem] = cfg.problems
    assert problem.path == str(bad)
    assert problem.line == 3
    assert str(bad) in problem.message and "baris 3" in problem.message


def test_wrong_type_unknown_key_and_out_of_range_are_reported(dirs: dict[str, Path]) -> None:
    path = _write(dirs["site"] / "loket.toml",
                  'sync_interval_minutes = "sering"\nwarna = "biru"\nattachment_limit_mb = 500\nlanguage = "fr"\n'
                  'server_url = "http://loket.example"\n')
    cfg = _load(dirs)
    assert cfg.get(SYNC_INTERVAL_MINUTES) == 15
    assert cfg.get(ATTACHMENT_LIMIT_MB) == 20
    assert cfg.get(LANGUAGE) == "id"
    assert cfg.get(SERVER_URL) == ""  # plain http is refused except for a local demo server
    assert sorted(p.line for p in cfg.problems) == [1, 2, 3, 4, 5]
    assert all(p.path == str(path) for p in cfg.problems)


def test_set_user_value_writes_atomically_and_owner_only(dirs: dict[str, Path]) -> None:
    cfg = config.set_user_value(dirs["profile"], "sync_interval_minutes", "45", site_dir=dirs["site"],
                                exe_dir=dirs["exe"])
    path = dirs["profile"] / "settings.toml"
    assert cfg.get(SYNC_INTERVAL_MINUTES) == 45
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"sync_interval_minutes": 45}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not [p for p in dirs["profile"].iterdir() if p.name.endswith(".tmp")]
    config.set_user_value(dirs["profile"], "language", "en", site_dir=dirs["site"], exe_dir=dirs["exe"])
    cfg = config.set_user_value(dirs["profile"], "sync_interval_minutes", None, site_dir=dirs["site"],
                                exe_dir=dirs["exe"])
    assert cfg.get(SYNC_INTERVAL_MINUTES) == 15
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"language": "en"}


def test_set_user_value_refuses_pinned_unknown_and_bad_values(dirs: dict[str, Path]) -> None:
    _write(dirs["site"] / "loket.toml", 'server_url = "https://loket.malangkota.go.id"\n')
    kw = {"site_dir": dirs["site"], "exe_dir": dirs["exe"]}
    with pytest.raises(config.ConfigError) as locked:
        config.set_user_value(dirs["profile"], "server_url", "https://evil.example", **kw)
    assert "TI" in str(locked.value)
    with pytest.raises(config.ConfigError):
        config.set_user_value(dirs["profile"], "ca_fingerprint", FP, **kw)
    with pytest.raises(config.ConfigError):
        config.set_user_value(dirs["profile"], "warna", "biru", **kw)
    with pytest.raises(config.ConfigError):
        config.set_user_value(dirs["profile"], "sync_interval_minutes", "0", **kw)
    assert not (dirs["profile"] / "settings.toml").exists()


def test_strings_round_trip_through_the_user_file(dirs: dict[str, Path]) -> None:
    kw = {"site_dir": dirs["site"], "exe_dir": dirs["exe"]}
    config.set_user_value(dirs["profile"], "server_url", 'https://a.example/x"y', **kw)
    assert _load(dirs).get(SERVER_URL) == 'https://a.example/x"y'


def test_frozen_bundle_reads_the_file_next_to_the_executable(monkeypatch: pytest.MonkeyPatch,
                                                              tmp_path: Path) -> None:
    exe = tmp_path / "dist" / "loket"
    exe.mkdir(parents=True)
    monkeypatch.setattr("sys.frozen", True, raising=False)
    monkeypatch.setattr("sys.executable", str(exe / "loket-cli"))
    assert config.executable_dir() == exe
    assert config.provisioning_paths(site_dir=tmp_path)[0] == exe / "loket.toml"


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "provisioning.md").read_text(encoding="utf-8")
    assert config.markdown_table() in doc, "regenerate the table (see docs/provisioning.md)"
    for setting in config.ALL:
        assert f"`{setting.key}`" in doc
