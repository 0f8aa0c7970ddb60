"""A whole pipeline pass on the emulator, built once for the module's tests.

The pass runs through the same functions as `tmdb-pipeline run`, on the test stack (its own Kafka,
FerretDB, emulator and Iceberg catalog). Everything from a previous test session is wiped first:
topics, lakehouse tables, the source's saved state, the landing checkpoint and the Mongo database.
"""

from __future__ import annotations

import re
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from confluent_kafka.admin import AdminClient
from pymongo import MongoClient

from tmdb_pipeline.emulator.settings import EmulatorSettings
from tmdb_pipeline.settings import (
    ExtractSettings,
    IcebergSettings,
    KafkaSettings,
    LandingSettings,
    MongoSettings,
    SparkSettings,
    StackSettings,
    load,
)
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.catalog import get_catalog
from tmdb_pipeline.stack.sql_endpoint import SqlEndpointService


@dataclass
class BuiltPipeline:
    first_pass: list = field(default_factory=list)

    @property
    def emulator_admin(self) -> str:
        emulator = load(EmulatorSettings)
        return f"http://{emulator.host}:{emulator.port}/__admin"

    def mutate(self, count: int) -> dict[str, list[int]]:
        answer = httpx.post(f"{self.emulator_admin}/mutate", params={"count": count}, timeout=30)
        answer.raise_for_status()
        return answer.json()


def wipe_pipeline_data() -> None:
    kafka, landing = load(KafkaSettings), load(LandingSettings)
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    topics = [t for t in admin.list_topics(timeout=10).topics if re.fullmatch(landing.topic_pattern, t)]
    if topics:
        for future in admin.delete_topics(topics).values():
            future.result(timeout=30)
        deadline = time.monotonic() + 60  # deletion completes asynchronously
        while set(topics) & set(admin.list_topics(timeout=10).topics):
            assert time.monotonic() < deadline, "Kafka did not delete the test topics"
            time.sleep(0.5)
    catalog = get_catalog()
    for namespace in ("bronze", "silver", "gold"):
        if (namespace,) in catalog.list_namespaces():
            for table in catalog.list_tables(namespace):
                catalog.purge_table(table)
    stack, iceberg = load(StackSettings), load(IcebergSettings)
    Path(load(ExtractSettings).state_path(stack)).unlink(missing_ok=True)
    checkpoint = landing.checkpoint(iceberg, stack).removeprefix("file://")
    shutil.rmtree(checkpoint, ignore_errors=True)
    landing.metrics_path(stack).unlink(missing_ok=True)
    mongo = load(MongoSettings)
    MongoClient(mongo.uri.get_secret_value()).drop_database(mongo.database)


@pytest.fixture(scope="session")
def built_pipeline(local_stack, spark) -> BuiltPipeline:
    from tmdb_pipeline.orchestrate.pipeline import run_pass

    wipe_pipeline_data()
    return BuiltPipeline(first_pass=run_pass())


@pytest.fixture(scope="session")
def sql_endpoint(built_pipeline) -> Iterator[SqlEndpointSettings]:
    """The endpoint as `tmdb-pipeline sql-server up` runs it: its own JVM on the test stack's catalog,
    shared by the plain-dbt, PyHive and Superset tests."""
    settings = load(SqlEndpointSettings)
    service = SqlEndpointService(load(StackSettings), settings, load(SparkSettings))
    started = service.pid() is None
    service.start()
    yield settings
    if started:
        service.stop()
