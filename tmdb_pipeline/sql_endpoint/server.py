"""Spark's Thrift server started inside this process, on the pipeline's SparkSession.

`HiveThriftServer2.startWithContext` serves an existing session, so clients get what every stage
gets from `get_spark()`: Iceberg as the default catalog (JDBC/SQLite or REST+S3, from the settings)
and, in single-session mode, the `review_sentiment` Python UDF registered here. Spark runs the UDF in
its Python workers, which the JVM forks on its own, so Thrift clients can call it.
"""

from __future__ import annotations

import logging
import signal
import threading
from typing import TYPE_CHECKING, Any

from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

# Read by dbt's `sentiment_version()` macro: plain dbt gets the scoring model's id from the session.
SENTIMENT_VERSION_CONF = "spark.tmdb.sentiment.version"
log = logging.getLogger("tmdb_pipeline.sql_endpoint")


def thrift_conf(settings: SqlEndpointSettings) -> dict[str, str]:
    """Spark settings the server needs before the session exists (static ones)."""
    return {
        # every connection shares this session, hence its temporary function review_sentiment
        "spark.sql.hive.thriftServer.singleSession": "true",
        "spark.hadoop.hive.server2.thrift.bind.host": settings.host,
        "spark.hadoop.hive.server2.thrift.port": str(settings.port),
        "spark.hadoop.hive.server2.transport.mode": "binary",
    }


def endpoint_session(settings: SqlEndpointSettings) -> SparkSession:
    """The pipeline's session (catalog, namespaces, UDF) with the Thrift settings and the model's id."""
    from tmdb_pipeline.stack.spark import LOG_CONFIG, get_spark
    from tmdb_pipeline.transform.runner import pipeline_vars, prepare_session

    extra = thrift_conf(settings)
    # HiveServer2 opens an in-memory Derby metastore per session; with derby.system.home set, Derby
    # fails to create it and every statement retries for ~25 s (measured), so leave Derby's default
    extra["spark.driver.extraJavaOptions"] = f"-Dlog4j2.configurationFile={LOG_CONFIG}"
    get_spark("tmdb-sql-endpoint", extra=extra)
    spark = prepare_session("tmdb-sql-endpoint")
    # HiveServer2 clients (PyHive, hence dbt-spark's thrift method) open with `USE default`
    spark.sql("create namespace if not exists default")
    spark.conf.set(SENTIMENT_VERSION_CONF, str(pipeline_vars()["sentiment_version"]))
    return spark


def start_thrift_server(spark: SparkSession) -> Any:
    """Start HiveThriftServer2 on `spark` (returns the JVM server object)."""
    server_class = spark._jvm.org.apache.spark.sql.hive.thriftserver.HiveThriftServer2  # type: ignore[union-attr]
    return server_class.startWithContext(spark._jsparkSession.sqlContext())  # type: ignore[attr-defined]


def serve(settings: SqlEndpointSettings) -> None:
    """Run the endpoint until SIGTERM or SIGINT, then stop the server and the session."""
    spark = endpoint_session(settings)
    server = start_thrift_server(spark)
    log.info("Spark SQL endpoint on %s", settings.address)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    try:
        stop.wait()
    finally:
        server.stop()
        spark.stop()
