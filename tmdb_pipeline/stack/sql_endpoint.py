"""The Spark SQL endpoint as a managed local process (`tmdb-pipeline sql-server up`, or `stack up`
with SQL_ENDPOINT_ENABLED=true): one JVM with the pipeline's session and the Thrift server."""

from __future__ import annotations

import sys

from tmdb_pipeline.settings import SparkSettings, StackSettings
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import LocalService, port_is_open
from tmdb_pipeline.stack.spark import spark_jars


class SqlEndpointService(LocalService):
    name = "sql-endpoint"

    def __init__(self, stack: StackSettings, settings: SqlEndpointSettings, spark: SparkSettings) -> None:
        # a JVM, the catalog and the UDF's registration take longer than the stack's other services
        super().__init__(
            stack.model_copy(update={"start_timeout_s": max(stack.start_timeout_s, settings.start_timeout_s)})
        )
        self.settings = settings
        self.spark = spark

    @property
    def ports(self) -> list[int]:
        return [self.settings.port]

    @property
    def address(self) -> str:
        return self.settings.address

    def install(self) -> None:
        """The Thrift server ships in pyspark's jars; only the stack's extra jars are fetched."""
        spark_jars(self.stack, self.spark)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tmdb_pipeline.cli", "sql-server"]

    def environment(self) -> dict[str, str]:
        # the server reads its settings from the environment: pass the ones this object holds
        return super().environment() | {
            "SQL_ENDPOINT_HOST": self.settings.host,
            "SQL_ENDPOINT_PORT": str(self.settings.port),
            "STACK_HOME": str(self.stack.home),
        }

    def healthy(self) -> bool:
        """A real query, not just the port: the server opens its port before sessions work."""
        if not port_is_open(self.settings.host, self.settings.port):
            return False
        from tmdb_pipeline.sql_endpoint.client import query

        try:
            return query(self.settings, "select 1") == [(1,)]
        except Exception:  # any Thrift/transport failure means "not ready yet"
            return False

    def version(self) -> str:
        return f"Spark Thrift server, hive://{self.address}"
