"""Idempotent Iceberg commits keyed by (checkpoint, batch id).

foreachBatch is at-least-once: after a crash Spark replays the last planned batch with the same id
and the same offsets. Each append records the checkpoint and batch id in its snapshot summary, and
a replayed batch skips every table that already holds a snapshot with that key. Only the first
batch after a (re)start can be a replay, so only it pays for the lookup.
"""

from __future__ import annotations

from pyspark.sql import DataFrame, SparkSession

CHECKPOINT_KEY = "tmdb.landing.checkpoint"
BATCH_KEY = "tmdb.landing.batch-id"


def already_committed(spark: SparkSession, table: str, checkpoint: str, batch_id: int) -> bool:
    found = spark.sql(
        f"select 1 from {table}.snapshots "
        f"where summary['{CHECKPOINT_KEY}'] = :checkpoint and summary['{BATCH_KEY}'] = :batch limit 1",
        args={"checkpoint": checkpoint, "batch": str(batch_id)},
    ).collect()
    return bool(found)


def append(frame: DataFrame, table: str, checkpoint: str, batch_id: int) -> None:
    (
        frame.writeTo(table)
        .option(f"snapshot-property.{CHECKPOINT_KEY}", checkpoint)
        .option(f"snapshot-property.{BATCH_KEY}", str(batch_id))
        .option("fanout-enabled", "true")  # rows arrive unsorted by partition; skip the sort
        .append()
    )
