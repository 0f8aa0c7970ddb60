"""The landing query: Kafka topics -> parse the envelope -> one Bronze table per stream + quarantine.

`--once` uses trigger availableNow (everything present, then stop); `--continuous` a processing-time
trigger until SIGTERM/SIGINT, which lets the batch in flight finish before stopping.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime

from confluent_kafka.admin import AdminClient
from pyspark.errors import StreamingQueryException
from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F
from pyspark.sql.streaming import DataStreamWriter

from spark_streaming import commit, tables
from spark_streaming.envelope import parse_envelope, quarantine_reason, table_name_for
from spark_streaming.metrics import BatchMetrics, MetricsSink
from tmdb_pipeline.settings import IcebergSettings, KafkaSettings, LandingSettings, StackSettings, load
from tmdb_pipeline.stack.migrate import refuse_empty_catalog_beside_local_data

log = logging.getLogger("spark_streaming")
MAX_REPLAY_RESTARTS = 2


def kafka_columns() -> list[Column | str]:
    """Where each row came from: its exact Kafka coordinates."""
    return [
        "kafka_key",
        F.col("topic").alias("kafka_topic"),
        F.col("partition").alias("kafka_partition"),
        F.col("offset").alias("kafka_offset"),
        F.col("timestamp").alias("kafka_timestamp"),
    ]


@dataclass
class LandingRun:
    batches: list[BatchMetrics] = field(default_factory=list)
    started: float = field(default_factory=time.monotonic)

    def totals(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for batch in self.batches:
            for table, rows in batch.rows_per_table.items():
                out[table] = out.get(table, 0) + rows
        return out

    @property
    def quarantined(self) -> int:
        return sum(b.quarantined for b in self.batches)


class BronzeWriter:
    """The foreachBatch function: routes each micro-batch to its tables, idempotently."""

    def __init__(
        self,
        spark: SparkSession,
        settings: LandingSettings,
        checkpoint: str,
        sink: MetricsSink,
        on_batch: Callable[[BatchMetrics], None] | None = None,
    ) -> None:
        self.spark = spark
        self.settings = settings
        self.checkpoint = checkpoint
        self.sink = sink
        self.on_batch = on_batch
        self.known_tables: set[str] = set()
        self.first_batch = True
        self.commits = 0
        self.commits_lock = threading.Lock()
        self.quarantine = tables.ensure_quarantine_table(spark, settings)

    def _write(self, frame: DataFrame, table: str, batch_id: int, metrics: BatchMetrics) -> bool:
        if self.first_batch and commit.already_committed(self.spark, table, self.checkpoint, batch_id):
            metrics.skipped_tables.append(table)
            return False
        commit.append(frame, table, self.checkpoint, batch_id)
        with self.commits_lock:
            self.commits += 1
            if self.commits == self.settings.fault_kill_after_commits:
                os.kill(os.getpid(), signal.SIGKILL)  # crash test: die between two tables of one batch
        return True

    @staticmethod
    def _good_rows(parsed: DataFrame, target: str) -> DataFrame:
        """A table's rows of the batch, in its Bronze columns."""
        return parsed.where(F.col("error").isNull() & (F.col("target") == target)).select(
            "value",
            "envelope._airbyte_ab_id",
            "envelope._airbyte_stream",
            F.timestamp_millis("envelope._airbyte_emitted_at").alias("_airbyte_emitted_at"),
            "envelope._airbyte_data",
            *kafka_columns(),
            "landing_batch_id",
            "ingested_at",
        )

    def __call__(self, batch: DataFrame, batch_id: int) -> None:
        began = time.monotonic()
        metrics = BatchMetrics(batch_id)
        # cached once: reading Kafka is most of a batch's cost (the raw bytes are not cached; only a
        # quarantined record needs them, and those are read again from the batch below)
        parsed = (
            batch.withColumn("value", F.col("value").cast("string"))
            .withColumn("envelope", parse_envelope(F.col("value")))
            .withColumn("error", quarantine_reason(F.col("value"), F.col("envelope")))
            .withColumn("target", table_name_for(F.col("envelope._airbyte_stream")))
            .withColumn("kafka_key", F.col("key").cast("string"))
            .withColumn("landing_batch_id", F.lit(batch_id).cast("bigint"))
            .withColumn("ingested_at", F.current_timestamp())
            .drop("key", "timestampType")
        ).persist()
        try:
            # one pass: rows per table, quarantined rows, and the last offset per topic partition
            summary = (
                parsed.groupBy("target", "error", "topic", "partition")
                .agg(F.count("*").alias("rows"), F.max("offset").alias("max_offset"))
                .collect()
            )
            per_target: dict[str, int] = {}
            for row in summary:
                if row.error is None:
                    per_target[row.target] = per_target.get(row.target, 0) + row.rows
                key = f"{row.topic}/{row.partition}"
                metrics.max_offsets[key] = max(metrics.max_offsets.get(key, -1), row.max_offset)
            quarantined = sum(row.rows for row in summary if row.error is not None)
            # the tables are written concurrently: each commit waits mostly on the catalog and file
            # system, not on the cores (each commit stays its own, keyed by checkpoint and batch id)
            writes = [(self._stream_table(target), rows, self._good_rows(parsed, target))
                      for target, rows in sorted(per_target.items())]  # fmt: skip
            with ThreadPoolExecutor(max_workers=max(1, len(writes))) as pool:
                landed = pool.map(lambda w: self._write(w[2], w[0], batch_id, metrics), writes)
                for (table, rows, _), wrote in zip(writes, list(landed), strict=True):
                    if wrote:
                        metrics.rows_per_table[table] = rows
            if quarantined:
                coordinates = ["topic", "partition", "offset"]
                raw = batch.select(*coordinates, F.col("value").alias("value_bytes"))
                frame = (
                    parsed.where(F.col("error").isNotNull())
                    .join(raw, coordinates)
                    .select(
                        "value", "value_bytes", *kafka_columns(), "error", "landing_batch_id", "ingested_at"
                    )
                )
                if self._write(frame, self.quarantine, batch_id, metrics):
                    metrics.quarantined = quarantined
        finally:
            parsed.unpersist()
        self.first_batch = False
        metrics.duration_s = time.monotonic() - began
        metrics.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        self.sink.record(metrics)
        if self.on_batch:
            self.on_batch(metrics)

    def _stream_table(self, target: str) -> str:
        table = f"{self.settings.namespace}.{target}"
        if table not in self.known_tables:
            tables.ensure_stream_table(self.spark, self.settings, target)
            self.known_tables.add(table)
        return table


