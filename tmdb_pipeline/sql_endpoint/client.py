"""A HiveServer2 (PyHive) client of the endpoint, with an error that names the command to start it."""

from __future__ import annotations

from contextlib import closing
from typing import Any

from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import StackError, port_is_open

START_HINT = (
    "Start it with `tmdb-pipeline sql-server` (foreground), `tmdb-pipeline sql-server up` (background), "
    "or SQL_ENDPOINT_ENABLED=true and `tmdb-pipeline stack up`."
)


class EndpointDownError(StackError):
    """Nothing answers at the endpoint's address."""


def endpoint_down(settings: SqlEndpointSettings) -> EndpointDownError:
    return EndpointDownError(
        f"The Spark SQL endpoint at {settings.address} is not running "
        f"(SQL_ENDPOINT_HOST / SQL_ENDPOINT_PORT). {START_HINT}"
    )


def connect(settings: SqlEndpointSettings, database: str = "default") -> Any:
    """A PyHive connection (DB-API 2.0) to the endpoint."""
    from pyhive import hive

    if not port_is_open(settings.host, settings.port, timeout=2):
        raise endpoint_down(settings)
    return hive.connect(host=settings.host, port=settings.port, username="tmdb", database=database)


def query(settings: SqlEndpointSettings, sql: str, database: str = "default") -> list[tuple[Any, ...]]:
    """Run one statement and return its rows."""
    with closing(connect(settings, database)) as connection, closing(connection.cursor()) as cursor:
        cursor.execute(sql)
        return list(cursor.fetchall()) if cursor.description else []
