"""The SparkSession factory: local Spark with Kafka, Iceberg (Spark's default catalog) and SQLite JDBC.

Catalog wiring lives here and only here; jobs name tables (`bronze.movies`), never catalogs.
dbt-spark cannot take a catalog prefix, which is why the Iceberg catalog is the default one.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from tmdb_pipeline.settings import IcebergSettings, SparkSettings, StackSettings, load
from tmdb_pipeline.stack.artifacts import maven_jars
from tmdb_pipeline.stack.process import StackError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

LOG_CONFIG = Path(__file__).parent / "spark-log4j2.properties"

# pyspark ships Hadoop, Scala and the logging jars; we add only what it lacks.
SPARK_EXTRA_ARTIFACTS = [
    "spark-sql-kafka-0-10_2.13",
    "spark-token-provider-kafka-0-10_2.13",
    "kafka-clients",
    "commons-pool2",
    "iceberg-spark-runtime-4.1_2.13",
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
) -> dict[str, str]:
    """Every Spark setting of the local session, as one dict (also written to spark-defaults.conf)."""
    stack = stack or load(StackSettings)
    spark = spark or load(SparkSettings)
    iceberg = iceberg or load(IcebergSettings)
    jars = spark_jars(stack, spark)
    catalog = f"spark.sql.catalog.{iceberg.catalog_name}"
    catalog_db = iceberg.catalog_db_path(stack)
    catalog_db.parent.mkdir(parents=True, exist_ok=True)
    return {
        "spark.master": spark.master,
        "spark.app.name": "tmdb-pipeline",
        "spark.driver.memory": spark.driver_memory,
        "spark.driver.host": stack.host,
        "spark.driver.bindAddress": stack.host,
        "spark.ui.enabled": str(spark.ui_enabled).lower(),
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.shuffle.partitions": str(spark.shuffle_partitions),
        "spark.sql.session.timeZone": "UTC",
        "spark.jars": ",".join(str(jar) for jar in jars),
        # the JDBC driver must be on the driver's own classpath for java.sql.DriverManager
        "spark.driver.extraClassPath": os.pathsep.join(str(jar) for jar in jars),
        "spark.sql.extensions": "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions",
        catalog: "org.apache.iceberg.spark.SparkCatalog",
        f"{catalog}.catalog-impl": "org.apache.iceberg.jdbc.JdbcCatalog",
        f"{catalog}.uri": f"jdbc:sqlite:{catalog_db}",
        f"{catalog}.warehouse": iceberg.warehouse_uri(stack),
        # streaming batches commit through a cloned session with its own catalog instance; a cached
        # table here would hide their snapshots from the next query (dbt right after landing)
        f"{catalog}.cache-enabled": "false",
        "spark.sql.defaultCatalog": iceberg.catalog_name,
        "spark.sql.warehouse.dir": str(stack.home / "spark-warehouse"),
        "spark.driver.extraJavaOptions": " ".join(
            [
                f"-Dderby.system.home={stack.home / 'derby'}",
                f"-Dlog4j2.configurationFile={LOG_CONFIG}",
            ]
        ),
    }


def get_spark(app_name: str = "tmdb-pipeline", extra: dict[str, str] | None = None) -> SparkSession:
    """The process's SparkSession (created on first call, reused after: dbt-spark relies on that)."""
    stack = load(StackSettings)
    # Spark binds the machine's public interface unless told otherwise.
    os.environ.setdefault("SPARK_LOCAL_IP", stack.host)
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    for key, value in {**spark_conf(stack), **(extra or {})}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session
