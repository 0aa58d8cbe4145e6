"""The small error hierarchy every layer shares.

``LoketError`` carries a message key and parameters, never a pre-rendered string, so the same error reads
in the user's language wherever it surfaces (CLI, GUI dialog, server error body).
"""

from __future__ import annotations

from typing import Any

from app.i18n import tr


class LoketError(Exception):
    """Base of every error a person should read. ``str(err)`` is the translated sentence."""

    key = "internal"

    def __init__(self, key: str | None = None, /, **params: Any) -> None:
        self.key = key or self.key
        self.params = params
        super().__init__(self.key)

    @property
    def message(self) -> str:
        return tr(self.key, **self.params)

    def __str__(self) -> str:
        return self.message


class UserFacingError(LoketError):
    """Understood but refused: the person can fix it (CLI exit 1)."""


class ValidationError(UserFacingError):
    """One or more fields are wrong. ``problems`` lists ``FieldProblem`` values, first one is the message."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        self.problems = problems
        first = problems[0]
        super().__init__(first.key, **first.params)

    @property
    def message(self) -> str:
        return " ".join(p.message for p in self.problems)


class FieldProblem:
    """A single field's problem: which field, what is wrong (as a message key and its params)."""

    __slots__ = ("field", "key", "params")

    def __init__(self, field: str, key: str, /, **params: Any) -> None:
        self.field = field
        self.key = key
        self.params = params

    @property
    def message(self) -> str:
        return tr(self.key, **self.params)

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}

    def __repr__(self) -> str:
        return f"FieldProblem({self.field!r}, {self.key!r})"


class NotFoundError(UserFacingError):
    pass


class ForbiddenError(UserFacingError):
    pass


class TransitionError(UserFacingError):
    pass


class StorageError(UserFacingError):
    pass


class CancelledError(LoketError):
    """The person cancelled; nothing to show."""
