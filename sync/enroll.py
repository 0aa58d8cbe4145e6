"""Joining a laptop to the server with a one-time code from IT."""

from __future__ import annotations

import logging
import platform
from typing import Any

from app.domain.roles import Role
from app.services import unlock
from app.services.workspace import Workspace
from app.signing.keystore import MIN_PIN_LENGTH, check_pin_strength
from app.storage import meta
from sync import credentials, signer, tls
from sync.client import SyncClient, check_url
from sync.errors import SyncError

log = logging.getLogger(__name__)


def server_for(ws: Workspace, given: str | None) -> str:
    """The server to enrol with: IT's provisioned address wins (a different one typed by a user is refused)."""
    from app import config

    settings = config.load(ws.profile)
    provisioned = settings.get(config.SERVER_URL)
    source = settings.source(config.SERVER_URL)
    pinned = bool(provisioned) and source not in (config.DEFAULT_SOURCE, str(config.user_settings_path(ws.profile)))
    if given and pinned and given.rstrip("/") != provisioned:
        raise SyncError("sync.server_pinned", pinned=provisioned)
    url = (given or provisioned or "").rstrip("/")
    if not url:
        raise SyncError("sync.no_server")
    return url


def enroll(ws: Workspace, server_url: str | None, code: str, pin: str | None = None,
           client: SyncClient | None = None, *, secret: str | None = None) -> dict[str, Any]:
    """Exchange ``code`` for a device identity; the token goes to the OS keyring, the user to the profile.

    ``secret`` is the person's own password on this shared laptop (a signer's is the PIN: ``pin`` serves when
    ``secret`` is None); only its scrypt verifier is kept, in the keyring (:mod:`app.services.unlock`).
    """
    secret = secret if secret is not None else pin
    if secret is not None and len(secret) < MIN_PIN_LENGTH:  # refused before the one-time code is spent
        unlock.check_new(secret, Role.PENANDATANGAN)
    if pin:  # a PIN that will be refused is refused before the one-time code is spent
        check_pin_strength(pin)
    server_url = check_url(server_for(ws, server_url))  # no enrolment code over clear text
    trust = tls.trust_at_enrolment(ws, server_url)
    client = client or SyncClient(server_url, tls=trust)
    answer = client.enroll(code, device_name=f"{platform.node()} ({platform.system()})")
    user = answer["user"]
    if secret is not None:  # the code may be tried again for a few minutes, so this refusal costs nothing
        unlock.check_new(secret, user["role"])
    credentials.save_token(ws.device_id, user["username"], answer["token"])
    tls.remember(ws, trust)
    ws.add_local_user(user["username"], user["full_name"], user["role"], user["office"], user.get("nip"),
                      user.get("position"), enrolled=True)
    with ws.db.write() as s:
        meta.set_server_url(s, server_url)
        meta.set_server_device(s, user["username"], answer["device_id"])
        meta.set_active_user(s, user["username"])
    if secret is not None:
        unlock.set_secret(ws, user["username"], secret, user["role"])
    result: dict[str, Any] = {"user": user["username"], "office": user["office"], "roles": [user["role"]],
                              "device_id": answer["device_id"]}
    authed = SyncClient(server_url, answer["token"], tls=trust)
    if user["role"] == Role.PENANDATANGAN.value:
        if pin:
            actor = ws.actor(user["username"])
            result["certificate_serial"] = signer.create_signing_key(ws, actor, pin, authed)
            signer.ensure_leases(ws, actor, authed)
        else:
            result["signing_key"] = "missing: run 'loket-cli keys create --pin-stdin'"
    else:
        signer.refresh_trust(ws, authed)
        try:  # a petugas' device registers cases offline from its first block of registration numbers
            signer.ensure_leases(ws, ws.actor(user["username"]), authed)
        except SyncError as err:  # the next sync asks again
            log.warning("no block of registration numbers yet: %s", err.__class__.__name__)
    return result
