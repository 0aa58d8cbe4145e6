"""How a message leaves the server: e-mail over SMTP, and an HTTP gateway for WhatsApp or SMS.

Each channel sends one short text to one address and raises :class:`SendError` with a short, secret-free
reason when it cannot (the reason is stored and may be logged: never the password, the token or the URL).
"""

from __future__ import annotations

import json
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol

TIMEOUT = 20.0


class SendError(Exception):
    """A channel could not deliver; ``str(err)`` is safe to store and log."""


class Channel(Protocol):
    @property
    def name(self) -> str: ...  # email | whatsapp | sms

    def send(self, to: str, subject: str, text: str) -> None: ...


@dataclass(frozen=True)
class SmtpChannel:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls | ssl | none (a relay on the server's own network)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    sender: str = "Loket Kota Malang <loket@localhost>"
    timeout: float = TIMEOUT
    name: str = "email"

    def send(self, to: str, subject: str, text: str) -> None:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = to
        msg["Subject"] = subject
        msg["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2].strip("> ") or "localhost")
        msg.set_content(text)
        try:
            with self._connect() as smtp:
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(msg)
        except smtplib.SMTPResponseException as err:
            raise SendError(f"SMTP {err.smtp_code}") from None
        except smtplib.SMTPRecipientsRefused:
            raise SendError("SMTP recipient refused") from None
        except (smtplib.SMTPException, OSError) as err:
            raise SendError(f"SMTP {type(err).__name__}") from None

    def _connect(self) -> smtplib.SMTP:
        if self.security == "ssl":
            return smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                    context=ssl.create_default_context())
        smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        if self.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp


@dataclass(frozen=True)
class GatewayChannel:
    """A WhatsApp/SMS gateway over HTTP: ``POST`` to ``url`` (``{to}`` and ``{channel}`` are filled in,
    URL-encoded) with the JSON ``{"to", "channel", "text"}`` and ``Authorization: Bearer <token>``. Any 2xx
    answer is a delivery to the gateway."""

    name: str
    url: str
    token: str | None = field(default=None, repr=False)
    timeout: float = TIMEOUT

    def send(self, to: str, subject: str, text: str) -> None:
        number = international(to)
        url = (self.url.replace("{to}", urllib.parse.quote(number, safe=""))
               .replace("{channel}", urllib.parse.quote(self.name, safe="")))
        body = json.dumps({"to": number, "channel": self.name, "text": text}, ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": "loket-server",
            **({"Authorization": f"Bearer {self.token}"} if self.token else {})})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310 (IT's own URL)
                answer.read(4096)
        except urllib.error.HTTPError as err:
            raise SendError(f"gateway HTTP {err.code}") from None
        except (urllib.error.URLError, OSError) as err:
            reason = getattr(err, "reason", err)
            raise SendError(f"gateway unreachable ({type(reason).__name__})") from None


def international(phone: str) -> str:
    """``0812…`` → ``62812…`` (the form WhatsApp and SMS gateways take)."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    return "62" + digits[1:] if digits.startswith("0") else digits
