"""Snapshot expiry for Silver and Gold.

Every dbt build commits a snapshot to each table it builds (a table model writes the whole table
again, a merge rewrites the files it touches), and Iceberg keeps each snapshot's files until the
snapshot is expired: without expiry the lakehouse's storage grows with every pass, even when the data
does not.

Expiry only: compaction and manifest rewrites commit a new snapshot, and a Silver or Gold table that
moved outside a pass makes the next pass build everything (transform.pass_build). Expiry leaves each
table's current snapshot, which is all a pass, the sync and the SQL endpoint read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tmdb_pipeline.transform.pass_build import BUILT_LAYERS

if TYPE_CHECKING:
    from pyspark.sql import SparkSession


@dataclass(frozen=True)
class Expiry:
    table: str
    snapshots_before: int
    snapshots_after: int
    data_files_deleted: int  # data and delete files no snapshot left references
    metadata_files_deleted: int  # manifests and manifest lists


def expire_snapshots(
    spark: SparkSession,
    older_than: timedelta,
    retain_last: int,
    namespaces: tuple[str, ...] = BUILT_LAYERS,
) -> list[Expiry]:
    """Expire each table's snapshots older than `older_than`, keeping at least the newest `retain_last`."""
    if retain_last < 1:
        raise ValueError(f"retain_last must be at least 1 (the current snapshot), not {retain_last}")
    if older_than < timedelta(0):
        raise ValueError(f"older_than must not be negative, not {older_than}")
    # the session's time zone is UTC (stack.spark)
    cutoff = (datetime.now(UTC) - older_than).strftime("%Y-%m-%d %H:%M:%S.%f")
    expiries = []
    for namespace in namespaces:
        if not spark.catalog.databaseExists(namespace):
            continue
        for row in spark.sql(f"show tables in {namespace}").collect():
            if row.isTemporary:  # a session's temporary views are listed beside the tables
                continue
            table = f"{namespace}.{row.tableName}"
            before = snapshot_count(spark, table)
            result = spark.sql(
                f"call system.expire_snapshots(table => '{table}', "
                f"older_than => timestamp '{cutoff}', retain_last => {retain_last})"
            ).collect()[0]
            expiries.append(
                Expiry(
                    table=table,
                    snapshots_before=before,
                    snapshots_after=snapshot_count(spark, table),
                    data_files_deleted=int(result["deleted_data_files_count"])
                    + int(result["deleted_position_delete_files_count"])
                    + int(result["deleted_equality_delete_files_count"]),
                    metadata_files_deleted=int(result["deleted_manifest_files_count"])
                    + int(result["deleted_manifest_lists_count"]),
                )
            )
    return expiries


def snapshot_count(spark: SparkSession, table: str) -> int:
    return int(spark.sql(f"select count(*) as snapshots from {table}.snapshots").collect()[0].snapshots)
