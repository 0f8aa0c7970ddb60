"""`tmdb-pipeline`: one command group per stage of the pipeline."""

from __future__ import annotations

import typer

from tmdb_pipeline.cli import (
    airflow,
    demo,
    emulator,
    extract,
    lakehouse,
    land,
    lineage,
    live,
    run,
    sentiment,
    serving,
    sql_server,
    stack,
    superset,
    transform,
)

app = typer.Typer(
    name="tmdb-pipeline",
    help="TMDB lakehouse pipeline: extract -> Kafka -> Bronze -> Silver/Gold -> MongoDB -> API.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command(name="demo")(demo.demo)
app.command(name="run")(run.run)
app.add_typer(stack.app, name="stack")
app.add_typer(lakehouse.app, name="lakehouse")
app.command(name="emulator")(emulator.serve)
app.command(name="extract")(extract.extract)
app.command(name="land")(land.land)
app.command(name="live")(live.live)
app.add_typer(sentiment.app, name="sentiment")
app.command(name="transform", context_settings=transform.PASSTHROUGH)(transform.transform)
app.command(name="dbt", context_settings=transform.PASSTHROUGH)(transform.dbt)
app.command(name="sync-serving")(serving.sync_serving)
app.command(name="api")(serving.api)
app.command(name="lineage")(lineage.lineage)
app.add_typer(sql_server.app, name="sql-server")
app.add_typer(superset.app, name="superset")
app.add_typer(airflow.app, name="airflow")


def main() -> None:
    app()
