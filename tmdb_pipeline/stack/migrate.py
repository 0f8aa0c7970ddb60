"""Move a lakehouse from the embedded JDBC catalog and its file warehouse to the configured catalog
(REST on S3), tables with their whole history.

Per table, Iceberg's own `rewrite_table_path` procedure writes a copy of every metadata file with
the new location and lists every file to copy; the files are copied, then the table is registered
in the new catalog at its rewritten metadata, and the row counts are compared. A table is only
registered once all its files are in place, so an interrupted move leaves nothing half-visible, and
a second run skips what was moved. The landing checkpoint moves with it, so landing resumes where it
stopped instead of rebuilding Bronze from Kafka.
"""

from __future__ import annotations

import csv
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from tmdb_pipeline.settings import IcebergSettings, LandingSettings, S3Settings, StackSettings
from tmdb_pipeline.stack.catalog import LakehouseError, get_catalog, object_store, spark_catalog_conf

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

TARGET = "tmdb_migration_target"  # the new catalog's name inside the migrating session


@dataclass
class TableMove:
    table: str
    files: int = 0
    rows: int = 0
    seconds: float = 0.0
    skipped: str = ""


def local_catalog_tables(catalog_db: Path, catalog_name: str) -> list[tuple[str, str]]:
    """(namespace, table) of every table the JDBC catalog on `catalog_db` registers, read-only."""
    if not catalog_db.exists():
        return []
    with sqlite3.connect(f"file:{catalog_db}?mode=ro", uri=True) as db:
        try:
            rows = db.execute(
                "select table_namespace, table_name from iceberg_tables where catalog_name = ? order by 1, 2",
                (catalog_name,),
            ).fetchall()
        except sqlite3.OperationalError:  # a file with no catalog tables yet
            return []
    return [(str(namespace), str(name)) for namespace, name in rows]


def refuse_empty_catalog_beside_local_data(
    stack: StackSettings, iceberg: IcebergSettings, namespace: str
) -> None:
    """Landing into an empty REST catalog while the local JDBC catalog holds the lakehouse would
    silently rebuild Bronze from Kafka beside the real one: say so instead."""
    if iceberg.catalog_type != "rest" or iceberg.start_empty:
        return
    old = local_catalog_tables(iceberg.catalog_db_path(stack), iceberg.catalog_name)
    if not old:
        return
    catalog = get_catalog(stack, iceberg)
    if (namespace,) in catalog.list_namespaces() and catalog.list_tables(namespace):
        return
    raise LakehouseError(
        f"The REST catalog at {iceberg.rest_uri(stack)} has no {namespace} tables, but the local JDBC "
        f"catalog {iceberg.catalog_db_path(stack)} holds {len(old)} tables. Move them with "
        "`tmdb-pipeline lakehouse migrate`, or set ICEBERG_START_EMPTY=true to build a new lakehouse "
        "from Kafka and leave the old one where it is."
    )


def _copy(pairs: list[tuple[str, str]], stack: StackSettings, s3: S3Settings) -> None:
    from pyarrow import fs

    store = object_store(stack, s3)
    local = fs.LocalFileSystem()
    for source, target in pairs:
        if not target.startswith("s3"):
            raise LakehouseError(f"migrate writes to an s3:// warehouse only, not {target}")
        fs.copy_files(urlparse(source).path, target.split("://", 1)[1], local, store)


def migrate_table(
    spark: SparkSession,
    namespace: str,
    name: str,
    stack: StackSettings,
    old: IcebergSettings,
    iceberg: IcebergSettings,
    s3: S3Settings,
) -> TableMove:
    began = time.monotonic()
    move = TableMove(f"{namespace}.{name}")
    target = get_catalog(stack, iceberg, s3)
    if target.table_exists((namespace, name)):
        move.skipped = "already in the target catalog"
        return move
    source = f"{namespace}.{name}"
    metadata_location = get_catalog(stack, old).load_table((namespace, name)).metadata_location
    if not metadata_location.startswith("file:"):
        raise LakehouseError(f"{source} is not in a file warehouse ({metadata_location}); nothing to move")
    # The old tables spell their location `file:///…` and their files `file:/…`, and the procedure
    # takes one prefix: rewrite `file:` itself, so each file keeps its absolute path under
    # <warehouse>/migrated/, and point the table's location (new writes) at its usual place after.
    imported = f"{iceberg.warehouse_uri(stack).rstrip('/')}/migrated"
    staging = stack.home / "migrate" / namespace / name
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    result = spark.sql(
        "call system.rewrite_table_path(table => :table, source_prefix => 'file:', "
        "target_prefix => :target, staging_location => :staging)",
        args={"table": source, "target": imported, "staging": staging.as_uri() + "/"},
    ).collect()[0]
    with open(urlparse(result.file_list_location).path, newline="") as handle:
        pairs = [(row[0], row[1]) for row in csv.reader(handle) if row]
    new_metadata = next(dst for src, dst in pairs if src.endswith(f"/metadata/{result.latest_version}"))
    _copy(pairs, stack, s3)  # every file first: nothing is registered without its data
    move.files = len(pairs)
    if (namespace,) not in target.list_namespaces():
        target.create_namespace(namespace)
    target.register_table((namespace, name), new_metadata)
    location = f"{iceberg.warehouse_uri(stack).rstrip('/')}/{namespace}/{name}"
    spark.sql(f"alter table {TARGET}.{namespace}.{name} set location '{location}'")
    move.rows = spark.sql(f"select count(*) from {source}").collect()[0][0]
    moved = spark.sql(f"select count(*) from {TARGET}.{namespace}.{name}").collect()[0][0]
    if moved != move.rows:
        target.drop_table((namespace, name))  # registration only: the copied files stay for a retry
        raise LakehouseError(f"{move.table}: {moved} rows after the move, {move.rows} before; not registered")
    shutil.rmtree(staging, ignore_errors=True)
    move.seconds = time.monotonic() - began
    return move


