"""`tmdb-pipeline live --once | --continuous` — the speed layer: Kafka to MongoDB `live_*` in seconds."""

from __future__ import annotations

import logging
import signal
import threading
import time

import typer
from rich.console import Console
from rich.table import Table

from tmdb_pipeline.cli._errors import err_console, friendly_errors

console = Console()


@friendly_errors
def live(
    continuous: bool = typer.Option(
        False, "--continuous/--once", help="--once aggregates what Kafka holds now and stops (default)."
    ),
) -> None:
    """Keep MongoDB's live_* collections (reviews per movie and hour, popularity moves, genre
    activity) up to date from the tmdb_* topics, exactly once; the API's /live routes read them."""
    from pymongo.errors import PyMongoError

    from spark_streaming.checkpoint_lock import CheckpointInUse
    from spark_streaming.live import LiveRun, LiveSinkError, check_checkpoint_free, run_live
    from tmdb_pipeline.settings import LiveSettings, StackSettings, load
    from tmdb_pipeline.stack.spark import get_spark

    def not_started(exc: CheckpointInUse) -> typer.Exit:
        err_console.print(f"[bold red]Live aggregates not started[/]\n{exc}", highlight=False)
        return typer.Exit(1)

    logging.basicConfig(level=logging.WARNING)
    began = time.monotonic()
    try:  # before Spark's start-up: a second job is told at once
        check_checkpoint_free()
    except CheckpointInUse as exc:
        raise not_started(exc) from None
    with console.status("Starting Spark..."):
        spark = get_spark("tmdb-live-aggregates")
    stop = threading.Event()
    if continuous:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stop.set())
    mode = "continuous (Ctrl-C or SIGTERM stops it)" if continuous else "once"
    console.print(f"Live aggregates Kafka -> MongoDB live_*, {mode}")

    def show(run: LiveRun) -> None:
        if continuous:
            batches = ", ".join(f"{name} {t.batches}" for name, t in run.queries.items())
            console.print(f"batches: {batches}", end="\r")

    try:
        run = run_live(spark, continuous=continuous, stop_event=stop, on_progress=show)
    except LiveSinkError as exc:
        err_console.print(f"[bold red]Live aggregates stopped[/]\n{exc}", highlight=False)
        raise typer.Exit(1) from None
    except CheckpointInUse as exc:
        raise not_started(exc) from None
    except PyMongoError as exc:
        err_console.print(
            f"[bold red]MongoDB is not reachable[/] ({type(exc).__name__}). Start it with "
            "`tmdb-pipeline stack up`, or set MONGO_URI.",
            highlight=False,
        )
        raise typer.Exit(1) from None

    table = Table(title="Live aggregates")
    for column in ("query", "batches", "records", "documents upserted", "malformed", "late (dropped)"):
        table.add_column(column, justify="right" if column != "query" else "left")
    for name, totals in run.queries.items():
        table.add_row(
            name,
            *(
                str(v)
                for v in (totals.batches, totals.records, totals.documents, totals.malformed, totals.late)
            ),
        )
    console.print(table)
    checkpoint = load(LiveSettings).checkpoint(load(StackSettings))
    console.print(f"done in {time.monotonic() - began:.1f}s; checkpoints under {checkpoint}")
