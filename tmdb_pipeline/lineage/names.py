"""Names and URNs of every dataset and job in the pipeline.

Each URN is built the way DataHub's own source for that platform builds it, so the lineage the
emitter writes lands on the very entities the recipes ingest:
- Kafka topics: platform `kafka`, name = topic (kafka source, no platform instance).
- Iceberg tables: platform `iceberg`, platform instance = the catalog name, name =
  `<instance>.<namespace>.<table>` (iceberg source with `platform_instance`, dbt with
  `target_platform_instance`).
- MongoDB collections: platform `mongodb`, name `<database>.<collection>` (mongodb source).
- API endpoints: platform `openapi`, name `<api name>.<path segments joined by dots, braces
  dropped>`, exactly what DataHub's openapi source derives from the service's OpenAPI document.
- TMDB: a custom platform `tmdb`, one dataset per connector stream, `v3.<stream>`.
"""

from __future__ import annotations

from dataclasses import dataclass

from datahub.emitter.mce_builder import (
    make_data_flow_urn,
    make_data_job_urn_with_flow,
    make_data_platform_urn,
    make_dataset_urn_with_platform_instance,
)

from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.settings import IcebergSettings, KafkaSettings, LandingSettings, MongoSettings, load

TMDB = "tmdb"
KAFKA = "kafka"
ICEBERG = "iceberg"
MONGODB = "mongodb"
OPENAPI = "openapi"

TMDB_API_VERSION = "v3"
# The `name` an openapi recipe pointed at serving_api's /schema/openapi.json would be given.
SERVING_API_NAME = "tmdb_api"
# dbt writes Silver and Gold to these namespaces (dbt_project.yml, generate_schema_name).
SILVER = "silver"
GOLD = "gold"


@dataclass(frozen=True)
class Job:
    """A DataJob inside its DataFlow; the orchestrator is what runs it."""

    orchestrator: str
    flow_id: str
    job_id: str
    title: str
    description: str


EXTRACT = Job(
    "airbyte",
    "tmdb_extract",
    "source-tmdb",
    "source-tmdb",
    "The Airbyte source connector, run by `tmdb-pipeline extract`: TMDB API records to Kafka in "
    "destination-kafka's envelope, keyed by primary key.",
)
LANDING = Job(
    "spark",
    "bronze_landing",
    "kafka_to_bronze",
    "bronze landing",
    "Spark Structured Streaming (spark_streaming/, `tmdb-pipeline land`): every topic to its Bronze "
    "Iceberg table, exactly once; messages that do not parse go to the quarantine table.",
)
SERVING_SYNC = Job(
    "tmdb-pipeline",
    "serving_sync",
    "gold_to_mongodb",
    "serving sync",
    "serving_api.sync: each Gold table into its MongoDB collection with idempotent bulk upserts.",
)
LIVE_AGGREGATES = Job(
    "spark",
    "live_aggregates",
    "kafka_to_live",
    "speed layer",
    "Spark Structured Streaming (spark_streaming/live.py, `tmdb-pipeline live`): hourly windows of the "
    "reviews and movie_details topics into MongoDB's live_* collections, exactly once.",
)
JOBS = (EXTRACT, LANDING, SERVING_SYNC, LIVE_AGGREGATES)


@dataclass(frozen=True)
class Coordinates:
    """The configurable parts of every name: topic prefix, catalog, namespaces, database, env."""

    env: str = "PROD"
    topic_prefix: str = "tmdb_"
    catalog_name: str = "tmdb"
    bronze_namespace: str = "bronze"
    quarantine_table: str = "quarantine"
    mongo_database: str = "tmdb"

    @classmethod
    def from_settings(
        cls,
        kafka: KafkaSettings,
        iceberg: IcebergSettings,
        landing: LandingSettings,
        mongo: MongoSettings,
        lineage: LineageSettings,
    ) -> Coordinates:
        return cls(
            env=lineage.env,
            topic_prefix=kafka.topic_prefix,
            catalog_name=iceberg.catalog_name,
            bronze_namespace=landing.namespace,
            quarantine_table=landing.quarantine_table,
            mongo_database=mongo.database,
        )

    @classmethod
    def load(cls) -> Coordinates:
        return cls.from_settings(
            load(KafkaSettings),
            load(IcebergSettings),
            load(LandingSettings),
            load(MongoSettings),
            load(LineageSettings),
        )

    def _dataset(self, platform: str, name: str, instance: str | None = None) -> str:
        return make_dataset_urn_with_platform_instance(platform, name, instance, self.env)

    def tmdb(self, stream: str) -> str:
        return self._dataset(TMDB, f"{TMDB_API_VERSION}.{stream}")

    def topic_name(self, stream: str) -> str:
        return f"{self.topic_prefix}{stream}"

    def topic(self, stream: str) -> str:
        return self._dataset(KAFKA, self.topic_name(stream))

    def iceberg(self, namespace: str, table: str) -> str:
        return self._dataset(ICEBERG, f"{namespace}.{table}", self.catalog_name)

    def bronze(self, stream: str) -> str:
        return self.iceberg(self.bronze_namespace, stream)

    def quarantine(self) -> str:
        return self.iceberg(self.bronze_namespace, self.quarantine_table)

    def gold(self, table: str) -> str:
        return self.iceberg(GOLD, table)

    def collection(self, name: str) -> str:
        return self._dataset(MONGODB, f"{self.mongo_database}.{name}")

    def endpoint(self, path: str) -> str:
        return self._dataset(OPENAPI, f"{SERVING_API_NAME}.{endpoint_key(path)}")

    def flow(self, job: Job) -> str:
        return make_data_flow_urn(job.orchestrator, job.flow_id, self.env)

    def job(self, job: Job) -> str:
        return make_data_job_urn_with_flow(self.flow(job), job.job_id)


def endpoint_key(path: str) -> str:
    """`/movies/{movie_id}/reviews` -> `movies.movie_id.reviews`, as DataHub's openapi source does."""
    return path.strip("/").replace("/", ".").replace("{", "").replace("}", "") or "root"


def platform_urn(platform: str) -> str:
    return make_data_platform_urn(platform)
