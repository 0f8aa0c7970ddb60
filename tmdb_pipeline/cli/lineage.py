"""`tmdb-pipeline lineage` — the pipeline's lineage to DataHub (or files), and as an HTML page."""

from __future__ import annotations

import logging
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from tmdb_pipeline.cli._errors import err_console, friendly_errors

console = Console()


def _recipes_table(run) -> Table:  # run: tmdb_pipeline.lineage.run.LineageRun (imported lazily)
    table = Table(title="Ingestion recipes (datahub ingest)")
    for column in ("recipe", "result", "seconds", "log"):
        table.add_column(column)
    for recipe in run.recipes:
        result = (
            f"[yellow]skipped: {recipe.skipped}[/]"
            if recipe.skipped
            else ("[green]ok[/]" if recipe.ok else f"[red]failed (exit {recipe.returncode})[/]")
        )
        table.add_row(recipe.source, result, f"{recipe.seconds:.1f}", str(recipe.log))
    return table


@friendly_errors
def lineage(
    html: Path | None = typer.Option(None, "--html", help="also write the lineage as a self-contained page"),
    recipes: bool = typer.Option(
        True, "--recipes/--no-recipes", help="also run datahub/recipes/ (kafka, iceberg, mongodb, dbt)"
    ),
    output: Path | None = typer.Option(
        None, "--output", help="folder for metadata files and rendered recipes (default DATAHUB_OUTPUT_DIR)"
    ),
) -> None:
    """Emit TMDB -> source-tmdb -> Kafka -> Bronze ... Gold -> MongoDB -> API lineage.

    Goes to DataHub when DATAHUB_GMS_URL is set, else to DataHub metadata files (file sink).
    """
    from tmdb_pipeline.lineage.recipes import RecipeSettings
    from tmdb_pipeline.lineage.run import run_lineage
    from tmdb_pipeline.lineage.sinks import LineageError

    logging.basicConfig(level=logging.WARNING)
    settings = RecipeSettings.load()
    with console.status("Building lineage" + (" and running the recipes" if recipes else "") + "..."):
        try:
            run = run_lineage(settings, recipes=recipes, html=html, output_dir=output)
        except LineageError as exc:
            err_console.print(f"[bold red]Lineage error[/]\n{exc}", highlight=False)
            raise typer.Exit(1) from None
    if run.recipes:
        console.print(_recipes_table(run))
    jobs = len(run.graph.jobs())
    console.print(
        f"Emitted {run.proposals} metadata proposals ({len(run.graph.nodes) - jobs} datasets, {jobs} jobs) "
        f"to {run.destination}"
    )
    if run.html:
        console.print(f"Lineage page: {run.html}")
    if run.connectivity is None and recipes and not settings.lineage.uses_server:
        console.print(
            "[yellow]Connectivity not checked:[/] no dbt manifest yet (run `tmdb-pipeline transform`)."
        )
    if run.connectivity is not None:
        check = run.connectivity
        if check.ok:
            console.print(
                "[green]Connected:[/] every MongoDB collection and API endpoint traces back to TMDB, "
                "and every dbt model has its upstreams."
            )
        for urn in check.unreached:
            err_console.print(f"[red]Not reached from TMDB:[/] {urn}")
        for model, deps in check.missing_upstreams.items():
            err_console.print(f"[red]dbt model {model} lacks upstreams:[/] {', '.join(deps)}")
    if not run.ok:
        raise typer.Exit(1)
