"""A real Prometheus, started by the stack code, sees the stages run and a stalled landing job.

Each stage runs as its `tmdb-pipeline` command in its own process, pushing to the test Pushgateway;
PromQL must then return the counts the commands printed. The lag exporter, scraped by Prometheus, must
show a lag of 0 after landing, and records extracted with no landing job running must make the lag
alert's expression hold (Prometheus marks it pending: its `for` of 15 minutes is checked by
`promtool test rules` in tests/unit/monitoring).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.settings import PROJECT_ROOT, StackSettings, load
from tmdb_pipeline.stack.monitoring import PrometheusService, monitoring_services

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CLI = str(Path(sys.executable).with_name("tmdb-pipeline"))


@pytest.fixture(scope="module")
def monitoring(local_stack) -> Iterator[tuple[str, str]]:
    """Pushgateway, lag exporter and Prometheus (scraping every second) on the test stack."""
    metrics = MetricsSettings(stack=True, scrape_interval_s=1)
    services = monitoring_services(load(StackSettings), metrics, api_port=free_api_port())
    for service in services:
        service.stop()  # a fresh start: Prometheus must read this run's generated configuration
    (services[0].root / "pushgateway.db").unlink(missing_ok=True)
    try:
        for service in services:
            service.start()
        prometheus = next(s for s in services if isinstance(s, PrometheusService))
        yield prometheus.url, f"http://{load(StackSettings).host}:{metrics.pushgateway_port}"
    finally:
        for service in reversed(services):
            service.stop()


def free_api_port() -> int:
    from tmdb_pipeline.stack.process import free_port

    return free_port()


def pipeline(*args: str, pushgateway: str) -> str:
    env = {**os.environ, "METRICS_PUSHGATEWAY_URL": pushgateway, "COLUMNS": "250", "NO_COLOR": "1"}
    done = subprocess.run(
        [CLI, *args], env=env, capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=1500
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def number(pattern: str, text: str) -> int:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not in the output:\n{text}"
    return int(found.group(1).replace(",", ""))


def query(prometheus: str, promql: str) -> list[dict]:
    answer = httpx.get(f"{prometheus}/api/v1/query", params={"query": promql}, timeout=10)
    answer.raise_for_status()
    return answer.json()["data"]["result"]


def value_of(prometheus: str, promql: str, expected: float, timeout_s: float = 60) -> float:
    """The query's single value once it equals `expected` (scrapes arrive every second), else the last."""
    deadline, last = time.monotonic() + timeout_s, None
    while time.monotonic() < deadline:
        result = query(prometheus, promql)
        last = float(result[0]["value"][1]) if result else None
        if last == expected:
            return last
        time.sleep(1)
    return last if last is not None else float("nan")


def alerts(prometheus: str) -> list[dict]:
    return httpx.get(f"{prometheus}/api/v1/alerts", timeout=10).json()["data"]["alerts"]


def test_given_stage_runs_pushed_to_the_pushgateway_then_promql_returns_the_counts_each_stage_reported(
    monitoring,
):
    prometheus, pushgateway = monitoring
    extracted = pipeline("extract", "--json", pushgateway=pushgateway)
    records = number(r'"records": (\d+)', extracted)
    landed = pipeline("land", "--once", pushgateway=pushgateway)
    batches = number(r"(\d+) batches, \d+ records in", landed)
    rows = number(r"\d+ batches, (\d+) records in", landed)
    # a small real dbt build: a whole build with a first sentiment scoring takes over 10 minutes on 2 cores
    built = pipeline("transform", "--select", "stg_tmdb__genres", pushgateway=pushgateway)
    succeeded = number(r"(\d+) success", built)
    passed = number(r"(\d+) pass", built)

    figures = {
        'sum(tmdb_extract_records_total{job="tmdb_extract"})': records,
        'sum(tmdb_landing_batches_total{job="tmdb_land"})': batches,
        'sum(tmdb_landing_rows_total{job="tmdb_land"}) + sum(tmdb_landing_quarantined_rows_total{job="tmdb_land"})': rows,
        'sum(tmdb_transform_nodes_total{job="tmdb_transform",status="success"})': succeeded,
        'sum(tmdb_transform_nodes_total{job="tmdb_transform",status="pass"})': passed,
        'count(tmdb_transform_model_status{job="tmdb_transform",tmdb_transform_model_status="success"} == 1)': 1,
    }
    seen = {promql: value_of(prometheus, promql, expected) for promql, expected in figures.items()}
    assert seen == {promql: float(expected) for promql, expected in figures.items()}
    for stage in ("extract", "landing", "transform"):
        assert value_of(prometheus, f"min(tmdb_{stage}_last_run_success)", 1) == 1
    # everything in Kafka is landed: the exporter's live lag and the lag land pushed are both 0
    assert value_of(prometheus, 'sum(tmdb_landing_lag_records{job="tmdb-lag-exporter"})', 0) == 0
    assert value_of(prometheus, 'max(tmdb_landing_lag_up{job="tmdb-lag-exporter"})', 1) == 1
    assert value_of(prometheus, 'sum(tmdb_landing_lag_records{job="tmdb_land"})', 0) == 0
    assert records > 0 and rows > 0 and passed > 0


def test_given_no_landing_job_when_records_reach_kafka_then_the_lag_alert_holds(monitoring):
    prometheus, pushgateway = monitoring
    out = pipeline("extract", "--streams", "genres", "--full-refresh", "--json", pushgateway=pushgateway)
    produced = number(r'"records": (\d+)', out)
    assert produced > 0
    lag = 'sum(tmdb_landing_lag_records{job="tmdb-lag-exporter",topic=~".*genres"})'
    assert value_of(prometheus, lag, produced) == produced

    deadline = time.monotonic() + 60  # rules are evaluated every second
    while time.monotonic() < deadline:
        active = {
            (a["labels"]["alertname"], a["labels"].get("topic")): a["state"] for a in alerts(prometheus)
        }
        if active.get(("TmdbLandingStalled", "tmdb_genres")) == "pending":
            break
        time.sleep(1)
    assert active.get(("TmdbLandingStalled", "tmdb_genres")) == "pending", active

    # landing again drains the lag, and the alert goes away
    pipeline("land", "--once", pushgateway=pushgateway)
    assert value_of(prometheus, lag, 0) == 0
    deadline = time.monotonic() + 30
    while any(a["labels"]["alertname"] == "TmdbLandingStalled" for a in alerts(prometheus)):
        assert time.monotonic() < deadline, alerts(prometheus)
        time.sleep(1)
