"""A push's body read in one pass: pydantic's own JSON reader checks the shape while it parses the bytes.

FastAPI's way for a model parameter parsed the body with ``json.loads``, validated the tree into models and the
endpoint then dumped each model back into a dict: three passes over up to 500 ops, a sixth of the server's time
on a push of new cases. The checks are the same (``ops`` a list of at most ``PUSH_BATCH`` objects, each with
an ``op_id`` of 8–36 letters, digits, ``-`` or ``_``; the rest of an op is checked op by op, see
sync/server/opcheck.py), so are the answers to a body that fails them (422, errno INVALID_REQUEST): only a
body declared as JSON (``application/json`` or ``…+json``) is read, as FastAPI does.
"""

from __future__ import annotations

import email.message
from typing import Annotated, Any, NotRequired, cast

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from pydantic import Field, StringConstraints, TypeAdapter, ValidationError
from typing_extensions import TypedDict

from sync.protocol import PUSH_BATCH, Op

OP_ID = r"^[A-Za-z0-9_-]+$"


class _OpBody(TypedDict):
    op_id: Annotated[str, StringConstraints(min_length=8, max_length=36, pattern=OP_ID)]
    kind: NotRequired[Any]
    case_id: NotRequired[Any]
    base_version: NotRequired[Any]
    payload: NotRequired[Any]


class _PushBody(TypedDict):
    ops: Annotated[list[_OpBody], Field(max_length=PUSH_BATCH)]


_READER = TypeAdapter(_PushBody)


def _is_json(content_type: str | None) -> bool:
    if not content_type:
        return False
    message = email.message.Message()
    message["content-type"] = content_type
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (subtype == "json" or subtype.endswith("+json"))


def _invalid(kind: str, message: str, loc: tuple[Any, ...] = ("body",)) -> RequestValidationError:
    return RequestValidationError([{"type": kind, "loc": loc, "msg": message, "input": None}])


def read_ops(body: bytes, content_type: str | None) -> list[Op]:
    """The ops of a push body, each with all five keys (an absent one is ``None``), other keys left out."""
    if not body:
        raise _invalid("missing", "Field required")
    if not _is_json(content_type):
        raise _invalid("model_attributes_type", "a push is a JSON object (application/json)")
    try:
        parsed = _READER.validate_json(body)
    except ValidationError as err:
        raise RequestValidationError([{**e, "loc": ("body", *e["loc"])} for e in err.errors(include_url=False)]) \
            from None
    ops = [{"op_id": o["op_id"], "kind": o.get("kind"), "case_id": o.get("case_id"),
            "base_version": o.get("base_version"), "payload": o.get("payload")} for o in parsed["ops"]]
    return cast(list[Op], ops)  # the shape beyond ``op_id`` is checked op by op (sync/server/opcheck.py)


async def pushed_ops(request: Request) -> list[Op]:
    """FastAPI dependency: the request's ops (see :func:`read_ops`)."""
    return read_ops(await request.body(), request.headers.get("content-type"))


def openapi_body(op_schema: dict[str, Any]) -> dict[str, Any]:
    """The request body as the API's schema documents it (``op_schema``: one op's JSON schema)."""
    schema = {"title": "PushRequest", "type": "object", "required": ["ops"],
              "properties": {"ops": {"title": "Ops", "type": "array", "maxItems": PUSH_BATCH, "items": op_schema}}}
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": schema}}}}
