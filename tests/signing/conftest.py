"""Signing-test fixtures: a private in-memory keyring, a fake clock, a city CA, a signer, a TSA, a letter.

The keyring here is this package's own (passed explicitly to ``KeyStore``), so these tests neither depend on
nor disturb the session-wide keyring that ``tests/conftest.py`` installs.
"""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec

from app.letters.render import RenderedLetter, render_letter
from app.signing.certificates import CityCA, build_csr, to_pem
from app.signing.keystore import KeyStore
from app.signing.pades import sign_pdf
from app.signing.tsa import CityTimeStamper
from signing_helpers import (
    CRL_URL,
    FAST_KDF,
    IDENTITY,
    LETTER_NUMBER,
    DictKeyring,
    FakeClock,
    letter_data,
    need_tool,
)


@pytest.fixture
def mem_keyring() -> DictKeyring:
    return DictKeyring()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    return tmp_path / "profile"


@pytest.fixture
def store(profile_dir: Path, mem_keyring: DictKeyring, clock: FakeClock) -> KeyStore:
    return KeyStore(profile_dir, "dev-7f3a", "siti", backend=mem_keyring, clock=clock, kdf=FAST_KDF)


@pytest.fixture(scope="session")
def ca() -> CityCA:
    return CityCA.create(crl_url=CRL_URL)


@pytest.fixture(scope="session")
def signer_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def signer_cert(ca: CityCA, signer_key: ec.EllipticCurvePrivateKey) -> x509.Certificate:
    return ca.issue_signing_certificate(build_csr(signer_key, IDENTITY))


@pytest.fixture(scope="session")
def tsa_parts(ca: CityCA) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    key = ec.generate_private_key(ec.SECP256R1())
    return ca.issue_tsa_certificate(key.public_key()), key


@pytest.fixture
def make_tsa(ca: CityCA, tsa_parts: tuple[x509.Certificate, ec.EllipticCurvePrivateKey]
             ) -> Callable[..., tuple[CityTimeStamper, list[int]]]:
    """A TSA whose serials come from a counter; returns it and the list of serials it handed out."""

    def make(start: int = 1) -> tuple[CityTimeStamper, list[int]]:
        issued: list[int] = []
        counter = itertools.count(start)

        def next_serial() -> int:
            issued.append(next(counter))
            return issued[-1]

        cert, key = tsa_parts
        return CityTimeStamper(cert, key, next_serial, extra_certs=[ca.certificate]), issued

    return make


@pytest.fixture(scope="session")
def letter() -> RenderedLetter:
    return render_letter(letter_data())


@pytest.fixture(scope="session")
def signed_pdf(letter: RenderedLetter, signer_key: ec.EllipticCurvePrivateKey, signer_cert: x509.Certificate,
               ca: CityCA) -> bytes:
    return sign_pdf(letter.pdf, signer_key, [signer_cert, ca.certificate], box=letter.signature_box,
                    letter_number=LETTER_NUMBER)


@pytest.fixture(scope="session")
def nss_db(tmp_path_factory: pytest.TempPathFactory, ca: CityCA) -> str:
    """An NSS database trusting the city CA, for poppler's pdfsig."""
    need_tool("certutil")
    folder = tmp_path_factory.mktemp("nss")
    (folder / "ca.pem").write_bytes(to_pem(ca.certificate))
    subprocess.run(["certutil", "-N", "-d", f"sql:{folder}", "--empty-password"], check=True)
    subprocess.run(["certutil", "-A", "-d", f"sql:{folder}", "-n", "loket-root", "-t", "CT,C,C", "-a",
                    "-i", str(folder / "ca.pem")], check=True)
    return f"sql:{folder}"


