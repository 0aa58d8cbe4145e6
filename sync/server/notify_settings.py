"""IT's settings for messages to citizens: ``<data>/notify.toml`` (or ``LOKET_NOTIFY_CONFIG``), secrets from
the environment.

```toml
[email]                        # e-mail over SMTP
enabled = true
host = "smtp.malangkota.go.id"
port = 587
security = "starttls"          # starttls | ssl | none
username = "loket"             # the password: LOKET_SMTP_PASSWORD (or password = "…" here)
sender = "Loket Kota Malang <loket@malangkota.go.id>"

[whatsapp]                     # an HTTP gateway; [sms] takes the same keys and is used when WhatsApp is off
enabled = true
url = "https://gateway.example/api/send?to={to}"   # the token: LOKET_GATEWAY_TOKEN (or token = "…")

[retry]
max_attempts = 6
backoff_seconds = 60           # doubled after each failure, at most max_backoff_seconds
max_backoff_seconds = 3600

[sender]
mode = "inline"                # inline: each loket-server run sends; worker: only `loket-server notify run`
interval_seconds = 15
templates = "/etc/loket/notify"  # optional: IT's own copies of resources/notify/*.txt
```
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sync.server.notify_channels import Channel, GatewayChannel, SmtpChannel

PHONE_CHANNELS = ("whatsapp", "sms")


class SettingsError(Exception):
    """notify.toml cannot be used: one sentence naming the key."""


@dataclass(frozen=True)
class NotifySettings:
    channels: dict[str, Channel] = field(default_factory=dict)  # enabled channels only, by name
    max_attempts: int = 6
    backoff_seconds: float = 60.0
    max_backoff_seconds: float = 3600.0
    mode: str = "inline"
    interval_seconds: float = 15.0
    templates: Path | None = None
    public_url: str = "http://127.0.0.1:8765"

    @property
    def enabled(self) -> bool:
        return bool(self.channels)

    def channel_for(self, kind: str) -> Channel | None:
        """The channel an outbox row's ``email`` or ``phone`` goes through now (None: switched off)."""
        if kind == "email":
            return self.channels.get("email")
        return next((self.channels[n] for n in PHONE_CHANNELS if n in self.channels), None)

    def backoff(self, attempts: int) -> float:
        return float(min(self.max_backoff_seconds, self.backoff_seconds * 2 ** max(0, attempts - 1)))


def load(data: Path, public_url: str, environ: Mapping[str, str] | None = None) -> NotifySettings:
    env = os.environ if environ is None else environ
    path = Path(env.get("LOKET_NOTIFY_CONFIG") or data / "notify.toml")
    raw: dict[str, Any] = {}
    if path.is_file():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise SettingsError(f"{path}: {err}") from None
    channels: dict[str, Channel] = {}
    email = _table(raw, "email")
    if _on(email, "email"):
        channels["email"] = SmtpChannel(
            host=_text(email, "email.host"), port=_int(email, "port", 587, "email"),
            security=_choice(email, "security", ("starttls", "ssl", "none"), "starttls", "email"),
            username=str(email["username"]) if email.get("username") else None,
            password=env.get("LOKET_SMTP_PASSWORD") or email.get("password"),
            sender=str(email.get("sender") or "Loket Kota Malang <loket@localhost>"))
    for name in PHONE_CHANNELS:
        table = _table(raw, name)
        if _on(table, name):
            channels[name] = GatewayChannel(name=name, url=_text(table, f"{name}.url"),
                                            token=env.get("LOKET_GATEWAY_TOKEN") or table.get("token"))
    retry, sender = _table(raw, "retry"), _table(raw, "sender")
    templates = sender.get("templates")
    return NotifySettings(
        channels=channels, max_attempts=_int(retry, "max_attempts", 6, "retry"),
        backoff_seconds=_number(retry, "backoff_seconds", 60.0, "retry"),
        max_backoff_seconds=_number(retry, "max_backoff_seconds", 3600.0, "retry"),
        mode=_choice(sender, "mode", ("inline", "worker"), "inline", "sender"),
        interval_seconds=max(0.2, _number(sender, "interval_seconds", 15.0, "sender")),
        templates=Path(str(templates)) if templates else None, public_url=public_url.rstrip("/"))


def _table(raw: dict[str, Any], name: str) -> dict[str, Any]:
    value = raw.get(name, {})
    if not isinstance(value, dict):
        raise SettingsError(f"notify.toml: [{name}] must be a table")
    return value


def _on(table: dict[str, Any], name: str) -> bool:
    value = table.get("enabled", False)
    if not isinstance(value, bool):
        raise SettingsError(f"notify.toml: {name}.enabled must be true or false")
    return value


def _text(table: dict[str, Any], key: str) -> str:
    value = table.get(key.rpartition(".")[2])
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"notify.toml: {key} is needed when the channel is enabled")
    return value.strip()


def _int(table: dict[str, Any], key: str, default: int, where: str) -> int:
    value = table.get(key, default)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise SettingsError(f"notify.toml: {where}.{key} must be a positive whole number")
    return value


def _number(table: dict[str, Any], key: str, default: float, where: str) -> float:
    value = table.get(key, default)
    if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
        raise SettingsError(f"notify.toml: {where}.{key} must be a number, zero or more")
    return float(value)


def _choice(table: dict[str, Any], key: str, allowed: tuple[str, ...], default: str, where: str) -> str:
    value = table.get(key, default)
    if value not in allowed:
        raise SettingsError(f"notify.toml: {where}.{key} must be one of {', '.join(allowed)}")
    return str(value)
