"""`stack up | down | status`: the local services as one unit.

Ports are checked for every service before any is started, and a failed `up` stops what it
started, so a clash never leaves the stack half-up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from tmdb_pipeline.emulator.settings import EmulatorSettings
from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.settings import (
    IcebergSettings,
    KafkaSettings,
    LiveSettings,
    MongoSettings,
    S3Settings,
    SparkSettings,
    StackSettings,
    TmdbSettings,
    load,
)
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.api import ApiAddress, ApiService
from tmdb_pipeline.stack.emulator import EmulatorService
from tmdb_pipeline.stack.iceberg_rest import IcebergRestService
from tmdb_pipeline.stack.kafka import KafkaService
from tmdb_pipeline.stack.live import LiveService
from tmdb_pipeline.stack.mongo import MongoService
from tmdb_pipeline.stack.process import LocalService, ServiceStatus, StackError
from tmdb_pipeline.stack.s3 import SeaweedFsService
from tmdb_pipeline.stack.spark import spark_jars
from tmdb_pipeline.stack.sql_endpoint import SqlEndpointService


@dataclass
class UpReport:
    started: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)


class LocalStack:
    """Kafka, the MongoDB-protocol server, (without a TMDB key) the TMDB emulator and (for a REST
    catalog with no address) the S3 store and the REST catalog server, as processes; Spark runs in
    the caller's process."""

    def __init__(
        self,
        stack: StackSettings,
        kafka: KafkaSettings,
        mongo: MongoSettings,
        spark: SparkSettings,
        emulator: EmulatorSettings | None = None,
        iceberg: IcebergSettings | None = None,
        s3: S3Settings | None = None,
        metrics: MetricsSettings | None = None,
        *,
        api: ApiAddress,
    ) -> None:
        self.settings = stack
        self.api = api
        self.spark = spark
        self.kafka = KafkaService(stack, kafka)
        self.mongo = MongoService(stack, mongo)
        self.services: list[LocalService] = [self.kafka, self.mongo]
        iceberg, s3 = iceberg or IcebergSettings(), s3 or S3Settings()
        # the object store before the catalog server, which writes table metadata into it
        if iceberg.on_object_storage and s3.uses_local_server:
            self.services.append(SeaweedFsService(stack, s3, iceberg))
        if iceberg.uses_local_rest_server:
            self.services.append(IcebergRestService(stack, iceberg, s3))
        self.emulator = EmulatorService(stack, emulator) if emulator else None
        if self.emulator:
            self.services.append(self.emulator)
        if metrics and metrics.stack:  # Prometheus, the Pushgateway, the lag exporter: opt-in
            from tmdb_pipeline.stack.monitoring import monitoring_services

            self.services += monitoring_services(stack, metrics, api.port)
        endpoint = load(SqlEndpointSettings)
        if endpoint.enabled:  # last: its session needs the catalog services above
            self.services.append(SqlEndpointService(stack, endpoint, spark))
        live = load(LiveSettings)
        if live.stack:  # the speed layer (`live --continuous`): opt-in, needs Kafka and MongoDB only
            self.services.append(LiveService(stack, live, mongo, spark))

    @classmethod
    def from_env(cls, api: ApiAddress) -> LocalStack:
        """The stack the environment describes; `api` comes from whoever knows serving's settings."""
        emulator = None if load(TmdbSettings).has_credentials else load(EmulatorSettings)
        return cls(
            load(StackSettings),
            load(KafkaSettings),
            load(MongoSettings),
            load(SparkSettings),
            emulator,
            load(IcebergSettings),
            load(S3Settings),
            load(MetricsSettings),
            api=api,
        )

    def install(self) -> None:
        """Fetch everything the stack runs (jars, binaries) without starting anything, including the
        S3 store and the REST catalog server, so switching ICEBERG_CATALOG_TYPE needs no download."""
        lakehouse = IcebergSettings(catalog_type="rest", warehouse="s3://warehouse/")
        optional = [SeaweedFsService(self.settings, S3Settings(), lakehouse)]
        optional.append(IcebergRestService(self.settings, lakehouse, S3Settings()))
        for service in self.services + optional:
            service.install()
        spark_jars(self.settings, self.spark)

    def up(self) -> UpReport:
        clashes = [(s.name, port) for s in self.services for port in s.busy_ports()]
        if clashes:
            described = ", ".join(f"{self.settings.host}:{port} (needed by {name})" for name, port in clashes)
            raise StackError(
                f"Port already in use by another program: {described}. Stop that program or choose "
                "other ports (KAFKA_PORT, KAFKA_CONTROLLER_PORT, MONGO_PORT, EMULATOR_PORT, S3_PORT, "
                "S3_MASTER_PORT, S3_VOLUME_PORT, S3_FILER_PORT, ICEBERG_REST_PORT, SQL_ENDPOINT_PORT); nothing "
                "was started."
            )
        self.install()
        report = UpReport()
        started: list[LocalService] = []
        try:
            for service in self.services:
                began = time.monotonic()
                if service.pid() is not None and service.healthy():
                    service.start()  # a no-op for most; the S3 store still makes sure of its bucket
                    report.reused.append(service.name)
                else:
                    service.start()
                    started.append(service)
                    report.started.append(service.name)
                report.seconds[service.name] = time.monotonic() - began
        except BaseException:
            for service in started:
                service.stop()
            raise
        return report

    def api_service(self) -> ApiService:
        """The serving API (not started by `up`: the demo starts it once Gold is synced)."""
        return ApiService(self.settings, self.api.host, self.api.port)

    def down(self) -> list[str]:
        stopped = ["api"] if self.api_service().stop() else []
        return stopped + [service.name for service in reversed(self.services) if service.stop()]

    def status(self) -> list[ServiceStatus]:
        return [service.status() for service in self.services]
