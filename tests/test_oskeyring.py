"""The OS keyring is chosen once and cheaply: a backend already set stays, the person's choice comes first,
then the platform's own, and keyring's full search only when that one does not answer."""

from __future__ import annotations

import keyring
import keyring.backend
import keyring.core
import pytest
from keyring.backends import fail, null

from app import oskeyring
from app.oskeyring import KeyringUnavailable


class _Native(keyring.backend.KeyringBackend):
    priority = 5  # type: ignore[assignment]

    def get_password(self, service: str, username: str) -> str | None:
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        raise NotImplementedError

    def delete_password(self, service: str, username: str) -> None:
        raise NotImplementedError


@pytest.fixture
def unset(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """No backend chosen yet, no choice in the environment (both restored after the test)."""
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND", raising=False)
    monkeypatch.setattr(keyring.core, "load_config", lambda: None)
    return monkeypatch


def test_a_backend_already_set_is_kept() -> None:
    assert type(oskeyring.backend()).__name__ == "MemoryKeyring"  # the tests' own, set by conftest


def test_the_platform_keyring_is_asked_directly(unset: pytest.MonkeyPatch) -> None:
    searched: list[bool] = []
    unset.setattr(oskeyring, "_native_class", lambda: _Native)
    unset.setattr(keyring.core, "init_backend", lambda limit=None: searched.append(True))
    assert isinstance(oskeyring.backend(), _Native)
    assert searched == []  # no backend search at all
    assert isinstance(keyring.get_keyring(), _Native)  # and every later caller gets the same one


def test_the_persons_choice_comes_first(unset: pytest.MonkeyPatch) -> None:
    unset.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    unset.setattr(oskeyring, "_native_class", lambda: _Native)
    assert isinstance(oskeyring.backend(), null.Keyring)
    with pytest.raises(KeyringUnavailable):
        oskeyring.secure_backend()  # and it is still refused: it keeps nothing


def test_without_the_platform_keyring_the_search_decides(unset: pytest.MonkeyPatch) -> None:
    def daemon_gone() -> type[keyring.backend.KeyringBackend]:
        raise RuntimeError("The Secret Service daemon is neither running nor activatable through D-Bus")

    unset.setattr(oskeyring, "_native_class", daemon_gone)
    unset.setattr(keyring.core, "_detect_backend", lambda limit=None: fail.Keyring())
    assert isinstance(oskeyring.backend(), fail.Keyring)
    with pytest.raises(KeyringUnavailable):
        oskeyring.secure_backend()  # one sentence for the person, not a backend's traceback
