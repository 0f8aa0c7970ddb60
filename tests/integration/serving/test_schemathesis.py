"""Property-based tests from the app's own OpenAPI: the API does exactly what it publishes.

schemathesis generates requests for each operation, valid ones and ones that break the schema,
sends them to the real server and runs every check it has (the CLI's `--checks all`): no server
error, a documented status, content type and body, every schema-valid request accepted and every
schema-violating one refused with 4xx. The seed is fixed, so a run is reproducible.

Operations are listed from the app's OpenAPI (built in-process, no database needed) so each is a
test of its own; the schema the cases come from is the one the running server publishes. This uses
schemathesis' Python API rather than its pytest plugin, whose lazy fixture loader reads a pytest
internal (`Node._nodeid`) that pytest 9 no longer has.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis")

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402  (only with schemathesis installed)
from schemathesis import GenerationMode  # noqa: E402
from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402

from serving_api.app import create_app  # noqa: E402
from serving_api.settings import ApiSettings  # noqa: E402
from tmdb_pipeline.settings import MongoSettings  # noqa: E402
from tmdb_pipeline.testing.api import running_api  # noqa: E402

pytestmark = pytest.mark.integration

load_all_checks()
SEED = 20_261_202
PATHS = create_app(ApiSettings(), MongoSettings()).openapi_schema.to_schema()["paths"]
# (path, method, mode): requests that break the schema only where the operation has parameters
CASES = sorted(
    (path, method.upper(), mode)
    for path, item in PATHS.items()
    for method, operation in item.items()
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    if mode is GenerationMode.POSITIVE or operation.get("parameters")
)


@pytest.fixture(scope="module")
def api_schema(served):
    # a generous query budget: this checks what the API answers, not how fast (that is bench/api.py)
    env = {"MONGO_DATABASE": served.mongo.database, "API_QUERY_TIMEOUT_MS": "60000"}
    with running_api(env) as api:
        yield schemathesis.openapi.from_url(f"{api.base_url}/schema/openapi.json")


@pytest.mark.parametrize(
    ("path", "method", "mode"), CASES, ids=[f"{m} {p} {mode.value}" for p, m, mode in CASES]
)
def test_given_generated_requests_then_every_check_passes(api_schema, path, method, mode):
    operation = api_schema[path][method]

    @seed(SEED)
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def check(case):
        case.call_and_validate(checks=CHECKS.get_all())

    check()
