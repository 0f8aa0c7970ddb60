"""Table maintenance for Bronze: every streaming micro-batch is an Iceberg commit, so small files and
snapshots pile up (Iceberg's docs advise triggers of a minute or more for this reason; continuous mode
trades that for latency). Run this on a schedule: compact data files, rewrite manifests, expire old
snapshots.

Expiry keeps the newest `retain_last` snapshots of each table: the exactly-once check looks for the
replayed batch's key among them, and only the latest batch can ever be replayed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pyspark.sql import SparkSession

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
    cutoff = (datetime.now(UTC) - older_than).strftime("%Y-%m-%d %H:%M:%S")
    for row in spark.sql(f"show tables in {settings.namespace}").collect():
        table = f"{settings.namespace}.{row.tableName}"
        rewritten = spark.sql(f"call system.rewrite_data_files(table => '{table}')").collect()[0]
        manifests = spark.sql(f"call system.rewrite_manifests(table => '{table}')").collect()[0]
        expired = spark.sql(
            f"call system.expire_snapshots(table => '{table}', "
            f"older_than => timestamp '{cutoff}', retain_last => {retain_last})"
        ).collect()[0]
        report.tables[table] = {
            "data_files_rewritten": int(rewritten["rewritten_data_files_count"]),
            "data_files_added": int(rewritten["added_data_files_count"]),
            "manifests_rewritten": int(manifests["rewritten_manifests_count"]),
            "data_files_deleted": int(expired["deleted_data_files_count"]),
        }
    return report
