"""Every wire error number has its HTTP status in one table, and the server never picks a status at a raise."""

from __future__ import annotations

import re
from pathlib import Path

from sync.protocol import HTTP_STATUS, Errno, error_body
from sync.server.core import ApiError

ROOT = Path(__file__).resolve().parent.parent.parent


def test_every_errno_has_one_status() -> None:
    assert set(HTTP_STATUS) == set(Errno)
    assert all(400 <= status <= 599 for status in HTTP_STATUS.values())
    assert len({int(e) for e in Errno}) == len(Errno)  # numbers are never reused


def test_an_api_error_takes_its_status_from_the_table() -> None:
    err = ApiError(Errno.USER_EXISTS, "user siti exists")
    assert err.status == 409
    assert error_body(err.errno, err.message) == {"errno": 115, "error": "user_exists",
                                                   "message": "user siti exists", "details": {}}


def test_no_raise_picks_a_status() -> None:
    literal = re.compile(r"ApiError\(\s*\d{3}")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "sync").rglob("*.py")
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if literal.search(line)]
    assert found == []
