"""One lineage run against the real test stack, shared by this folder's tests.

The run gets its own topics (unique prefix) on the test Kafka, its own database on the test
FerretDB, its own Iceberg SQL catalog (a SQLite file like the stack's, so `bronze`, `silver` and
`gold` stay free for the names that must line up) and dbt artifacts: those of a real dbt run
when `dbt_project/target` has them all, else a manifest from `dbt parse` on a copy of the project.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pytest
from confluent_kafka.admin import AdminClient, NewTopic
from pyiceberg.catalog.sql import SqlCatalog
from pymongo import MongoClient

from serving_api.sync.contract import GOLD_TABLES
from tmdb_pipeline.lineage.names import Coordinates
from tmdb_pipeline.lineage.recipes import RecipeSettings
from tmdb_pipeline.lineage.run import LineageRun, run_lineage
from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.lineage.streams import StreamSchema, stream_schemas
from tmdb_pipeline.lineage.topology import LIVE_SOURCES
from tmdb_pipeline.settings import (
    PROJECT_ROOT,
    IcebergSettings,
    KafkaSettings,
    LandingSettings,
    MongoSettings,
    StackSettings,
)

DBT_PROJECT = PROJECT_ROOT / "dbt_project"
ARTIFACTS = ("manifest.json", "catalog.json", "run_results.json")
# Bronze's columns as spark_streaming/tables.py creates them (the types the iceberg source reads)
BRONZE = pa.schema(
    [
        ("value", pa.string()),
        ("_airbyte_ab_id", pa.string()),
        ("_airbyte_stream", pa.string()),
        ("_airbyte_emitted_at", pa.timestamp("us", tz="UTC")),
        ("_airbyte_data", pa.string()),
        ("kafka_key", pa.string()),
        ("kafka_topic", pa.string()),
        ("kafka_partition", pa.int32()),
        ("kafka_offset", pa.int64()),
        ("kafka_timestamp", pa.timestamp("us", tz="UTC")),
        ("landing_batch_id", pa.int64()),
        ("ingested_at", pa.timestamp("us", tz="UTC")),
    ]
)
COLLECTIONS = (
    "movies",
    "movie_cards",
    "reviews",
    "people",
    "person_cards",
    "trending",
    "genre_stats",
    "co_stars",
    "collaborations",
    *LIVE_SOURCES,  # the speed layer's, written by `tmdb-pipeline live`
)


@dataclass
class StackLineage:
    run: LineageRun
    settings: RecipeSettings
    coords: Coordinates
    streams: list[StreamSchema]
    dbt_target: Path
    output: Path


def dbt_artifacts(workdir: Path) -> Path:
    """A full dbt run's target folder when there is one, else a fresh `dbt parse` manifest."""
    built = DBT_PROJECT / "target"
    if all((built / name).exists() for name in ARTIFACTS):
        return built
    project = workdir / "dbt_project"
    shutil.copytree(DBT_PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    dbt = Path(sys.executable).parent / "dbt"
    subprocess.run(
        [str(dbt), "parse", "--project-dir", str(project), "--profiles-dir", str(project),
         "--target-path", str(project / "target"), "--log-path", str(workdir / "dbt-logs")],
        check=True,
        capture_output=True,
        env=os.environ | {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false"},
        timeout=180,
    )  # fmt: skip
    return project / "target"


def create_topics(kafka: KafkaSettings, streams: list[StreamSchema]) -> list[str]:
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    topics = [kafka.topic_prefix + s.name for s in streams]
    new = [NewTopic(topic, num_partitions=1, replication_factor=1) for topic in topics]
    for future in admin.create_topics(new).values():
        future.result(timeout=30)
    return topics


def create_tables(iceberg: IcebergSettings, stack: StackSettings, streams: list[StreamSchema]) -> None:
    catalog = SqlCatalog(
        iceberg.catalog_name,
        uri=f"sqlite:///{iceberg.catalog_db_path(stack)}",
        warehouse=iceberg.warehouse_uri(stack),
    )
    for namespace in ("bronze", "silver", "gold"):
        catalog.create_namespace(namespace)
    for table in [s.name for s in streams] + ["quarantine"]:
        catalog.create_table(f"bronze.{table}", BRONZE)
    for table, schema in GOLD_TABLES.items():
        catalog.create_table(f"gold.{table}", schema)


def fill_collections(mongo: MongoSettings) -> None:
    client: MongoClient = MongoClient(mongo.uri.get_secret_value(), serverSelectionTimeoutMS=5000)
    database = client[mongo.database]
    for number, name in enumerate(COLLECTIONS):
        database[name].insert_one({"_id": number, "title": f"{name} sample", "score": 0.5})
    database["_sync_state"].insert_one({"_id": "movies", "snapshot_id": 1})  # denied by the recipe
    client.close()


@pytest.fixture(scope="session")
def stack_lineage(local_stack: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackLineage]:
    workdir = tmp_path_factory.mktemp("lineage")
    tag = uuid.uuid4().hex[:8]
    stack = StackSettings()
    settings = RecipeSettings(
        kafka=KafkaSettings(topic_prefix=f"lineage{tag}_"),
        mongo=MongoSettings(database=f"lineage_{tag}"),
        iceberg=IcebergSettings(
            catalog_db=workdir / "catalog.db", warehouse=(workdir / "warehouse").as_uri()
        ),
        stack=stack,
        landing=LandingSettings(),
        lineage=LineageSettings(
            gms_url="", output_dir=workdir / "out", dbt_target_dir=dbt_artifacts(workdir)
        ),
    )
    streams = stream_schemas()
    topics = create_topics(settings.kafka, streams)
    create_tables(settings.iceberg, stack, streams)
    fill_collections(settings.mongo)
    try:
        run = run_lineage(settings, recipes=True, html=workdir / "out" / "lineage.html", streams=streams)
        coords = Coordinates.from_settings(
            settings.kafka, settings.iceberg, settings.landing, settings.mongo, settings.lineage
        )
        yield StackLineage(run, settings, coords, streams, settings.lineage.dbt_target_dir, workdir / "out")
    finally:
        AdminClient({"bootstrap.servers": settings.kafka.bootstrap_servers}).delete_topics(topics)
        client: MongoClient = MongoClient(
            settings.mongo.uri.get_secret_value(), serverSelectionTimeoutMS=5000
        )
        client.drop_database(settings.mongo.database)
        client.close()
