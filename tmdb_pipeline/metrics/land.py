"""Landing metrics: batches, rows per Bronze table, quarantined rows, batch duration, and the lag.

The lag is Kafka's end offset minus the offset the landing query has committed, per topic and
partition. It is read from Kafka and from the query's checkpoint at scrape time, so whoever serves it
(the landing job, `run --continuous`, the local lag exporter) shows a stopped landing job falling behind.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from tmdb_pipeline.metrics.runs import run_metrics
from tmdb_pipeline.settings import IcebergSettings, KafkaSettings, LandingSettings, StackSettings, load

log = logging.getLogger("tmdb_pipeline.metrics")
REGISTRY = CollectorRegistry(auto_describe=True)
JOB = "tmdb_land"
RUN = run_metrics("landing", REGISTRY)
DURATION_BUCKETS = (0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)

BATCHES = Counter("tmdb_landing_batches", "Micro-batches committed to Bronze", registry=REGISTRY)
ROWS = Counter("tmdb_landing_rows", "Rows appended to Bronze, by table", ["table"], registry=REGISTRY)
QUARANTINED = Counter("tmdb_landing_quarantined_rows", "Rows sent to the quarantine table", registry=REGISTRY)
REPLAYED = Counter(
    "tmdb_landing_replayed_tables",
    "Table writes skipped because a replayed batch had already committed them",
    registry=REGISTRY,
)
BATCH_SECONDS = Histogram(
    "tmdb_landing_batch_duration_seconds",
    "Time to land one micro-batch",
    buckets=DURATION_BUCKETS,
    registry=REGISTRY,
)
LAST_BATCH = Gauge(
    "tmdb_landing_last_batch_timestamp_seconds", "When the last micro-batch was committed", registry=REGISTRY
)


def record_batch(rows_per_table: dict[str, int], quarantined: int, skipped: int, seconds: float) -> None:
    BATCHES.inc()
    for table, rows in rows_per_table.items():
        ROWS.labels(table).inc(rows)
    QUARANTINED.inc(quarantined)
    REPLAYED.inc(skipped)
    BATCH_SECONDS.observe(seconds)
    LAST_BATCH.set(time.time())


def checkpoint_offsets(checkpoint: str) -> dict[tuple[str, int], int]:
    """The next offset to land per (topic, partition), from the last committed batch's offset log.

    Spark writes `offsets/<n>` before batch n runs and `commits/<n>` once it has committed; the Kafka
    source's line in `offsets/<n>` is {"topic": {"partition": next offset}}.
    """
    root = Path(unquote(urlsplit(checkpoint).path)) if checkpoint.startswith("file:") else Path(checkpoint)
    commits = [int(p.name) for p in (root / "commits").glob("*") if p.name.isdigit()]
    if not commits:
        return {}
    lines = (root / "offsets" / str(max(commits))).read_text().splitlines()
    offsets: dict[tuple[str, int], int] = {}
    for line in lines[2:]:  # "v1", the batch's metadata, then one line per source
        for topic, partitions in json.loads(line).items():
            if isinstance(partitions, dict):
                for partition, offset in partitions.items():
                    offsets[(topic, int(partition))] = int(offset)
    return offsets


def kafka_offsets(kafka: KafkaSettings, topic_pattern: str) -> dict[tuple[str, int], tuple[int, int]]:
    """(low, high) watermarks of every partition of the landed topics."""
    from confluent_kafka import Consumer, TopicPartition

    consumer = Consumer(
        {"bootstrap.servers": kafka.bootstrap_servers, "group.id": "tmdb-lag-probe", "log_level": 3}
    )
    try:
        found = {}
        for topic, meta in consumer.list_topics(timeout=5).topics.items():
            if re.fullmatch(topic_pattern, topic):
                for partition in meta.partitions:
                    found[(topic, partition)] = consumer.get_watermark_offsets(
                        TopicPartition(topic, partition), timeout=5
                    )
        return found
    finally:
        consumer.close()


def landing_lag(
    kafka: KafkaSettings, landing: LandingSettings, checkpoint: str
) -> dict[tuple[str, int], int]:
    landed = checkpoint_offsets(checkpoint)
    # a partition the query has not read yet lags by everything Kafka still holds of it
    return {
        key: max(high - landed.get(key, low), 0)
        for key, (low, high) in kafka_offsets(kafka, landing.topic_pattern).items()
    }


class LagCollector(Collector):
    """tmdb_landing_lag_records{topic,partition}, computed on every scrape."""

    def __init__(self) -> None:
        self.kafka, self.landing = load(KafkaSettings), load(LandingSettings)
        self.checkpoint = self.landing.checkpoint(load(IcebergSettings), load(StackSettings))

    def collect(self) -> Iterator[Metric]:
        lag = GaugeMetricFamily(
            "tmdb_landing_lag_records",
            "Records in Kafka not yet landed in Bronze (end offset minus committed offset)",
            labels=["topic", "partition"],
        )
        up = GaugeMetricFamily("tmdb_landing_lag_up", "1 when Kafka and the checkpoint could be read")
        try:
            for (topic, partition), records in sorted(
                landing_lag(self.kafka, self.landing, self.checkpoint).items()
            ):
                lag.add_metric([topic, str(partition)], records)
            up.add_metric([], 1)
        except Exception as exc:  # Kafka down: the scrape still answers, and says so
            log.warning("landing lag unavailable: %s", exc)
            up.add_metric([], 0)
        yield lag
        yield up

    def describe(self) -> Iterator[Metric]:
        """The families without reading Kafka (lets the registry list names offline)."""
        yield GaugeMetricFamily("tmdb_landing_lag_records", "", labels=["topic", "partition"])
        yield GaugeMetricFamily("tmdb_landing_lag_up", "")


_lag: CollectorRegistry | None = None


def lag_registry() -> CollectorRegistry:
    """The lag collector, registered once per process (it reads settings, so not at import)."""
    global _lag
    if _lag is None:
        _lag = CollectorRegistry(auto_describe=False)
        _lag.register(LagCollector())
    return _lag
