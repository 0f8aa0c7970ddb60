"""Run dbt inside this process's SparkSession.

dbt-spark's `session` method calls `SparkSession.builder...getOrCreate()` for every cursor, so the
session built here — Iceberg as the default catalog, the `review_sentiment` UDF registered — is the
one every model runs on. A plain `dbt` process runs against the Spark SQL endpoint instead (the
profile's default target); the project's on-run-start hook stops a session lacking the catalog or the UDF.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tmdb_pipeline.metrics import transform as metrics
from tmdb_pipeline.settings import PROJECT_ROOT

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
SESSION_MARKER = "spark.tmdb.pipeline.session"
SESSION_TARGET = "session"  # the profile output with dbt-spark's session method
# What a pipeline pass builds: every model and data test. dbt's unit tests check the models' SQL, not
# the data, so as dbt advises they run in development and CI (`tmdb-pipeline transform test --select
# test_type:unit`, part of `make test`), not on every pass (~5 s of an incremental build).
PASS_BUILD = ("build", "--exclude-resource-type", "unit_test")
log = logging.getLogger("tmdb_pipeline.transform")


@dataclass
class DbtOutcome:
    success: bool
    command: list[str]
    results: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None

    def count(self, status: str) -> int:
        return sum(1 for r in self.results if r["status"] == status)


def prepare_session(app_name: str = "tmdb-transform"):
    """The SparkSession dbt will pick up, with the lakehouse namespaces and the sentiment UDF."""
    from tmdb_pipeline.sentiment.udf import register_sentiment_udf
    from tmdb_pipeline.settings import LandingSettings, load
    from tmdb_pipeline.stack.spark import get_spark

    spark = get_spark(app_name)
    spark.conf.set(SESSION_MARKER, "true")
    for layer in (load(LandingSettings).namespace, "silver", "gold"):
        spark.sql(f"create namespace if not exists {layer}")
    register_sentiment_udf(spark)
    return spark


def pipeline_vars() -> dict[str, Any]:
    """dbt vars from the pipeline's settings: the id of the sentiment model the UDF scores with, and
    the namespace the landing writes Bronze to (LANDING_NAMESPACE, `.env` included)."""
    from tmdb_pipeline.sentiment.artifact import scoring_version
    from tmdb_pipeline.sentiment.settings import SentimentSettings
    from tmdb_pipeline.settings import LandingSettings, load

    return {
        "sentiment_version": scoring_version(load(SentimentSettings)),
        "bronze_schema": load(LandingSettings).namespace,
    }


def with_vars(args: list[str], defaults: dict[str, Any]) -> list[str]:
    """`args` with `--vars` holding `defaults` under what the user passed (theirs win)."""
    import yaml

    rest, given = [], {}
    items = iter(args)
    for arg in items:
        if arg == "--vars" or arg.startswith("--vars="):
            text = arg.partition("=")[2] if "=" in arg else next(items, "")
            given.update(yaml.safe_load(text) or {})
        else:
            rest.append(arg)
    return [*rest, "--vars", json.dumps({**defaults, **given})]


def run_dbt(
    args: list[str],
    project_dir: Path = DBT_PROJECT,
    progress: Callable[[str], None] | None = None,
    terminal_level: str = "warn",
) -> DbtOutcome:
    """`dbt <args>` on the prepared session; returns per-node results (model, test, ...).

    With `progress`, dbt's terminal output is cut to `terminal_level` and above (its full log stays
    in its log file) and `progress` gets "index/total node" as each node starts."""
    from dbt.cli.main import dbtRunner

    spark = prepare_session()
    args = with_vars(args, pipeline_vars())
    if not any(arg in ("--target", "-t") or arg.startswith("--target=") for arg in args):
        args = [*args, "--target", SESSION_TARGET]  # profiles.yml's default is the SQL endpoint
    command = [*args, "--project-dir", str(project_dir), "--profiles-dir", str(project_dir)]
    callbacks = []
    if progress is not None:
        command += ["--log-level", terminal_level]

        def started(event: Any) -> None:
            if event.info.name == "LogStartLine":
                progress(f"{event.data.index}/{event.data.total} {event.data.description}")

        callbacks.append(started)
    result = dbtRunner(callbacks=callbacks).invoke(command)
    outcome = DbtOutcome(success=result.success, command=command)
    if result.exception is not None:
        outcome.error = str(result.exception)
    executed = getattr(result.result, "results", None) or []
    for node in executed:
        outcome.results.append(
            {
                "name": node.node.name,
                "resource_type": str(node.node.resource_type),
                "status": str(node.status),
                "seconds": round(node.execution_time or 0.0, 2),
                "message": node.message,
                "rows_affected": (node.adapter_response or {}).get("rows_affected"),
                "age_s": getattr(node, "age", None),  # source freshness results only
            }
        )
    metrics.record_results(outcome.results, metrics.scored_in_run(spark, executed))
    return outcome
