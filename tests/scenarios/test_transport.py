"""A stranger on the office network: the laptop speaks TLS to the city server and holds to the certificate
it met at enrolment (or to the CA IT provisions), and never sends a code or a token in clear text."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Callable
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from support.server import Laptop, ServerProcess


def self_signed(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed server certificate for 127.0.0.1 and its key, as IT might make for a test server."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"loket test {name}")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = folder / f"{name}.pem", folder / f"{name}-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


def tls_server(tmp_path: Path, cert: tuple[Path, Path]) -> ServerProcess:
    data = tmp_path / "server"
    data.mkdir(exist_ok=True)
    srv = ServerProcess(data, tls=cert)
    srv.init_demo()
    srv.start()
    return srv


def restart_with(srv: ServerProcess, cert: tuple[Path, Path]) -> None:
    """The same server (same data, same port) now presents another certificate."""
    srv.stop()
    srv.tls = cert
    srv.start()


def laptop(tmp_path: Path, keyring_env: dict[str, str], name: str, **env: str) -> Laptop:
    return Laptop(tmp_path / f"laptop-{name}", {**keyring_env, **env}, subprocess=True)


def refused(device: Laptop, *args: str) -> str:
    out = device.run(*args)
    assert out.returncode == 1, (out.stdout, out.stderr)
    return out.stderr


def test_clear_text_to_another_machine_is_refused(new_laptop: Callable[[str], Laptop]) -> None:
    device = new_laptop("kantor")
    err = refused(device, "enroll", "--server", "http://192.0.2.10:8765", "--code", "ABCD-EFGH-JKLM")
    assert "http://" in err and "https://" in err and "Traceback" not in err


def test_enrolment_pins_the_certificate_and_a_changed_one_is_refused(tmp_path: Path,
                                                                     keyring_env: dict[str, str]) -> None:
    first, second = self_signed(tmp_path, "first"), self_signed(tmp_path, "second")
    # The machine trusts both certificates (as if both came from a CA in its trust store): only the pin
    # taken at enrolment tells them apart.
    store = tmp_path / "system-store.pem"
    store.write_bytes(first[0].read_bytes() + second[0].read_bytes())
    srv = tls_server(tmp_path, first)
    try:
        device = laptop(tmp_path, keyring_env, "kantor", REQUESTS_CA_BUNDLE=str(store))
        assert srv.url.startswith("https://")
        device.ok("enroll", "--server", srv.url, "--code", srv.codes["siti"])
        assert device.ok("sync")["pushed"] == 0

        restart_with(srv, second)
        err = refused(device, "sync")
        assert "berbeda dari yang disematkan saat pendaftaran" in err, err
        assert "Traceback" not in err

        # IT re-pins by enrolling the laptop again (a fresh code); then the new certificate is the one.
        device.ok("enroll", "--server", srv.url, "--code", srv.code("siti"))
        assert device.ok("sync")["pushed"] == 0
    finally:
        srv.stop()


def test_the_ca_it_provisions_is_the_pin(tmp_path: Path, keyring_env: dict[str, str]) -> None:
    first, second = self_signed(tmp_path, "first"), self_signed(tmp_path, "second")
    srv = tls_server(tmp_path, first)
    try:
        # Not provisioned and not in the system's store: the self-signed server is not trusted at all.
        stranger = laptop(tmp_path, keyring_env, "stranger")
        err = refused(stranger, "enroll", "--server", srv.url, "--code", srv.code("siti"))
        assert "tidak dipercaya" in err and "tls_ca_file" in err, err

        site = tmp_path / "xdg"
        (site / "Loket").mkdir(parents=True)
        (site / "Loket" / "loket.toml").write_text(f'tls_ca_file = "{first[0]}"\n', encoding="utf-8")
        device = laptop(tmp_path, keyring_env, "kantor", XDG_CONFIG_DIRS=str(site))
        device.ok("enroll", "--server", srv.url, "--code", srv.codes["siti"])
        assert device.ok("sync")["pushed"] == 0

        restart_with(srv, second)
        err = refused(device, "sync")
        assert "tidak dipercaya" in err, err
    finally:
        srv.stop()
