"""`tmdb-pipeline extract` — run source-tmdb as Airbyte would and produce its records to Kafka."""

from __future__ import annotations

import json
import logging

import typer
from rich.console import Console
from rich.live import Live
from rich.table import Table

from tmdb_pipeline.cli._errors import err_console, friendly_errors
from tmdb_pipeline.metrics.stages import observed_command

console = Console()


def _table(summary, title: str) -> Table:
    table = Table(title=title)
    for column in ("stream", "topic", "records", "records/s", "requests", "checkpoints"):
        table.add_column(column, justify="left" if column in ("stream", "topic") else "right")
    elapsed = max(summary.elapsed_s, 1e-9)
    for progress in summary.streams.values():
        table.add_row(
            progress.name,
            progress.topic,
            f"{progress.records:,}",
            f"{progress.records / elapsed:,.0f}",
            f"{progress.requests:,}" if progress.requests else "-",
            str(progress.checkpoints),
        )
    table.add_row(
        "[bold]total[/]", "", f"[bold]{summary.records:,}[/]", f"{summary.records / elapsed:,.0f}", "", ""
    )
    return table


@friendly_errors
@observed_command("extract")
def extract(
    streams: list[str] | None = typer.Option(
        None, "--streams", "-s", help="Streams to sync (repeat or comma-separate); default: all."
    ),
    full_refresh: bool = typer.Option(False, "--full-refresh", help="Ignore the saved state."),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary instead."),
) -> None:
    """Run source-tmdb (spec/discover/read, Airbyte protocol) and produce every record to Kafka."""
    from tmdb_pipeline.extract.connector import ConnectorError
    from tmdb_pipeline.extract.runner import ExtractFailed, run_extract
    from tmdb_pipeline.extract.sink import BrokerUnreachable, DeliveryError

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    wanted = [part for item in streams or [] for part in item.split(",") if part]
    try:
        if as_json:
            summary = run_extract(wanted, full_refresh)
        else:
            with Live(console=console, refresh_per_second=4, transient=True) as live:
                summary = run_extract(wanted, full_refresh, lambda s: live.update(_table(s, "Extracting…")))
    except ExtractFailed as failed:
        if as_json:
            print(json.dumps(failed.summary.as_dict(), indent=2))
        else:
            console.print(_table(failed.summary, "Extract (failed)"))
        err_console.print(
            f"[bold red]The connector failed:[/] {failed}\nThe saved state stays at the last checkpoint "
            "Kafka fully acknowledged; rerun to resume."
        )
        raise typer.Exit(1) from None
    except (BrokerUnreachable, DeliveryError, ConnectorError) as exc:
        err_console.print(f"[bold red]Extract failed:[/] {exc}")
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(summary.as_dict(), indent=2))
        return
    console.print(_table(summary, "Extract"))
    rate = summary.records / max(summary.elapsed_s, 1e-9)
    console.print(
        f"{summary.records:,} records in {summary.elapsed_s:.1f}s ({rate:,.0f}/s); "
        f"malformed protocol lines: {summary.malformed_lines}; state saved to {summary.state_file}"
    )
