"""The citizen's contact fields at intake: an e-mail address a message can reach, and a yes/no consent."""

from __future__ import annotations

import pytest

from app.domain.catalog import default_catalog
from app.domain.validation import Invalid, validate_consent, validate_email


@pytest.mark.parametrize("typed, stored", [
    ("Ani.Lestari@Contoh.ID", "Ani.Lestari@contoh.id"),
    (" warga+loket@mail.malangkota.go.id ", "warga+loket@mail.malangkota.go.id"),
])
def test_an_email_address_is_kept_with_its_domain_in_lower_case(typed: str, stored: str) -> None:
    assert validate_email(typed) == stored


@pytest.mark.parametrize("typed", ["ani", "ani@contoh", "a b@contoh.id", "ani@@contoh.id", "ani..x@contoh.id",
                                   "ani@contoh.id\r\nBcc: x@y.id", "x" * 250 + "@contoh.id"])
def test_what_no_message_could_reach_is_refused(typed: str) -> None:
    with pytest.raises(Invalid):
        validate_email(typed)


def test_consent_is_yes_or_no_and_nothing_else() -> None:
    assert [validate_consent(v) for v in ("ya", "Yes", "1", "tidak", "no")] == ["ya", "ya", "ya", "tidak", "tidak"]
    with pytest.raises(Invalid):
        validate_consent("mungkin")


def test_every_citizen_service_with_a_phone_asks_for_consent() -> None:
    for service in default_catalog().services.values():
        keys = [f.key for f in service.fields]
        if "telepon" in keys and service.code != "LAPSEK":  # a school's phone: no citizen to ask
            assert {"email", "izin_kabar"} <= set(keys), service.code
            assert service.field("izin_kabar").type == "consent"  # type: ignore[union-attr]
