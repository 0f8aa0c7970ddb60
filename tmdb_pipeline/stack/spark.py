"""The SparkSession factory: local Spark with Kafka, Iceberg (Spark's default catalog) and SQLite JDBC.

Catalog wiring lives here and only here; jobs name tables (`bronze.movies`), never catalogs.
dbt-spark cannot take a catalog prefix, which is why the Iceberg catalog is the default one.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING

from tmdb_pipeline.settings import IcebergSettings, S3Settings, SparkSettings, StackSettings, load
from tmdb_pipeline.stack.artifacts import maven_jars
from tmdb_pipeline.stack.catalog import check_lakehouse, spark_catalog_conf
from tmdb_pipeline.stack.process import StackError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOG_CONFIG = Path(__file__).parent / "spark-log4j2.properties"
# What the driver JVM prints on every start that tells a user nothing (Spark's launcher adds the
# vector module, and the JVM announces it on stderr); the rest of its stderr reaches the terminal.
JVM_STDERR_NOISE = ("WARNING: Using incubator modules:",)

# pyspark ships Hadoop, Scala and the logging jars; we add only what it lacks.
SPARK_EXTRA_ARTIFACTS = [
    "spark-sql-kafka-0-10_2.13",
    "spark-token-provider-kafka-0-10_2.13",
    "kafka-clients",
    "commons-pool2",
    "iceberg-spark-runtime-4.1_2.13",
    "iceberg-aws-bundle",  # S3FileIO's AWS SDK, for an s3:// warehouse
    "sqlite-jdbc",
]


def spark_jars(stack: StackSettings, spark: SparkSettings) -> list[Path]:
    """Resolve (once, cached) the jars the session needs beyond pyspark."""
    import pyspark

    if pyspark.__version__ != spark.version:
        raise StackError(
            f"SPARK_VERSION={spark.version} but pyspark {pyspark.__version__} is installed; the Kafka "
            "source jar must match pyspark exactly. Set SPARK_VERSION to the installed version."
        )
    target = stack.downloads / f"spark-jars-{spark.version}-iceberg-{spark.iceberg_version}"
    return maven_jars(
        "spark.pom.xml",
        target,
        {"spark.version": spark.version, "iceberg.version": spark.iceberg_version},
        SPARK_EXTRA_ARTIFACTS,
    )


def spark_conf(
    stack: StackSettings | None = None,
    spark: SparkSettings | None = None,
    iceberg: IcebergSettings | None = None,
    s3: S3Settings | None = None,
) -> dict[str, str]:
    """Every Spark setting of the session, as one dict (also written to spark-defaults.conf).

    With a `local[...]` master this process is the whole cluster: it binds the driver to the stack's
    host and loads the cached jars. Under spark-submit (the Spark operator, a cluster) the master,
    the driver's address and the classpath come from there and are not overridden.
    """
    stack = stack or load(StackSettings)
    spark = spark or load(SparkSettings)
    iceberg = iceberg or load(IcebergSettings)
    s3 = s3 or load(S3Settings)
    conf = {
        "spark.app.name": "tmdb-pipeline",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(spark.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        **spark_catalog_conf(stack, iceberg, s3),
        "spark.sql.warehouse.dir": str(stack.home / "spark-warehouse"),
    }
    if spark.master.startswith("local"):
        jars = spark_jars(stack, spark)
        conf |= {
            "spark.master": spark.master,
            "spark.driver.memory": spark.driver_memory,
            "spark.driver.host": stack.host,
            "spark.driver.bindAddress": stack.host,
            "spark.ui.enabled": str(spark.ui_enabled).lower(),
            "spark.jars": ",".join(str(jar) for jar in jars),
            # the JDBC driver must be on the driver's own classpath for java.sql.DriverManager
            "spark.driver.extraClassPath": os.pathsep.join(str(jar) for jar in jars),
            "spark.driver.extraJavaOptions": " ".join(
                [
                    f"-Dderby.system.home={stack.home / 'derby'}",
                    f"-Dlog4j2.configurationFile={LOG_CONFIG}",
                    f"-Dtmdb.log.dir={spark_log_dir(stack)}",
                ]
            ),
        }
    return conf


def spark_log_dir(stack: StackSettings) -> Path:
    """Where the Spark driver's warnings go (the terminal gets only its errors)."""
    return stack.home / "spark" / "logs"


def get_spark(
    app_name: str = "tmdb-pipeline",
    extra: dict[str, str] | None = None,
    iceberg: IcebergSettings | None = None,
) -> SparkSession:
    """The process's SparkSession (created on first call, reused after: dbt-spark relies on that).
    `iceberg` opens another catalog than the configured one (the lakehouse migration's source)."""
    stack = load(StackSettings)
    # Spark binds the machine's public interface unless told otherwise.
    os.environ.setdefault("SPARK_LOCAL_IP", stack.host)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    if SparkSession.getActiveSession() is None:
        check_lakehouse(iceberg=iceberg)  # one clear error before the JVM starts, not a trace mid-write
    spark_log_dir(stack).mkdir(parents=True, exist_ok=True)
    options = {**spark_conf(stack, iceberg=iceberg), **(extra or {})}
    launch_driver_jvm(options)
    builder = SparkSession.builder.appName(app_name)
    for key, value in options.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session


def launch_driver_jvm(options: dict[str, str]) -> None:
    """Start the driver JVM as pyspark would on the first session, but with its stderr read through
    `JVM_STDERR_NOISE`; a no-op once this process has a JVM (pyspark then reuses it)."""
    from pyspark import SparkConf, SparkContext
    from pyspark.java_gateway import launch_gateway

    if SparkContext._gateway is not None:
        return
    conf = SparkConf(loadDefaults=False).setAll(list(options.items()))
    # a pipe of our own, read from before the JVM starts: a JVM that fails to start still shows why
    read_end, write_end = os.pipe()
    reader = os.fdopen(read_end, "r", encoding="utf-8", errors="replace")
    threading.Thread(target=_relay_stderr, args=(reader,), name="jvm-stderr", daemon=True).start()
    try:
        gateway = launch_gateway(conf, popen_kwargs={"stderr": write_end})
    finally:
        os.close(write_end)  # the JVM holds its own copy
    with SparkContext._lock:
        SparkContext._gateway = gateway
        SparkContext._jvm = gateway.jvm


def _relay_stderr(stream: IO[str]) -> None:
    for line in stream:
        if not line.startswith(JVM_STDERR_NOISE):
            sys.stderr.write(line)
            sys.stderr.flush()
