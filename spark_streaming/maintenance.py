"""Table maintenance for Bronze: every streaming micro-batch is an Iceberg commit, so small files and
snapshots pile up (Iceberg's docs advise triggers of a minute or more for this reason; continuous mode
trades that for latency). Run this on a schedule: compact data files, rewrite manifests, expire old
snapshots.

Expiry keeps the newest `retain_last` snapshots of each table, and never the newest landed batch's
or any later one, whatever `older_than` and `retain_last` say: the exactly-once check looks for the
replayed batch's key among the snapshots, and only the latest batch can ever be replayed (compaction's
own snapshots come after it).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pyspark.sql import SparkSession

from spark_streaming.commit import BATCH_KEY
from tmdb_pipeline.settings import LandingSettings


@dataclass
class MaintenanceReport:
    tables: dict[str, dict[str, int]] = field(default_factory=dict)


def maintain(
    spark: SparkSession,
    settings: LandingSettings,
    older_than: timedelta = timedelta(days=1),
    retain_last: int = 20,
) -> MaintenanceReport:
    report = MaintenanceReport()
    cutoff = datetime.now(UTC).replace(tzinfo=None) - older_than  # the session's time zone is UTC
    for row in spark.sql(f"show tables in {settings.namespace}").collect():
        if row.isTemporary:
            continue
        table = f"{settings.namespace}.{row.tableName}"
        rewritten = spark.sql(f"call system.rewrite_data_files(table => '{table}')").collect()[0]
        manifests = spark.sql(f"call system.rewrite_manifests(table => '{table}')").collect()[0]
        expired = spark.sql(
            f"call system.expire_snapshots(table => '{table}', "
            f"older_than => timestamp '{expiry_cutoff(spark, table, cutoff):%Y-%m-%d %H:%M:%S.%f}', "
            f"retain_last => {retain_last})"
        ).collect()[0]
        report.tables[table] = {
            "data_files_rewritten": int(rewritten["rewritten_data_files_count"]),
            "data_files_added": int(rewritten["added_data_files_count"]),
            "manifests_rewritten": int(manifests["rewritten_manifests_count"]),
            "data_files_deleted": int(expired["deleted_data_files_count"]),
        }
    return report


def expiry_cutoff(spark: SparkSession, table: str, cutoff: datetime) -> datetime:
    """`cutoff`, or the newest landed batch's commit time when that is earlier: expiry removes only
    snapshots older than it, so the batch's key stays for a replay to find. Both in UTC, naive."""
    newest_ms = (
        spark.sql(
            f"select unix_millis(max(committed_at)) as newest_ms from {table}.snapshots "
            f"where summary['{BATCH_KEY}'] is not null"
        )
        .collect()[0]
        .newest_ms
    )
    if newest_ms is None:
        return cutoff
    return min(cutoff, datetime.fromtimestamp(newest_ms / 1000, UTC).replace(tzinfo=None))
