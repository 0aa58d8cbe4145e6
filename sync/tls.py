"""Which TLS certificate this profile's server must present (read by every client this profile makes).

If IT provisions ``tls_ca_file`` in loket.toml, the server's certificate must chain to that CA (IT changes the
server's certificate freely under it and re-pins by provisioning another file). Otherwise enrolment pins the
exact certificate the server presented — after verifying it against the system's trust store and the
address — and every later connection must present the same one; IT re-pins by enrolling the device again.
Plain ``http://`` to the loopback address (a local demo server) has nothing to pin.
"""

from __future__ import annotations

from app import config
from app.services.workspace import Workspace
from app.storage import meta
from sync.client import TlsTrust, fingerprint, peer_certificate


def provisioned_ca(ws: Workspace) -> str | None:
    value = config.load(ws.profile).get(config.TLS_CA_FILE)
    return value or None


def trust_for(ws: Workspace) -> TlsTrust:
    """The trust every connection of this profile holds to."""
    cafile = provisioned_ca(ws)
    if cafile:
        return TlsTrust(cafile, None)
    with ws.db.read() as s:
        pin = meta.tls_pin(s)
    return TlsTrust(None, pin or None)


def trust_at_enrolment(ws: Workspace, server_url: str) -> TlsTrust:
    """The trust to enrol with: the provisioned CA, or the certificate the server presents now (verified)."""
    cafile = provisioned_ca(ws)
    if cafile or not server_url.startswith("https://"):
        return TlsTrust(cafile, None)
    return TlsTrust(None, fingerprint(peer_certificate(server_url)))


def remember(ws: Workspace, trust: TlsTrust) -> None:
    with ws.db.write() as s:
        meta.set_tls_pin(s, trust.pin)
