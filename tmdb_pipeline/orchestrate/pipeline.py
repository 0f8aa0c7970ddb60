"""The whole pipeline: one pass (extract -> land -> transform -> sync-serving) and the continuous mode.

`run_pass` is what a scheduler calls; `run_continuous` keeps the landing query streaming and repeats
extract -> (wait until Bronze has caught up with Kafka) -> transform -> sync on an interval, so a
change in TMDB reaches the API without a manual step.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from tmdb_pipeline.metrics.land import kafka_offsets
from tmdb_pipeline.metrics.stages import observed, push_stage
from tmdb_pipeline.settings import KafkaSettings, LandingSettings, load

log = logging.getLogger(__name__)
# the metrics stage of each pipeline step ("land (streaming)" is a wait, not a run)
METRIC_STAGES = {"extract": "extract", "land": "land", "transform": "transform", "sync-serving": "sync"}


@dataclass
class StageResult:
    name: str
    seconds: float
    detail: str
    figures: dict[str, Any] = field(default_factory=dict)


class PipelineError(Exception):
    def __init__(self, stage: str, message: str) -> None:
        super().__init__(f"{stage} failed: {message}")
        self.stage = stage


def _timed(name: str, action: Callable[[], tuple[str, dict[str, Any]]]) -> StageResult:
    began = time.monotonic()
    with observed(METRIC_STAGES.get(name)):
        detail, figures = action()
    return StageResult(name, time.monotonic() - began, detail, figures)


def stage_extract(full_refresh: bool = False) -> tuple[str, dict[str, Any]]:
    from tmdb_pipeline.extract.runner import ExtractFailed, run_extract

    try:
        summary = run_extract(full_refresh=full_refresh)
    except ExtractFailed as failed:
        raise PipelineError("extract", str(failed)) from None
    per_stream = {name: s.records for name, s in summary.streams.items()}
    return f"{summary.records:,} records to Kafka", {"records": summary.records, "streams": per_stream}


def stage_land() -> tuple[str, dict[str, Any]]:
    from spark_streaming.job import run_landing
    from tmdb_pipeline.stack.spark import get_spark

    run = run_landing(get_spark("tmdb-pipeline"), continuous=False)
    landed = sum(run.totals().values())
    return (
        f"{landed:,} rows in {len(run.totals())} Bronze tables, {run.quarantined} quarantined",
        {"rows": landed, "quarantined": run.quarantined, "tables": run.totals()},
    )


def stage_transform(progress: Callable[[str], None] | None = None) -> tuple[str, dict[str, Any]]:
    from tmdb_pipeline.metrics.transform import source_state
    from tmdb_pipeline.transform.pass_build import run_pass_build
    from tmdb_pipeline.transform.runner import run_dbt

    build = run_pass_build(progress=progress)  # only what reads Bronze tables that got new rows
    outcome = build.outcome
    if not outcome.success:
        failed = [r["name"] for r in outcome.results if r["status"] in ("error", "fail")]
        raise PipelineError("transform", outcome.error or f"dbt nodes failed: {', '.join(failed)}")
    models = sum(1 for r in outcome.results if r["resource_type"] == "model" and r["status"] == "success")
    tests = outcome.count("pass")
    # source freshness for the metrics; a stale source is an alert, not a failed transform
    # its stale sources are named in the summary below: dbt's own error lines would only repeat them
    freshness = run_dbt(["source", "freshness"], progress=progress, terminal_level="none")
    # an empty Bronze table is "no rows yet", not stale (dbt calls both error)
    states = {r["name"]: source_state(r) for r in freshness.results if r["resource_type"] == "source"}
    stale = [name for name, state in states.items() if state in ("warn", "error")]
    empty = [name for name, state in states.items() if state == "empty"]
    figures = {
        "models": models,
        "tests": tests,
        "stale_sources": stale,
        "empty_sources": empty,
        "built": build.plan.reason,
        "select": list(build.plan.select) if build.plan.select is not None else None,
        "models_built": sorted(r["name"] for r in outcome.results if r["resource_type"] == "model"),
    }
    summary = f"{models} dbt models built, {tests} tests passed"
    if build.plan.builds_nothing:
        summary = "Silver and Gold up to date: no Bronze table changed since the last build"
    if stale:
        summary += f", stale: {', '.join(stale)}"
    if empty:
        summary += f", no rows yet: {', '.join(empty)}"
    return summary, figures


def stage_sync() -> tuple[str, dict[str, Any]]:
    from serving_api.sync import run_sync

    report = run_sync()
    figures = {
        c.collection: {
            "upserted": c.result.upserted,
            "unchanged": c.result.unchanged,
            "deleted": c.result.deleted,
        }
        for c in report.collections
    }
    documents = sum(c.result.documents for c in report.collections)
    upserted = sum(c.result.upserted for c in report.collections)
    return f"{documents:,} documents in {len(figures)} collections, {upserted:,} upserted", figures


def run_pass(
    full_refresh: bool = False,
    on_stage: Callable[[StageResult], None] | None = None,
    on_progress: Callable[[str, str], None] | None = None,
) -> list[StageResult]:
    """One pass; `on_stage` gets each finished stage, `on_progress` (stage, what it is doing) gets
    each stage's start and the transform's nodes (dbt's terminal output is then cut to warnings)."""

    def dbt_progress(message: str) -> None:
        if on_progress is not None:
            on_progress("transform", message)

    stages: list[tuple[str, Callable[[], tuple[str, dict[str, Any]]]]] = [
        ("extract", lambda: stage_extract(full_refresh)),
        ("land", stage_land),
        ("transform", lambda: stage_transform(dbt_progress if on_progress else None)),
        ("sync-serving", stage_sync),
    ]
    results = []
    for name, action in stages:
        if on_progress is not None:
            on_progress(name, "")
        try:
            result = _timed(name, action)
        finally:  # a one-shot pass pushes each stage's metrics, failed or not (when a Pushgateway is set)
            push_stage(METRIC_STAGES[name])
        results.append(result)
        if on_stage:
            on_stage(result)
    return results


def kafka_end_offsets(kafka: KafkaSettings, topic_pattern: str) -> dict[str, int]:
    """The last offset of every non-empty partition of the landed topics: "topic/partition" -> offset."""
    return {
        f"{topic}/{partition}": high - 1
        for (topic, partition), (low, high) in kafka_offsets(kafka, topic_pattern).items()
        if high > low
    }


def bronze_offsets(spark: Any, landing: LandingSettings) -> dict[str, int]:
    """The highest Kafka offset already in Bronze (stream tables and quarantine) per "topic/partition".

    A restarted landing query only reports the batches it commits itself; what earlier runs landed
    is read from the tables, or waiting for Kafka's end offsets would wait for rows landed long ago.
    """
    from spark_streaming.tables import create_namespace

    create_namespace(spark, landing)
    offsets: dict[str, int] = {}
    for table in spark.sql(f"show tables in {landing.namespace}").collect():
        rows = spark.sql(
            "select kafka_topic, kafka_partition, max(kafka_offset) as max_offset "
            f"from {landing.namespace}.{table.tableName} group by kafka_topic, kafka_partition"
        ).collect()
        for row in rows:
            key = f"{row.kafka_topic}/{row.kafka_partition}"
            offsets[key] = max(row.max_offset, offsets.get(key, -1))
    return offsets


class LandedOffsets:
    """What the streaming landing job has committed so far, fed by its per-batch metrics."""

    def __init__(self) -> None:
        self._offsets: dict[str, int] = {}
        self._changed = threading.Condition()

    def record(self, batch: Any) -> None:
        self.seed(batch.max_offsets)

    def seed(self, offsets: dict[str, int]) -> None:
        with self._changed:
            for key, offset in offsets.items():
                self._offsets[key] = max(offset, self._offsets.get(key, -1))
            self._changed.notify_all()

    def wait_for(self, ends: dict[str, int], timeout_s: float) -> bool:
        deadline = time.monotonic() + timeout_s
        with self._changed:
            while any(self._offsets.get(key, -1) < end for key, end in ends.items()):
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._changed.wait(remaining)
        return True


def run_continuous(
    interval_s: float,
    stop: threading.Event,
    on_stage: Callable[[StageResult], None] | None = None,
    catch_up_timeout_s: float = 600.0,
    live: bool = False,
) -> int:
    """Stream landing in the background (and the speed layer, with `live`); extract, wait for Bronze to
    catch up, transform, sync; repeat. Returns the number of completed cycles when `stop` is set."""
    from spark_streaming.job import run_landing
    from spark_streaming.live import run_live
    from tmdb_pipeline.stack.spark import get_spark

    spark = get_spark("tmdb-pipeline")
    kafka, landing_settings = load(KafkaSettings), load(LandingSettings)
    landed = LandedOffsets()
    landed.seed(bronze_offsets(spark, landing_settings))
    landing_error: list[BaseException] = []

    def land_forever() -> None:
        try:
            run_landing(spark, continuous=True, on_batch=landed.record, stop_event=stop)
        except BaseException as exc:  # surfaced by the main loop
            landing_error.append(exc)
            stop.set()

    def aggregate_forever() -> None:
        try:
            run_live(spark, continuous=True, stop_event=stop)
        except BaseException as exc:
            live_error.append(exc)
            stop.set()

    live_error: list[BaseException] = []
    landing = threading.Thread(target=land_forever, name="bronze-landing", daemon=True)
    landing.start()
    speed_layer = threading.Thread(target=aggregate_forever, name="live-aggregates", daemon=True)
    if live:
        speed_layer.start()
    cycles = 0
    try:
        while not stop.is_set():
            began = time.monotonic()
            extract = _timed("extract", stage_extract)
            if on_stage:
                on_stage(extract)
            ends = kafka_end_offsets(kafka, landing_settings.topic_pattern)
            wait = _timed(
                "land (streaming)",
                lambda ends=ends: _wait_landed(landed, ends, catch_up_timeout_s, stop),
            )
            if stop.is_set():
                break
            if on_stage:
                on_stage(wait)
            for name, action in (("transform", stage_transform), ("sync-serving", stage_sync)):
                result = _timed(name, action)
                if on_stage:
                    on_stage(result)
            cycles += 1
            stop.wait(max(0.0, interval_s - (time.monotonic() - began)))
    finally:
        stop.set()
        landing.join(timeout=120)
        if live:
            speed_layer.join(timeout=120)
    if landing_error:
        raise PipelineError("land", str(landing_error[0]))
    if live_error:
        raise PipelineError("live", str(live_error[0]))
    return cycles


def _wait_landed(
    landed: LandedOffsets, ends: dict[str, int], timeout_s: float, stop: threading.Event
) -> tuple[str, dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while not landed.wait_for(ends, timeout_s=1.0):
        if stop.is_set():
            return "stopped", {}
        if time.monotonic() > deadline:
            raise PipelineError("land", f"Bronze did not catch up with Kafka within {timeout_s:.0f}s")
    return f"Bronze caught up with Kafka ({len(ends)} partitions)", {"partitions": len(ends)}
