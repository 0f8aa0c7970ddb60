"""`tmdb-pipeline airflow up | down | status | prepare` — Airflow on 127.0.0.1 running the batch pass's DAG."""

from __future__ import annotations

import time

import typer
from rich.console import Console

from tmdb_pipeline.cli._errors import friendly_errors
from tmdb_pipeline.settings import StackSettings, load
from tmdb_pipeline.stack.process import StackError

app = typer.Typer(
    help="Airflow (its own environment, orchestration/airflow/) running the batch pass as a DAG "
    "(`tmdb_batch_pass`: one task per stage and per dbt model) and the lakehouse's daily maintenance "
    "(`tmdb_lakehouse_maintenance`)."
)
console = Console()


def service():
    from tmdb_pipeline.airflow.settings import AirflowSettings
    from tmdb_pipeline.lineage.settings import LineageSettings
    from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
    from tmdb_pipeline.stack.airflow import AirflowService

    return AirflowService(
        load(StackSettings), load(AirflowSettings), load(SqlEndpointSettings), load(LineageSettings)
    )


@app.command()
@friendly_errors
def up() -> None:
    """Start Airflow in the background (DAG artifacts, metadata migration, admin) and wait for it."""
    airflow = service()
    if airflow.busy_ports():
        raise StackError(
            f"Port(s) {', '.join(map(str, airflow.busy_ports()))} on {airflow.stack.host} are in use by "
            "another program: stop it or choose another AIRFLOW_PORT / AIRFLOW_LOG_SERVER_PORT; "
            "nothing was started."
        )
    began = time.monotonic()
    with console.status(f"Starting Airflow on {airflow.address} (the first start migrates its metadata)..."):
        airflow.start()
    console.print(
        f"Airflow up on {airflow.settings.url} in {time.monotonic() - began:.1f}s; log in as "
        f"{airflow.settings.admin_username!r} with AIRFLOW_ADMIN_PASSWORD (generated into "
        f"{airflow.root / 'secrets.json'} when unset). The DAGs `tmdb_batch_pass` and "
        "`tmdb_lakehouse_maintenance` start paused: unpause or trigger them in the UI. Stop Airflow with `tmdb-pipeline airflow down`."
    )


@app.command()
@friendly_errors
def down() -> None:
    """Stop Airflow; its metadata and task logs stay under .local/airflow/."""
    console.print("stopped Airflow" if service().stop() else "Airflow was not running")


@app.command()
@friendly_errors
def status() -> None:
    """Whether Airflow's API server, scheduler and DAG processor are healthy; exits 1 when not."""
    item = service().status()
    console.print(f"airflow {'up' if item.healthy else 'down'} {item.address} {item.detail}")
    if not item.healthy:
        raise typer.Exit(1)


@app.command()
@friendly_errors
def prepare() -> None:
    """Write what the DAG reads: dbt's manifest (`dbt parse`) and the lineage plan (`up` does it too)."""
    airflow = service()
    with console.status("Parsing the dbt project and writing the lineage plan..."):
        artifacts = airflow.prepare_artifacts()
    console.print(f"wrote {artifacts.manifest} and {artifacts.plan} in {artifacts.seconds:.1f}s")
