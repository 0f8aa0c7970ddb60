"""`tmdb-pipeline superset up | down | status` — Superset on 127.0.0.1 over the Spark SQL endpoint."""

from __future__ import annotations

import time

import typer
from rich.console import Console

from tmdb_pipeline.cli._errors import friendly_errors
from tmdb_pipeline.settings import StackSettings, load
from tmdb_pipeline.sql_endpoint.client import START_HINT
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import StackError, port_is_open

app = typer.Typer(help="Superset (its own environment, bi/superset/) over the Spark SQL endpoint.")
console = Console()


def _service():
    from tmdb_pipeline.stack.superset import SupersetService
    from tmdb_pipeline.superset.settings import SupersetSettings

    return SupersetService(load(StackSettings), load(SupersetSettings), load(SqlEndpointSettings))


@app.command()
@friendly_errors
def up() -> None:
    """Start Superset in the background (migrates its metadata, admin, connection) and wait for it."""
    service = _service()
    if service.busy_ports():
        raise StackError(
            f"Port {service.address} is already in use by another program: stop it or choose another "
            "SUPERSET_PORT; nothing was started."
        )
    endpoint = service.endpoint
    if not port_is_open(endpoint.host, endpoint.port):
        console.print(f"[yellow]The Spark SQL endpoint at {endpoint.address} is not running[/]: {START_HINT}")
    began = time.monotonic()
    with console.status(f"Starting Superset on {service.address}..."):
        service.start()
    console.print(
        f"Superset up on {service.settings.url} in {time.monotonic() - began:.1f}s; log in as "
        f"{service.settings.admin_username!r} with SUPERSET_ADMIN_PASSWORD (generated into "
        f"{service.root / 'secrets.json'} when unset). Stop it with `tmdb-pipeline superset down`."
    )


@app.command()
@friendly_errors
def down() -> None:
    """Stop Superset; its metadata stays under .local/superset/."""
    console.print("stopped Superset" if _service().stop() else "Superset was not running")


@app.command()
@friendly_errors
def status() -> None:
    """Whether Superset answers /health; exits 1 when it does not."""
    item = _service().status()
    console.print(f"superset {'up' if item.healthy else 'down'} {item.address} {item.detail}")
    if not item.healthy:
        raise typer.Exit(1)
