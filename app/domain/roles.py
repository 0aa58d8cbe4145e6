"""User roles."""

from __future__ import annotations

from enum import StrEnum

from app.errors import UserFacingError


class Role(StrEnum):
    PETUGAS = "petugas"
    VERIFIKATOR = "verifikator"
    PENANDATANGAN = "penandatangan"
    ADMIN = "admin"

    @classmethod
    def parse(cls, value: str) -> Role:
        try:
            return cls(value.strip().lower())
        except ValueError:
            raise UserFacingError("role.unknown", role=value) from None

    @property
    def can_sign(self) -> bool:
        return self is Role.PENANDATANGAN
