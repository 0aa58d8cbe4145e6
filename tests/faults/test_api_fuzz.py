"""Schemathesis against the server's own ``/openapi.json`` (the in-process ASGI app of
``sync.server.app.create_app``), without a token and with a valid petugas token: no 5xx anywhere, and
every answer conforms to the schema (status code documented, content type, body shape, headers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks as sc

from faults.harness import LocalServer, long_run

pytestmark = pytest.mark.timeout(3600 if long_run() else 300)  # the long run takes minutes
EXAMPLES = 250 if long_run() else 25
CHECKS = [sc.not_a_server_error, sc.status_code_conformance, sc.content_type_conformance,
          sc.response_schema_conformance, sc.response_headers_conformance]
CALLS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    srv = LocalServer(Path(tmp_path_factory.mktemp("fuzz")))
    yield srv
    srv.close()
    print(f"\napi fuzz: {sum(CALLS.values())} requests ({dict(CALLS)}), 0 server errors, 0 schema violations")


@pytest.fixture(scope="module")
def api_schema(fuzz_server: LocalServer) -> Any:
    return schemathesis.openapi.from_asgi("/openapi.json", fuzz_server.app)


@pytest.fixture(scope="module")
def bearer(fuzz_server: LocalServer) -> dict[str, str]:
    return {"Authorization": f"Bearer {fuzz_server.token('siti', 'fuzz')}"}


FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _fuzz(api_schema: Any, label: str, headers: dict[str, str] | None) -> None:
    """Every operation of the schema, ``EXAMPLES`` generated requests each. (Schemathesis' own pytest
    plugin does not load under pytest 9, so the operations are driven with hypothesis directly.)"""
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10, "the schema lost its operations"
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            CALLS[label] += 1
            case.call_and_validate(headers=headers, checks=CHECKS)

        run()


def test_unauthenticated(api_schema: Any) -> None:
    _fuzz(api_schema, "anonymous", None)


def test_with_a_valid_token(api_schema: Any, bearer: dict[str, str]) -> None:
    _fuzz(api_schema, "petugas", bearer)
