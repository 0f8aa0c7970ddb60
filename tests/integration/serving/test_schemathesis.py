"""Property-based tests from the app's own OpenAPI: no 5xx, and every response fits its schema.

schemathesis generates requests for each operation (valid and edge-case parameters), sends them
to the real server and checks each answer: no server error, a status the schema documents, the
documented content type, and a body that validates against its schema. Schema-valid requests
refused with 400 are fine: some rules span parameters (year_from after year_to, pages deeper than
API_MAX_OFFSET), which OpenAPI cannot express.

Operations are listed from the app's OpenAPI (built in-process, no database needed) so each is a
test of its own; the schema the cases come from is the one the running server publishes. This uses
schemathesis' Python API rather than its pytest plugin, whose lazy fixture loader reads a pytest
internal (`Node._nodeid`) that pytest 9 no longer has.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, settings  # noqa: E402  (only with schemathesis installed)
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from serving_api.app import create_app  # noqa: E402
from serving_api.settings import ApiSettings  # noqa: E402
from tmdb_pipeline.settings import MongoSettings  # noqa: E402

pytestmark = pytest.mark.integration

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
OPERATIONS = sorted(
    (path, method.upper())
    for path, item in create_app(ApiSettings(), MongoSettings()).openapi_schema.to_schema()["paths"].items()
    for method in item
)


@pytest.fixture(scope="session")
def api_schema(api):
    return schemathesis.openapi.from_url(f"{api.base_url}/schema/openapi.json")


@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_given_generated_requests_then_no_5xx_and_every_response_fits_its_schema(api_schema, path, method):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(checks=CHECKS)

    check()
