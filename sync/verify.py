"""``loket-cli verify FILE.pdf``: a letter's signatures against the city CA, with the freshest revocation
list available (the server's, when it answers within a few seconds; the one kept from the last sync
otherwise)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509

from app.errors import UserFacingError
from app.i18n import register, tr
from app.services.workspace import Workspace
from app.signing.pades import verify_pdf
from app.storage import meta
from sync.client import SyncClient
from sync.errors import SyncError
from sync.protocol import Paths
from sync.tls import trust_for

register({
    "verify.offline_crl": {"id": "server tidak terjangkau: daftar pencabutan dari sinkronisasi terakhir",
                           "en": "server not reachable: revocation list from the last sync"},
    "verify.no_ca": {"id": "profil ini belum punya sertifikat CA kota: daftarkan perangkat dan sinkronkan dulu",
                     "en": "no city CA certificate in this profile: enrol and sync first"},
})


def _trust(ws: Workspace) -> tuple[list[x509.Certificate], list[x509.CertificateRevocationList], list[str]]:
    notes: list[str] = []
    ca_path = ws.profile / "ca.pem"
    roots = x509.load_pem_x509_certificates(ca_path.read_bytes()) if ca_path.exists() else []
    crls: list[x509.CertificateRevocationList] = []
    with ws.db.read() as s:
        server = meta.server_url(s)
    if server:
        try:
            client = SyncClient(server, timeout=(3.0, 5.0), retries=0, tls=trust_for(ws))
            crls.append(x509.load_der_x509_crl(client.public_bytes(Paths.CRL)))
        except (SyncError, ValueError):
            notes.append(tr("verify.offline_crl"))
    if not crls and (ws.profile / "crl.pem").exists():
        crls.append(x509.load_pem_x509_crl((ws.profile / "crl.pem").read_bytes()))
    if not roots:
        notes.append(tr("verify.no_ca"))
    return roots, crls, notes


def verify_file(ws: Workspace, path: Path) -> dict[str, Any]:
    try:
        data = path.read_bytes()
    except OSError as err:
        raise UserFacingError("file.unreadable", path=path, reason=err.strerror or str(err)) from None
    roots, crls, notes = _trust(ws)
    result = verify_pdf(data, roots, crls)
    out = result.as_dict()
    return {"valid": bool(result.valid), "signer": result.signer_name, "letter_number": result.letter_number,
            "tier": result.tier, "problems": list(result.problems) + notes, **{k: v for k, v in out.items()
                                                                             if k not in ("valid", "problems")}}
