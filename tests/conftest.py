"""Shared fixtures: the real local stack, started once per test session through the stack code.

Tests run their own stack (own home under .local/test-stack, own ports) so they never stop or
clutter a stack a developer has running for the demo. Settings are read from the environment,
so these variables are set before anything imports them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEST_ENV = {
    "STACK_HOME": str(ROOT / ".local" / "test-stack"),
    "KAFKA_PORT": "19092",
    "KAFKA_CONTROLLER_PORT": "19093",
    "MONGO_PORT": "37017",
    "MONGO_DATABASE": "tmdb_test",
    "EMULATOR_PORT": "18765",
    # the object store and REST catalog, for the tests that run the lakehouse on them
    # (SeaweedFS's gRPC ports are these + 10000: kept below Linux's ephemeral range, 32768+, where a
    # client socket could hold one; the clean-clone run met that on 39340)
    "S3_PORT": "21333",
    "S3_MASTER_PORT": "21334",
    "S3_VOLUME_PORT": "21340",
    "S3_FILER_PORT": "21888",
    "ICEBERG_REST_PORT": "28181",
    # the monitoring services and /metrics ports, for the tests that run Prometheus
    "METRICS_PROMETHEUS_PORT": "19490",
    "METRICS_PUSHGATEWAY_PORT": "19491",
    "METRICS_EXPORTER_PORT": "19466",
    "METRICS_LANDING_PORT": "19464",
    "METRICS_PIPELINE_PORT": "19465",
    "SQL_ENDPOINT_PORT": "20000",
    "SUPERSET_PORT": "18088",
    "EMULATOR_MOVIES": "1000",
    # small, fast end-to-end passes: the emulator has no rate limit of its own
    "EXTRACT_MAX_MOVIES": "60",
    "EXTRACT_MAX_PAGES": "3",
    "EXTRACT_REQUESTS_PER_SECOND": "400",
    "LANDING_TRIGGER_INTERVAL_S": "1",
}
for _key, _value in TEST_ENV.items():
    os.environ.setdefault(_key, _value)
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session")
def local_stack() -> Iterator[object]:
    """Kafka + the MongoDB-protocol server, up for the whole session (reused when already up)."""
    from tmdb_pipeline.orchestrate.stack import local_stack as stack_from_env

    stack = stack_from_env()
    report = stack.up()
    yield stack
    if report.started and not os.environ.get("TMDB_KEEP_TEST_STACK"):
        stack.down()


@pytest.fixture(scope="session")
def object_store_env(local_stack: object) -> Iterator[dict[str, str]]:
    """SeaweedFS (S3) and Iceberg's REST catalog server, up for the session beside the test stack.

    Yields the environment that points a `tmdb-pipeline` subprocess at them: the same pipeline,
    on the production topology, by settings alone. The session's own Spark stays on the JDBC catalog.
    """
    from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings, load
    from tmdb_pipeline.stack.iceberg_rest import IcebergRestService
    from tmdb_pipeline.stack.s3 import SeaweedFsService

    # a new lakehouse on purpose: the test stack's JDBC catalog holds other tests' tables, which
    # landing would otherwise (rightly) point at `lakehouse migrate`
    env = {"ICEBERG_CATALOG_TYPE": "rest", "ICEBERG_START_EMPTY": "true"}
    stack, s3 = load(StackSettings), load(S3Settings)
    iceberg = IcebergSettings(catalog_type="rest")
    services = [SeaweedFsService(stack, s3, iceberg), IcebergRestService(stack, iceberg, s3)]
    started = []
    for service in services:
        if service.pid() is None:
            started.append(service)
        service.start()
    yield env
    if not os.environ.get("TMDB_KEEP_TEST_STACK"):
        for service in reversed(started):
            service.stop()


@dataclass(frozen=True)
class Monitoring:
    """The session's Prometheus (scraping every second) and Pushgateway."""

    prometheus: str
    pushgateway: str
    config: Path  # the configuration Prometheus was started with (POST /-/reload re-reads it)

    def query(self, promql: str) -> list[dict]:
        import httpx

        answer = httpx.get(f"{self.prometheus}/api/v1/query", params={"query": promql}, timeout=10)
        answer.raise_for_status()
        return answer.json()["data"]["result"]

    def value_of(self, promql: str, expected: float, timeout_s: float = 60) -> float:
        """The query's single value once it equals `expected` (scrapes come every second), else the last."""
        deadline, last = time.monotonic() + timeout_s, None
        while time.monotonic() < deadline:
            result = self.query(promql)
            last = float(result[0]["value"][1]) if result else None
            if last == expected:
                return last
            time.sleep(1)
        return last if last is not None else float("nan")

    def alerts(self) -> list[dict]:
        import httpx

        return httpx.get(f"{self.prometheus}/api/v1/alerts", timeout=10).json()["data"]["alerts"]


@pytest.fixture(scope="session")
def monitoring(local_stack: object) -> Iterator[Monitoring]:
    """Pushgateway, lag exporter and Prometheus, started by the stack code for the session."""
    from tmdb_pipeline.metrics.settings import MetricsSettings
    from tmdb_pipeline.settings import StackSettings, load
    from tmdb_pipeline.stack.monitoring import PrometheusService, monitoring_services
    from tmdb_pipeline.stack.process import free_port

    metrics = MetricsSettings(stack=True, scrape_interval_s=1)
    services = monitoring_services(load(StackSettings), metrics, api_port=free_port())
    for service in services:
        service.stop()  # a fresh start: Prometheus must read this run's generated configuration
    (services[0].root / "pushgateway.db").unlink(missing_ok=True)
    try:
        for service in services:
            service.start()
        prometheus = next(s for s in services if isinstance(s, PrometheusService))
        pushgateway = f"http://{load(StackSettings).host}:{metrics.pushgateway_port}"
        yield Monitoring(prometheus.url, pushgateway, prometheus.config)
    finally:
        for service in reversed(services):
            service.stop()


@pytest.fixture(scope="session")
def spark(local_stack: object) -> Iterator[object]:
    """One local SparkSession (Iceberg as default catalog) shared by the session's tests."""
    from tmdb_pipeline.stack.spark import get_spark

    session = get_spark("tmdb-pipeline-tests")
    yield session
    session.stop()
