"""Transform metrics: per-model duration and status of the last dbt build, node outcomes, failed tests,
reviews scored by the sentiment UDF, and dbt source freshness of the Bronze tables. Labels are dbt model names (a bounded, versioned set)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Enum, Gauge

from tmdb_pipeline.metrics.runs import run_metrics

REGISTRY = CollectorRegistry(auto_describe=True)
JOB = "tmdb_transform"
RUN = run_metrics("transform", REGISTRY)
SCORING_MODEL = "int_reviews_scored"
# dbt dates an empty table's newest row to year 1 (no max(loaded_at)): any age past this is "no rows"
EMPTY_SOURCE_AGE_S = 100 * 365 * 86400

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
SOURCE_AGE = Gauge(
    "tmdb_transform_source_age_seconds",
    "dbt source freshness: age of the newest row of each Bronze source table (loaded_at_field)",
    ["source"],
    registry=REGISTRY,
)
SOURCE_FRESHNESS = Enum(
    "tmdb_transform_source_freshness",
    "dbt source freshness status of each Bronze source table; `empty`: no rows yet (dbt says error)",
    ["source"],
    states=["pass", "warn", "error", "empty", "runtime error"],
    registry=REGISTRY,
)
SCORING_SECONDS = Counter(
    "tmdb_transform_scoring_seconds",
    f"Time spent building {SCORING_MODEL} (reviews scored over this: texts per second)",
    registry=REGISTRY,
)


def source_state(node: dict[str, Any]) -> str:
    """The freshness state of one `dbt source freshness` result. dbt's own status, except for a table
    with no rows: dbt reports it as `error` (its newest row dates from year 1), which would page as
    stale a table that simply has nothing landed yet. That is `empty`, a state of its own."""
    status = node["status"]
    if status not in ("pass", "warn", "error"):
        return "runtime error"  # the query failed (e.g. no such table): no age at all
    age = node.get("age_s")
    return "empty" if age is not None and age >= EMPTY_SOURCE_AGE_S else status


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
        if kind == "source":  # a `dbt source freshness` result
            state = source_state(node)
            SOURCE_FRESHNESS.labels(node["name"]).state(state)
            if state == "empty":
                # no newest row, so no age; drop one left from before the table was emptied (no-op if none)
                SOURCE_AGE.remove(node["name"])
            elif node.get("age_s") is not None:
                SOURCE_AGE.labels(node["name"]).set(node["age_s"])
    if any(node["resource_type"] == "test" for node in results):  # not reset by a freshness run
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
