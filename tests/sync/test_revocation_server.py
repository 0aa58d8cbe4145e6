"""The server's side of revocation: reason codes into the CRL, what a revoked token learns, the public page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from faults.harness import LocalServer

from app.signing.certificates import SignerIdentity, build_csr, entry_details
from sync.protocol import Errno
from sync.server.core import ApiError
from sync.server.verify_page import render_verify_page


@pytest.fixture
def local(tmp_path: Path) -> Iterator[LocalServer]:
    server = LocalServer(tmp_path / "server")
    try:
        yield server
    finally:
        server.close()


def _certify(local: LocalServer, username: str = "lurah") -> tuple[str, str]:
    """A device for ``username`` with a signing certificate; returns (device id, serial)."""
    ctx = local.server.authenticate(local.token(username, "laptop-kantor"))
    csr = build_csr(ec.generate_private_key(ec.SECP256R1()), SignerIdentity("x", "1", "Lurah", "o"))
    from app.signing.certificates import to_pem

    answer = local.server.issue_certificate(ctx, to_pem(csr).decode())
    return ctx.device_id, str(answer["serial"])


def test_reason_code_and_invalidity_date_reach_the_crl(local: LocalServer) -> None:
    _, serial = _certify(local)
    lost = (dt.datetime.now(dt.UTC) - dt.timedelta(hours=3)).isoformat()
    assert local.server.revoke(certificate=serial, reason="laptop tertinggal di kereta", reason_code="hilang",
                               since=lost) == 1
    crl = local.server.authority.crl()  # type: ignore[union-attr]
    entry = crl.get_revoked_certificate_by_serial_number(int(serial, 16))
    assert entry is not None
    at, flag, since = entry_details(entry)
    assert flag is x509.ReasonFlags.key_compromise
    assert since is not None and abs((since - dt.datetime.fromisoformat(lost)).total_seconds()) < 1
    assert at.microsecond == 0 and at >= dt.datetime.now(dt.UTC) - dt.timedelta(seconds=5)


def test_bad_reason_code_or_future_since_is_refused(local: LocalServer) -> None:
    _, serial = _certify(local)
    with pytest.raises(ApiError):
        local.server.revoke(certificate=serial, reason="x", reason_code="dipecat")
    future = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).isoformat()
    with pytest.raises(ApiError):
        local.server.revoke(certificate=serial, reason="x", reason_code="hilang", since=future)
    with pytest.raises(ApiError):
        local.server.revoke(certificate=serial, reason="x", reason_code="hilang", since="kemarin sore")


def test_a_revoked_token_learns_when_and_why_but_not_the_admin_note(local: LocalServer) -> None:
    token = local.token("siti", "pc-loket")
    local.server.revoke(user="siti", reason="catatan internal: pindah ke Dispenduk", reason_code="mutasi")
    with pytest.raises(ApiError) as caught:
        local.server.authenticate(token)
    assert caught.value.errno is Errno.DEVICE_REVOKED
    assert caught.value.details["reason_code"] == "mutasi" and caught.value.details["revoked_at"]
    assert "Dispenduk" not in str(caught.value.details)


def test_public_page_shows_a_later_revocation_in_both_languages() -> None:
    info = {"letter_number": "400.12.2.2/001/35.73.02.1008/XII/2026", "service": "Surat Keterangan Domisili",
            "office": "Kelurahan Oro-oro Dowo", "signer": "Drs. Hendro Prasetyo, M.Si.", "position": "Lurah",
            "signed_at": "2026-12-01T02:00:00Z", "status": "approved", "sha256": "ab" * 32,
            "certificate_revoked_at": "2026-12-01T03:00:00Z", "revocation_reason": "mutasi",
            "timestamped_at": "2026-12-01T02:00:05+00:00", "signed_before_revocation": True}
    page = render_verify_page(info)
    assert "SAH — ditandatangani secara elektronik" in page and "Berlaku" in page
    assert "ditandatangani sebelum sertifikat dicabut pada 1 Desember 2026, 10.00 WIB" in page
    assert "Valid — signed before the certificate was revoked" in page and "mutasi jabatan" in page
    late = render_verify_page({**info, "signed_before_revocation": False})
    assert "TIDAK BERLAKU" in late and "Hubungi kantor" in late
    lost = render_verify_page({**info, "signed_before_revocation": False, "revocation_reason": "hilang",
                               "invalid_since": "2026-12-01T01:00:00Z"})
    assert "tidak aman sejak 1 Desember 2026, 08.00 WIB" in lost
