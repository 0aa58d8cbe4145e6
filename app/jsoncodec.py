"""The one JSON text form of stored and sent records: compact, keys sorted, UTF-8 as is. Case fields, field
versions, outbox payloads and conflict values are written with :func:`to_json` on the laptop and the server
alike, so the same value is the same text wherever it was made (and compares equal as text)."""

from __future__ import annotations

import json
from typing import Any

# One encoder for every record: building a JSONEncoder per call costs more than encoding a small object.
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def to_json(value: Any) -> str:
    return _ENCODER.encode(value)


def from_json(text: str | bytes) -> Any:
    """The value of a record written by :func:`to_json` (or any JSON text)."""
    return json.loads(text)
