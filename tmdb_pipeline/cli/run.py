"""`tmdb-pipeline run [--continuous]` — the whole pipeline, once (for schedulers) or continuously."""

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


def stage_table(results, title: str) -> Table:
    table = Table(title=title)
    for column in ("stage", "seconds", "result"):
        table.add_column(column)
    for result in results:
        table.add_row(result.name, f"{result.seconds:.1f}", result.detail)
    return table


@friendly_errors
def run(
    continuous: bool = typer.Option(False, "--continuous", help="Keep extracting on an interval."),
    interval: float = typer.Option(300.0, help="Seconds between extractions in --continuous mode."),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Extract ignoring the saved state."),
    live: bool = typer.Option(
        False,
        "--live",
        help="--continuous only: also run the speed layer (`tmdb-pipeline live`) beside landing.",
    ),
) -> None:
    """Extract -> land -> transform -> sync-serving (the local stack must be up: `tmdb-pipeline stack up`)."""
    from tmdb_pipeline.orchestrate.pipeline import PipelineError, run_continuous, run_pass

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")

    def show(result) -> None:
        console.print(f"[bold]{result.name}[/] {result.seconds:.1f}s — {result.detail}")

    began = time.monotonic()
    try:
        if not continuous:
            # one line that follows the pass; dbt's node lines and Spark's warnings stay in their logs
            with console.status("Starting the pass...") as status:
                results = run_pass(
                    full_refresh=full_refresh,
                    on_stage=show,
                    on_progress=lambda stage, doing: status.update(f"[bold]{stage}[/] {doing or '...'}"),
                )
            console.print(stage_table(results, f"Pipeline pass in {time.monotonic() - began:.1f}s"))
            return
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        from tmdb_pipeline.metrics.export import serve
        from tmdb_pipeline.metrics.settings import MetricsSettings
        from tmdb_pipeline.metrics.stages import registries
        from tmdb_pipeline.settings import load

        serve(registries(), load(MetricsSettings).pipeline_port, "METRICS_PIPELINE_PORT")
        streams = "landing and the speed layer stream" if live else "landing streams"
        console.print(f"Continuous mode: extract every {interval:.0f}s, {streams}; Ctrl-C stops.")
        cycles = run_continuous(interval, stop, on_stage=show, live=live)
        console.print(f"Stopped after {cycles} cycles in {time.monotonic() - began:.0f}s.")
    except PipelineError as exc:
        err_console.print(f"[bold red]{exc}[/]")
        raise typer.Exit(1) from None