def kafka_stream(spark: SparkSession, kafka: KafkaSettings, settings: LandingSettings) -> DataFrame:
    reader = (
        spark.readStream.format("kafka")
        .options(**kafka.spark_source_options())
        .option("subscribePattern", settings.topic_pattern)
        .option("startingOffsets", settings.starting_offsets)
        .option("failOnDataLoss", "true")  # a gap in offsets must stop the job, loudly
        .option("includeHeaders", "false")
    )
    if settings.max_offsets_per_trigger:
        reader = reader.option("maxOffsetsPerTrigger", str(settings.max_offsets_per_trigger))
    return reader.load()


def run_landing(
    spark: SparkSession,
    continuous: bool,
    settings: LandingSettings | None = None,
    on_batch: Callable[[BatchMetrics], None] | None = None,
    stop_event: threading.Event | None = None,
) -> LandingRun:
    """Run the landing query; returns the metrics of every batch this run committed."""
    settings = settings or load(LandingSettings)
    kafka = load(KafkaSettings)
    stack, iceberg = load(StackSettings), load(IcebergSettings)
    checkpoint = settings.checkpoint(iceberg, stack)
    run = LandingRun()

    def collect(metrics: BatchMetrics) -> None:
        run.batches.append(metrics)
        if on_batch:
            on_batch(metrics)

    refuse_empty_catalog_beside_local_data(stack, iceberg, settings.namespace)
    tables.create_namespace(spark, settings)
    known = create_tables_for_topics(spark, kafka, settings)
    sink = MetricsSink(settings.metrics_path(stack))
    for attempt in range(1, MAX_REPLAY_RESTARTS + 2):
        writer = BronzeWriter(spark, settings, checkpoint, sink, collect)
        writer.known_tables |= known
        stream = kafka_stream(spark, kafka, settings).writeStream.foreachBatch(writer)
        stream = stream.option("checkpointLocation", checkpoint).queryName("bronze_landing")
        try:
            if continuous:
                _run_until_stopped(stream, settings, stop_event or threading.Event())
            else:
                stream.trigger(availableNow=True).start().awaitTermination()
            return run
        except StreamingQueryException as exc:
            if not is_replay_metrics_bug(exc) or attempt > MAX_REPLAY_RESTARTS:
                raise
            # the replayed batch has been committed (commit log written) before the failure: restart
            log.warning("Spark 4.1 Kafka metrics bug after replaying a batch; restarting the query")
    return run


def create_tables_for_topics(
    spark: SparkSession, kafka: KafkaSettings, settings: LandingSettings
) -> set[str]:
    """The DDL step: a Bronze table for every topic already there, so downstream models find a
    (possibly empty) table even for a stream that has produced nothing yet."""
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers, "log_level": 3})
    created = set()
    for topic in admin.list_topics(timeout=10).topics:
        if not re.fullmatch(settings.topic_pattern, topic):
            continue
        stream = topic.removeprefix(kafka.topic_prefix)
        table = re.sub(r"[^a-z0-9_]", "_", stream.lower())
        created.add(tables.ensure_stream_table(spark, settings, table))
    return created


def is_replay_metrics_bug(exc: Exception) -> bool:
    """Spark 4.1.1's KafkaMicroBatchStream.metrics dereferences the latest offsets, which are unset
    when a restarted query replays its last uncommitted batch: the batch succeeds and is committed,
    then progress reporting throws a NullPointerException."""
    text = f"{exc} {getattr(exc, '_stackTrace', '')}"  # the JVM trace, causes included
    cause = getattr(exc, "_cause", None)  # StreamingQuery.exception() keeps the NPE's trace here
    if cause is not None:
        text += f" {cause} {getattr(cause, '_stackTrace', '')}"
    null = "NullPointerException" in text or 'scala.Option.get()" is null' in text
    return null and "KafkaMicroBatchStream" in text


def _run_until_stopped(stream: DataStreamWriter, settings: LandingSettings, stop: threading.Event) -> None:
    query = stream.trigger(processingTime=f"{settings.trigger_interval_s} seconds").start()
    previous = {}
    if threading.current_thread() is threading.main_thread():  # signals can only be set there
        previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        while query.isActive:
            if stop.is_set() and not query.status["isTriggerActive"]:
                query.stop()  # between batches: the one in flight has committed
                return
            query.awaitTermination(0.5)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    query.awaitTermination()  # raises the query's exception, if it died
