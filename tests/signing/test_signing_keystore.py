"""The device key under a PIN: encryption at rest, PIN checks before use, lockout, keyring refusal."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import keyring.backends.fail
import keyring.backends.null
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.signing import keystore as ks
from app.signing.certificates import CityCA, build_csr
from app.signing.keystore import (
    BLOB_LIMIT,
    DEFAULT_KDF,
    InvalidPin,
    KdfParams,
    KeyExists,
    KeyringInsecure,
    KeyringUnavailable,
    KeyStore,
    MissingChain,
    NoSigningKey,
    SigningLocked,
    WeakPin,
    lockout_delay,
)
from signing_helpers import FAST_KDF, IDENTITY, DictKeyring, FakeClock

PIN = "481516"


def _blob_doc(backend: DictKeyring, store: KeyStore) -> dict[str, object]:
    blob = backend.store[("loket", store.entry)]
    return dict(json.loads(base64.b64decode(blob)))


def test_create_and_unlock_round_trip(store: KeyStore, mem_keyring: DictKeyring) -> None:
    public = store.create_key(PIN)
    with store.unlocked(PIN) as key:
        assert key.public_key() == public
        assert isinstance(key.curve, ec.SECP256R1)
    assert store.public_key() == public
    assert ("loket", "dev-7f3a/siti") in mem_keyring.store
    assert store.blob_size() < 1024 < BLOB_LIMIT  # well under Windows' 2,560-byte cap (≈ 650 bytes)


def test_blob_carries_its_kdf_parameters(store: KeyStore, mem_keyring: DictKeyring) -> None:
    store.create_key(PIN)
    doc = _blob_doc(mem_keyring, store)
    assert doc["kdf"] == {"alg": "scrypt", "n": FAST_KDF.n, "r": 8, "p": 1, "salt": doc["kdf"]["salt"]}  # type: ignore[index]
    assert doc["enc"]["alg"] == "AES-256-GCM"  # type: ignore[index]


def test_default_cost_is_scrypt_2_17(profile_dir: Path, mem_keyring: DictKeyring) -> None:
    assert KdfParams(n=2**17, r=8, p=1) == DEFAULT_KDF
    real = KeyStore(profile_dir, "dev-1", "camat", backend=mem_keyring)
    real.create_key(PIN)
    assert _blob_doc(mem_keyring, real)["kdf"]["n"] == 2**17  # type: ignore[index]
    real.check_pin(PIN)


def test_weaker_blob_is_upgraded_on_the_next_unlock(profile_dir: Path, mem_keyring: DictKeyring,
                                                    clock: FakeClock) -> None:
    old = KeyStore(profile_dir, "dev-1", "siti", backend=mem_keyring, clock=clock, kdf=KdfParams(n=2**10))
    public = old.create_key(PIN)
    newer = KeyStore(profile_dir, "dev-1", "siti", backend=mem_keyring, clock=clock, kdf=FAST_KDF)
    newer.check_pin(PIN)
    assert _blob_doc(mem_keyring, newer)["kdf"]["n"] == FAST_KDF.n  # type: ignore[index]
    with newer.unlocked(PIN) as key:
        assert key.public_key() == public


def test_wrong_pin_is_refused_before_the_key_exists(store: KeyStore, monkeypatch: pytest.MonkeyPatch) -> None:
    store.create_key(PIN)
    loads: list[bytes] = []
    real_load = serialization.load_der_private_key

    def spy(data: bytes, password: bytes | None = None) -> object:
        loads.append(data)
        return real_load(data, password)

    monkeypatch.setattr(ks.serialization, "load_der_private_key", spy)
    body_ran = False
    with pytest.raises(InvalidPin), store.unlocked("000000"):
        body_ran = True
    assert not body_ran
    assert loads == []  # the GCM tag failed: no key bytes were ever parsed
    with store.unlocked(PIN):
        pass
    assert len(loads) == 1


def test_lockout_delays_grow_and_survive_restarts(store: KeyStore, clock: FakeClock, profile_dir: Path,
                                                  mem_keyring: DictKeyring,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    store.create_key(PIN)
    for remaining in (2, 1):
        with pytest.raises(InvalidPin) as err:
            store.check_pin("111111")
        assert err.value.params == {"remaining": remaining}
    with pytest.raises(InvalidPin) as err:
        store.check_pin("111111")
    assert err.value.params == {"seconds": 30}

    # While locked even the right PIN is not tried: the key is never decrypted.
    def boom(*_: object) -> None:
        raise AssertionError("decrypt attempted while locked")

    monkeypatch.setattr(ks, "decrypt_key", boom)
    with pytest.raises(SigningLocked) as locked:
        store.check_pin(PIN)
    assert locked.value.params["seconds"] == 30
    # a new KeyStore (a restarted app) sees the same lock
    again = KeyStore(profile_dir, "dev-7f3a", "siti", backend=mem_keyring, clock=clock, kdf=FAST_KDF)
    with pytest.raises(SigningLocked):
        again.check_pin(PIN)
    monkeypatch.undo()

    clock.advance(31)
    with pytest.raises(InvalidPin) as err:
        store.check_pin("222222")
    assert err.value.params == {"seconds": 60}
    clock.advance(61)
    with pytest.raises(InvalidPin) as err:
        store.check_pin("333333")
    assert err.value.params == {"seconds": 120}
    assert store.lock_state().failures == 5
    clock.advance(121)
    store.check_pin(PIN)
    assert store.lock_state().failures == 0


def test_lockout_schedule() -> None:
    assert [lockout_delay(n) for n in range(0, 9)] == [0, 0, 0, 30, 60, 120, 240, 480, 960]
    assert lockout_delay(50) == 3600


def test_damaged_lock_entry_does_not_grant_attempts(store: KeyStore, clock: FakeClock,
                                                    mem_keyring: DictKeyring) -> None:
    store.create_key(PIN)
    mem_keyring.store[("loket", "dev-7f3a/siti/lockout")] = "{not json"
    with pytest.raises(SigningLocked):
        store.check_pin(PIN)
    clock.advance(10)
    with pytest.raises(SigningLocked):  # the wait does not restart on each read
        store.check_pin(PIN)
    clock.advance(21)
    with pytest.raises(InvalidPin) as err:  # free attempts were assumed used: the next miss waits again
        store.check_pin("000000")
    assert err.value.params == {"seconds": 60}
    clock.advance(61)
    store.check_pin(PIN)


def test_deleting_profile_files_does_not_reset_the_lockout(store: KeyStore, clock: FakeClock,
                                                           mem_keyring: DictKeyring) -> None:
    """A thief with the disk but not the OS password can delete any file; the count is not in one."""
    store.create_key(PIN)
    for _ in range(3):
        with pytest.raises(InvalidPin):
            store.check_pin("907153")
    for path in store.profile_dir.rglob("*"):
        if path.is_file():
            path.unlink()
    with pytest.raises(SigningLocked):
        store.check_pin(PIN)
    assert not list(store.profile_dir.rglob("*.lock.json"))
    assert json.loads(mem_keyring.store[("loket", "dev-7f3a/siti/lockout")])["failures"] == 3


def test_an_old_lock_file_is_carried_into_the_keyring(store: KeyStore, mem_keyring: DictKeyring,
                                                       clock: FakeClock) -> None:
    store.create_key(PIN)
    del mem_keyring.store[("loket", "dev-7f3a/siti/lockout")]
    old = store.profile_dir / "signing" / "dev-7f3a_siti.lock.json"
    old.parent.mkdir(parents=True, exist_ok=True)
    old.write_text(json.dumps({"failures": 4, "locked_until": clock() + 60}))
    with pytest.raises(SigningLocked):
        store.check_pin(PIN)
    assert not old.exists() and store.lock_state().failures == 4


@pytest.mark.parametrize("pin", ["111111", "000000", "121212", "123123", "123456", "654321", "567890",
                                 "3456789", "98765432", "aaaaaa", "17081975", "170875"])
def test_trivial_pins_are_refused_in_one_sentence(store: KeyStore, pin: str) -> None:
    with pytest.raises(WeakPin) as err:
        store.create_key(pin, nip="197508172000032001")
    assert err.value.key == "pin.trivial"
    assert "terlalu mudah ditebak" in err.value.message and "\n" not in err.value.message
    assert not store.has_key()


@pytest.mark.parametrize("pin", ["582047", "481516", "246810", "907153", "rahasia123", "19750817"])
def test_ordinary_pins_are_accepted(profile_dir: Path, mem_keyring: DictKeyring, pin: str) -> None:
    KeyStore(profile_dir, "dev-1", "siti", backend=mem_keyring, kdf=FAST_KDF).create_key(pin, nip="198001012000011001")


def test_change_pin_refuses_a_trivial_one(store: KeyStore) -> None:
    store.create_key(PIN)
    with pytest.raises(WeakPin):
        store.change_pin(PIN, "654321")
    store.check_pin(PIN)


def test_private_key_never_stored_in_plaintext(store: KeyStore, mem_keyring: DictKeyring, ca: CityCA,
                                               tmp_path: Path) -> None:
    store.create_key(PIN)
    with store.unlocked(PIN) as key:
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        raw = key.private_numbers().private_value.to_bytes(32, "big")
        csr = build_csr(key, IDENTITY)
    store.save_chain([ca.issue_signing_certificate(csr), ca.certificate])
    with pytest.raises(InvalidPin):
        store.check_pin("999999")
    needles = [der, pem, raw, base64.b64encode(der), base64.b64encode(raw), raw.hex().encode()]
    haystacks = []
    for value in mem_keyring.store.values():
        haystacks += [value.encode()] + ([base64.b64decode(value)] if not value.startswith("{") else [])
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.name.endswith(".chain.pem") for p in files)
    haystacks += [p.read_bytes() for p in files]
    for hay in haystacks:
        for needle in needles:
            assert needle not in hay


def test_fail_and_null_backends_are_refused(profile_dir: Path) -> None:
    for backend in (keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()):
        store = KeyStore(profile_dir, "dev-1", "siti", backend=backend)
        with pytest.raises(KeyringUnavailable) as err:
            store.create_key(PIN)
        assert "Secret Service" in str(err.value)  # says how to fix it


def test_plaintext_backends_are_refused(profile_dir: Path) -> None:
    plaintext = type("PlaintextKeyring", (DictKeyring,), {"__module__": "keyrings.alt.file"})()
    store = KeyStore(profile_dir, "dev-1", "siti", backend=plaintext)
    with pytest.raises(KeyringInsecure) as err:
        store.create_key(PIN)
    assert "keyrings.alt" in str(err.value)
    assert plaintext.store == {}  # nothing was written before the refusal


def test_pin_rules_and_no_overwrite(store: KeyStore) -> None:
    with pytest.raises(WeakPin):
        store.create_key("1234")
    with pytest.raises(NoSigningKey):
        store.check_pin(PIN)
    store.create_key(PIN)
    with pytest.raises(KeyExists):
        store.create_key(PIN)


def test_change_pin(store: KeyStore) -> None:
    public = store.create_key(PIN)
    store.change_pin(PIN, "27182818")
    with pytest.raises(InvalidPin):
        store.check_pin(PIN)
    with store.unlocked("27182818") as key:
        assert key.public_key() == public


def test_blob_is_bound_to_its_entry(store: KeyStore, mem_keyring: DictKeyring, profile_dir: Path) -> None:
    store.create_key(PIN)
    other = KeyStore(profile_dir, "dev-7f3a", "mallory", backend=mem_keyring, kdf=FAST_KDF)
    mem_keyring.store[("loket", other.entry)] = mem_keyring.store[("loket", store.entry)]
    with pytest.raises(InvalidPin):
        other.check_pin(PIN)


def test_chain_round_trip(store: KeyStore, ca: CityCA) -> None:
    store.create_key(PIN)
    with pytest.raises(MissingChain):
        store.load_chain()
    with store.unlocked(PIN) as key:
        cert = ca.issue_signing_certificate(build_csr(key, IDENTITY))
    store.save_chain([cert, ca.certificate])
    assert store.load_chain() == [cert, ca.certificate]
    stranger = ca.issue_signing_certificate(build_csr(ec.generate_private_key(ec.SECP256R1()), IDENTITY))
    with pytest.raises(ValueError):
        store.save_chain([stranger, ca.certificate])
    assert isinstance(store.load_chain()[0], x509.Certificate)
