"""`tmdb-pipeline land --once | --continuous` — Kafka topics to Bronze Iceberg tables."""

from __future__ import annotations

import logging
import time

import typer
from rich.console import Console
from rich.table import Table

from tmdb_pipeline.cli._errors import friendly_errors
from tmdb_pipeline.metrics.stages import observed, registries

console = Console()


@friendly_errors
def land(
    continuous: bool = typer.Option(
        False, "--continuous/--once", help="--once lands what Kafka holds now and stops (default)."
    ),
    maintain: bool = typer.Option(
        False,
        "--maintain",
        help="Instead of landing: compact Bronze's files, rewrite manifests, expire snapshots "
        "(`lakehouse maintain` does this and expires Silver's and Gold's too).",
    ),
) -> None:
    """Land the tmdb_* Kafka topics in bronze.<stream> Iceberg tables, exactly once."""
    from spark_streaming.job import run_landing
    from spark_streaming.metrics import BatchMetrics
    from tmdb_pipeline.settings import LandingSettings, StackSettings, load
    from tmdb_pipeline.stack.spark import get_spark

    logging.basicConfig(level=logging.WARNING)

    def show(batch: BatchMetrics) -> None:
        skipped = f" [yellow](replayed batch: skipped {', '.join(batch.skipped_tables)})[/]"
        console.print(
            f"batch {batch.batch_id}: {batch.rows} rows in {batch.duration_s:.1f}s "
            f"({batch.rows_per_s:.0f}/s), quarantined {batch.quarantined}"
            + (skipped if batch.skipped_tables else "")
        )

    began = time.monotonic()
    with console.status("Starting Spark..."):
        spark = get_spark("tmdb-bronze-landing")
    if maintain:
        from spark_streaming.maintenance import maintain as run_maintenance

        with console.status("Maintaining the Bronze tables..."):
            report = run_maintenance(spark, load(LandingSettings))
        table = Table(title="Bronze maintenance")
        for column in ("table", "files rewritten", "files added", "manifests rewritten", "files deleted"):
            table.add_column(column)
        for name, figures in sorted(report.tables.items()):
            table.add_row(name, *(str(v) for v in figures.values()))
        console.print(table)
        console.print(f"done in {time.monotonic() - began:.1f}s")
        return
    mode = "continuous (Ctrl-C or SIGTERM stops after the batch in flight)" if continuous else "once"
    console.print(f"Landing Kafka -> Bronze, {mode}")
    if continuous:
        from tmdb_pipeline.metrics.export import serve
        from tmdb_pipeline.metrics.settings import MetricsSettings

        serve(registries("land"), load(MetricsSettings).landing_port, "METRICS_LANDING_PORT")
    with observed("land", push=not continuous):
        run = run_landing(spark, continuous=continuous, on_batch=show)

    elapsed = time.monotonic() - began
    table = Table(title="Bronze landing")
    table.add_column("table")
    table.add_column("rows landed", justify="right")
    for name, rows in sorted(run.totals().items()):
        table.add_row(name, str(rows))
    table.add_row("[red]quarantine[/]", str(run.quarantined))
    console.print(table)
    total = sum(run.totals().values()) + run.quarantined
    console.print(
        f"{len(run.batches)} batches, {total} records in {elapsed:.1f}s; "
        f"per-batch metrics in {load(LandingSettings).metrics_path(load(StackSettings))}"
    )
