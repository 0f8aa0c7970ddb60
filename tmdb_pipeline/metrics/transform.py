"""Transform metrics: per-model duration and status of the last dbt build, node outcomes, failed tests,
reviews scored by the sentiment UDF. Labels are dbt model names (a bounded, versioned set)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Enum, Gauge

from tmdb_pipeline.metrics.runs import run_metrics

REGISTRY = CollectorRegistry(auto_describe=True)
JOB = "tmdb_transform"
RUN = run_metrics("transform", REGISTRY)
SCORING_MODEL = "int_reviews_scored"

MODEL_SECONDS = Gauge(
    "tmdb_transform_model_duration_seconds",
    "Build time of each dbt model in its last run",
    ["model"],
    registry=REGISTRY,
)
MODEL_STATUS = Enum(
    "tmdb_transform_model_status",
    "Outcome of each dbt model's last build",
    ["model"],
    states=["success", "error", "skipped"],
    registry=REGISTRY,
)
NODES = Counter(
    "tmdb_transform_nodes",
    "dbt nodes run, by type (model, test, unit_test, seed, ...) and status",
    ["resource_type", "status"],
    registry=REGISTRY,
)
FAILED_TESTS = Gauge(
    "tmdb_transform_failed_tests", "dbt tests that failed or errored in the last run", registry=REGISTRY
)
REVIEWS_SCORED = Counter(
    "tmdb_transform_reviews_scored", "Reviews scored by the sentiment model", registry=REGISTRY
)
SCORING_SECONDS = Counter(
    "tmdb_transform_scoring_seconds",
    f"Time spent building {SCORING_MODEL} (reviews scored over this: texts per second)",
    registry=REGISTRY,
)


def record_results(results: list[dict[str, Any]], reviews_scored: int | None) -> None:
    """`results` as `DbtOutcome.results` holds them (name, resource_type, status, seconds)."""
    failed = 0
    for node in results:
        kind, status = node["resource_type"], node["status"]
        NODES.labels(kind, status).inc()
        if kind == "test" and status in ("fail", "error"):
            failed += 1
        if kind == "model":
            MODEL_SECONDS.labels(node["name"]).set(node["seconds"])
            MODEL_STATUS.labels(node["name"]).state(status if status in ("success", "error") else "skipped")
            if node["name"] == SCORING_MODEL and status == "success":
                SCORING_SECONDS.inc(node["seconds"])
    FAILED_TESTS.set(failed)
    if reviews_scored:
        REVIEWS_SCORED.inc(reviews_scored)


def scored_in_run(spark: Any, executed: list[Any]) -> int | None:
    """Reviews the scoring model wrote in this dbt invocation (each row records its invocation id)."""
    from dbt_common.invocation import get_invocation_id

    for node in executed:
        if node.node.name == SCORING_MODEL and str(node.status) == "success" and node.node.relation_name:
            query = f"select count(*) from {node.node.relation_name} where scored_in_invocation = '{get_invocation_id()}'"
            return int(spark.sql(query).first()[0])
    return None
