"""`tmdb-pipeline stack install | up | down | status` — the local services on 127.0.0.1."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

from tmdb_pipeline.cli._errors import friendly_errors
from tmdb_pipeline.orchestrate.stack import local_stack

app = typer.Typer(help="Start, stop and inspect the local stack (Kafka, MongoDB protocol server).")
console = Console()


def _status_table() -> tuple[Table, bool]:
    table = Table(title="Local stack")
    for column in ("service", "state", "address", "pid", "detail"):
        table.add_column(column)
    all_ok = True
    for item in local_stack().status():
        all_ok &= item.healthy
        state = "[green]up[/]" if item.healthy else "[red]down[/]"
        table.add_row(item.name, state, item.address, str(item.pid or "-"), item.detail)
    return table, all_ok


@app.command()
@friendly_errors
def install() -> None:
    """Download and build everything the stack runs (idempotent, cached under .local/)."""
    began = time.monotonic()
    with console.status("Resolving Kafka and Spark jars from Maven Central, building FerretDB..."):
        local_stack().install()
    console.print(f"Installed in {time.monotonic() - began:.1f}s")


@app.command()
@friendly_errors
def up() -> None:
    """Start every service (reusing those already up) and wait until each is healthy."""
    began = time.monotonic()
    with console.status("Starting the local stack..."):
        report = local_stack().up()
    for name in report.started:
        console.print(f"started [bold]{name}[/] in {report.seconds[name]:.1f}s")
    for name in report.reused:
        console.print(f"[dim]{name} already running, reused[/]")
    table, _ = _status_table()
    console.print(table)
    console.print(f"Stack up in {time.monotonic() - began:.1f}s. Stop it with `tmdb-pipeline stack down`.")


@app.command()
@friendly_errors
def down() -> None:
    """Stop every service; data stays under .local/ for the next `up`."""
    stopped = local_stack().down()
    console.print("stopped: " + (", ".join(stopped) if stopped else "nothing was running"))


@app.command()
@friendly_errors
def status() -> None:
    """One line per service; exits 1 when any service is down."""
    table, all_ok = _status_table()
    console.print(table)
    if not all_ok:
        raise typer.Exit(1)
