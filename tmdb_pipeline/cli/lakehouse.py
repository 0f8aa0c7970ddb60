"""`tmdb-pipeline lakehouse status | migrate | maintain` — where the tables live, moving them to REST +
S3, and keeping their storage from growing with every pass."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from tmdb_pipeline.cli._errors import friendly_errors

app = typer.Typer(
    help="The Iceberg lakehouse: where its tables live; move them to a REST catalog on S3; maintain them."
)
console = Console()


@app.command()
@friendly_errors
def status() -> None:
    """The configured catalog and warehouse, and the tables of each layer."""
    from tmdb_pipeline.settings import IcebergSettings, StackSettings, load
    from tmdb_pipeline.stack.catalog import check_lakehouse, get_catalog

    stack, iceberg = load(StackSettings), load(IcebergSettings)
    check_lakehouse()
    where = iceberg.rest_uri(stack) if iceberg.catalog_type == "rest" else str(iceberg.catalog_db_path(stack))
    console.print(f"catalog [bold]{iceberg.catalog_name}[/] ({iceberg.catalog_type}: {where})")
    console.print(f"warehouse {iceberg.warehouse_uri(stack)}")
    catalog = get_catalog()
    table = Table()
    table.add_column("namespace")
    table.add_column("tables")
    for namespace, *_ in sorted(catalog.list_namespaces()):
        table.add_row(namespace, ", ".join(name for _, name in sorted(catalog.list_tables(namespace))))
    console.print(table)


@app.command()
@friendly_errors
def migrate(
    source_db: Path = typer.Option(
        None, "--from", help="SQLite file of the JDBC catalog to move; default ICEBERG_CATALOG_DB's default."
    ),
) -> None:
    """Move every table of the local JDBC catalog (with its snapshots) and the landing checkpoint to
    the configured REST catalog on S3. Stop landing first; a second run skips moved tables."""
    from tmdb_pipeline.settings import IcebergSettings, LandingSettings, S3Settings, StackSettings, load
    from tmdb_pipeline.stack.migrate import TableMove, source_settings
    from tmdb_pipeline.stack.migrate import migrate as run_migration
    from tmdb_pipeline.stack.spark import get_spark

    stack, iceberg = load(StackSettings), load(IcebergSettings)
    source = (source_db or IcebergSettings(catalog_type="jdbc").catalog_db_path(stack)).resolve()
    began = time.monotonic()

    def show(move: TableMove) -> None:
        detail = move.skipped or f"{move.rows:,} rows, {move.files} files in {move.seconds:.1f}s"
        console.print(f"{move.table}: {detail}")

    with console.status("Starting Spark..."):
        spark = get_spark("tmdb-lakehouse-migrate", iceberg=source_settings(iceberg, source))
    console.print(f"Moving {source} -> {iceberg.rest_uri(stack)} ({iceberg.warehouse_uri(stack)})")
    moves = run_migration(
        spark, stack, iceberg, load(S3Settings), load(LandingSettings), source, on_table=show
    )
    console.print(moves[-1].skipped)
    moved = [m for m in moves[:-1] if not m.skipped]
    console.print(
        f"Moved {len(moved)} tables ({sum(m.rows for m in moved):,} rows) in {time.monotonic() - began:.0f}s; "
        f"{len(moves) - 1 - len(moved)} were already there."
    )


@app.command()
@friendly_errors
def maintain(
    older_than_hours: float = typer.Option(
        24.0, "--older-than-hours", min=0, help="Expire snapshots older than this many hours..."
    ),
    retain_last: int = typer.Option(
        20, "--retain-last", min=1, help="...but keep at least this many of each table's newest."
    ),
) -> None:
    """Compact Bronze's small files and expire old snapshots in Bronze, Silver and Gold, so storage
    does not grow with every pass. Run it daily: the Airflow DAG tmdb_lakehouse_maintenance and the
    Kubernetes CronJob lakehouse-maintenance do."""
    from datetime import timedelta

    from spark_streaming.maintenance import maintain as maintain_bronze
    from tmdb_pipeline.settings import LandingSettings, load
    from tmdb_pipeline.stack.spark import get_spark
    from tmdb_pipeline.transform.maintenance import expire_snapshots

    older_than = timedelta(hours=older_than_hours)
    began = time.monotonic()
    with console.status("Starting Spark..."):
        spark = get_spark("tmdb-lakehouse-maintenance")
    with console.status("Bronze: compacting files, rewriting manifests, expiring snapshots..."):
        bronze = maintain_bronze(spark, load(LandingSettings), older_than=older_than, retain_last=retain_last)
    table = Table(title="Bronze")
    table.add_column("table", no_wrap=True)  # the figures' headings wrap instead of the names
    for column in ("files compacted", "into files", "manifests rewritten", "files deleted"):
        table.add_column(column, justify="right")
    for name, figures in sorted(bronze.tables.items()):
        table.add_row(name, *(str(v) for v in figures.values()))
    console.print(table)
    with console.status("Silver and Gold: expiring snapshots..."):
        expiries = expire_snapshots(spark, older_than=older_than, retain_last=retain_last)
    table = Table(title="Silver and Gold")
    table.add_column("table", no_wrap=True)
    for column in ("snapshots", "files deleted", "metadata deleted"):
        table.add_column(column, justify="right")
    for expiry in expiries:
        table.add_row(
            expiry.table,
            f"{expiry.snapshots_before} → {expiry.snapshots_after}",
            str(expiry.data_files_deleted),
            str(expiry.metadata_files_deleted),
        )
    console.print(table)
    deleted = sum(f["data_files_deleted"] for f in bronze.tables.values()) + sum(
        e.data_files_deleted for e in expiries
    )
    console.print(
        f"Maintained {len(bronze.tables) + len(expiries)} tables in {time.monotonic() - began:.0f}s: "
        f"{deleted} data files no snapshot needs were deleted."
    )
