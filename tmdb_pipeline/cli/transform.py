"""`tmdb-pipeline transform [dbt args]` and `tmdb-pipeline dbt <command>` — dbt in the pipeline's session."""

from __future__ import annotations

import time

import typer
from rich.console import Console
from rich.table import Table

from tmdb_pipeline.cli._errors import err_console, friendly_errors
from tmdb_pipeline.metrics.stages import observed_command

console = Console()
PASSTHROUGH = {"allow_extra_args": True, "ignore_unknown_options": True, "help_option_names": []}


def _run(args: list[str]) -> None:
    from tmdb_pipeline.transform.runner import run_dbt

    began = time.monotonic()
    outcome = run_dbt(args)
    if outcome.results:
        table = Table(title=f"dbt {' '.join(args)}")
        for column in ("node", "type", "status", "seconds"):
            table.add_column(column)
        for row in outcome.results:
            colour = "green" if row["status"] in ("success", "pass") else "red"
            table.add_row(
                row["name"], row["resource_type"], f"[{colour}]{row['status']}[/]", str(row["seconds"])
            )
        console.print(table)
    statuses = {s: outcome.count(s) for s in ("success", "pass", "warn", "error", "fail", "skipped")}
    summary = ", ".join(f"{n} {s}" for s, n in statuses.items() if n)
    console.print(f"dbt {' '.join(args)}: {summary or 'done'} in {time.monotonic() - began:.1f}s")
    if not outcome.success:
        err_console.print(f"[bold red]dbt failed[/]{': ' + outcome.error if outcome.error else ''}")
        raise typer.Exit(1)


@friendly_errors
@observed_command("transform")
def transform(ctx: typer.Context) -> None:
    """Build Silver and Gold (default `dbt build`; extra arguments go to dbt, e.g. `--select marts`)."""
    _run(["build", *ctx.args] if not ctx.args or ctx.args[0].startswith("-") else list(ctx.args))


@friendly_errors
def dbt(ctx: typer.Context) -> None:
    """Any dbt command inside the pipeline's Spark session: `tmdb-pipeline dbt docs generate`, `... dbt ls`."""
    if not ctx.args:
        console.print("usage: tmdb-pipeline dbt <dbt command and arguments>")
        raise typer.Exit(2)
    _run(list(ctx.args))
