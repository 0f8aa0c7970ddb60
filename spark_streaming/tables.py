"""DDL for the Bronze tables: one per stream plus the quarantine, Iceberg v2, partitioned by day."""

from __future__ import annotations

from pyspark.sql import SparkSession

from tmdb_pipeline.settings import LandingSettings

STREAM_COLUMNS = """
    value string comment 'the Kafka message value, as received',
    _airbyte_ab_id string comment 'record id written by the producer',
    _airbyte_stream string comment 'Airbyte stream name',
    _airbyte_emitted_at timestamp comment 'when the source emitted the record',
    _airbyte_data string comment 'the record itself, raw JSON',
    kafka_key string comment 'message key: the record primary key',
    kafka_topic string,
    kafka_partition int,
    kafka_offset bigint,
    kafka_timestamp timestamp,
    landing_batch_id bigint comment 'micro-batch that landed the row',
    ingested_at timestamp comment 'when the landing job wrote the row'
"""

QUARANTINE_COLUMNS = """
    value string comment 'the Kafka message value as text (invalid UTF-8 replaced)',
    value_bytes binary comment 'the exact bytes received',
    kafka_key string,
    kafka_topic string,
    kafka_partition int,
    kafka_offset bigint,
    kafka_timestamp timestamp,
    error string comment 'why the message was set aside',
    landing_batch_id bigint,
    ingested_at timestamp
"""


def _properties(settings: LandingSettings) -> str:
    props = {
        "format-version": "2",
        "write.target-file-size-bytes": str(settings.target_file_size_mb * 1024 * 1024),
        "write.parquet.compression-codec": "zstd",
        # many small streaming commits: keep metadata tidy between maintenance runs
        "write.metadata.delete-after-commit.enabled": "true",
        "write.metadata.previous-versions-max": "50",
    }
    return ", ".join(f"'{key}' = '{value}'" for key, value in props.items())


def create_namespace(spark: SparkSession, settings: LandingSettings) -> None:
    spark.sql(f"create namespace if not exists {settings.namespace}")


def ensure_stream_table(spark: SparkSession, settings: LandingSettings, table: str) -> str:
    name = f"{settings.namespace}.{table}"
    spark.sql(
        f"create table if not exists {name} ({STREAM_COLUMNS}) using iceberg "
        f"partitioned by (days(ingested_at)) tblproperties ({_properties(settings)})"
    )
    return name


def ensure_quarantine_table(spark: SparkSession, settings: LandingSettings) -> str:
    name = f"{settings.namespace}.{settings.quarantine_table}"
    spark.sql(
        f"create table if not exists {name} ({QUARANTINE_COLUMNS}) using iceberg "
        f"partitioned by (days(ingested_at)) tblproperties ({_properties(settings)})"
    )
    return name