def move_checkpoint(
    stack: StackSettings, old: IcebergSettings, new: IcebergSettings, landing: LandingSettings
) -> str:
    """Copy the landing checkpoint to where landing looks for it now, once. Refuses a checkpoint
    whose last batch was planned but never committed: replaying it under a new checkpoint path
    could land it twice."""
    target = Path(urlparse(landing.checkpoint(new, stack)).path)
    # where the old landing kept it: the setting, else its default beside the old file warehouse
    candidates = [landing.checkpoint(old, stack), LandingSettings(checkpoint_dir=None).checkpoint(old, stack)]
    found = [Path(urlparse(c).path) for c in candidates if Path(urlparse(c).path).exists()]
    source = next((path for path in found if path != target), None)
    if source is None:
        return "no checkpoint to move"
    if target.exists():
        return f"kept the checkpoint already at {target}"
    offsets = {int(p.name) for p in (source / "offsets").glob("[0-9]*") if p.name.isdigit()}
    commits = {int(p.name) for p in (source / "commits").glob("[0-9]*") if p.name.isdigit()}
    if offsets - commits:
        raise LakehouseError(
            f"The landing checkpoint {source} has a batch that never finished ({sorted(offsets - commits)}). "
            "Finish it on the old catalog first (`ICEBERG_CATALOG_TYPE=jdbc tmdb-pipeline land --once`), "
            "then migrate."
        )
    shutil.copytree(source, target)
    return f"checkpoint copied to {target}"


def source_settings(iceberg: IcebergSettings, source_db: Path) -> IcebergSettings:
    """The old catalog: JDBC on `source_db`, with the same catalog name (its rows are keyed by it)."""
    return IcebergSettings(catalog_type="jdbc", catalog_name=iceberg.catalog_name, catalog_db=source_db)


def migrate(
    spark: SparkSession,
    stack: StackSettings,
    iceberg: IcebergSettings,
    s3: S3Settings,
    landing: LandingSettings,
    source_db: Path,
    on_table: Callable[[TableMove], None] | None = None,
) -> list[TableMove]:
    """Move every table of the JDBC catalog on `source_db` into the configured catalog. `spark` must
    be a session whose default catalog is the source (`get_spark(iceberg=source_settings(...))`)."""
    if not iceberg.warehouse_uri(stack).startswith("s3"):
        raise LakehouseError(
            "Set ICEBERG_CATALOG_TYPE=rest (and an s3:// ICEBERG_WAREHOUSE) before migrating."
        )
    tables = local_catalog_tables(source_db, iceberg.catalog_name)
    if not tables:
        raise LakehouseError(
            f"No tables of catalog {iceberg.catalog_name!r} in {source_db}: nothing to move."
        )
    old = source_settings(iceberg, source_db)
    # the JDBC catalog filters its rows by catalog name, so the source keeps the name (as the
    # session's default catalog) and the REST target, which has no such filter, gets another
    for key, value in spark_catalog_conf(stack, iceberg, s3).items():
        if key.startswith(f"spark.sql.catalog.{iceberg.catalog_name}"):
            spark.conf.set(key.replace(f"catalog.{iceberg.catalog_name}", f"catalog.{TARGET}", 1), value)
    moves = []
    for namespace, name in tables:
        move = migrate_table(spark, namespace, name, stack, old, iceberg, s3)
        moves.append(move)
        if on_table:
            on_table(move)
    moves.append(TableMove("landing checkpoint", skipped=move_checkpoint(stack, old, iceberg, landing)))
    return moves
