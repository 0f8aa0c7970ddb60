"""Settings of the Spark SQL endpoint (`tmdb-pipeline sql-server`)."""

from __future__ import annotations

from pydantic import Field

from tmdb_pipeline.settings import PipelineSettings, settings_config


class SqlEndpointSettings(PipelineSettings):
    """Spark's Thrift JDBC/ODBC server, which plain `dbt build`, Superset and any BI tool connect to."""

    model_config = settings_config("SQL_ENDPOINT_")

    enabled: bool = Field(False, description="`stack up` starts the endpoint too")
    host: str = Field("127.0.0.1", description="address the Thrift server binds")
    port: int = Field(10000, ge=1, le=65535, description="Thrift (HiveServer2 binary protocol) port")
    start_timeout_s: float = Field(
        240.0, gt=0, description="how long a start waits for the JVM, the catalog and a first query"
    )

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"
