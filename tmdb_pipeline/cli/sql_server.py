"""`tmdb-pipeline sql-server [up | down | status]` — the Spark SQL endpoint (Thrift, for dbt and BI tools)."""

from __future__ import annotations

import logging
import time

import typer
from rich.console import Console

from tmdb_pipeline.cli._errors import friendly_errors
from tmdb_pipeline.settings import SparkSettings, StackSettings, load
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import StackError, port_is_free

app = typer.Typer(
    help="The Spark SQL endpoint: Spark's Thrift server on the pipeline's session (Iceberg catalog, "
    "review_sentiment UDF). Without a subcommand it runs in the foreground until Ctrl-C."
)
console = Console()


def _service():
    from tmdb_pipeline.stack.sql_endpoint import SqlEndpointService

    return SqlEndpointService(load(StackSettings), load(SqlEndpointSettings), load(SparkSettings))


@app.callback(invoke_without_command=True)
@friendly_errors
def serve(ctx: typer.Context) -> None:
    """Run the endpoint in this process until Ctrl-C (what `up`, the stack and containers run)."""
    if ctx.invoked_subcommand is not None:
        return
    from tmdb_pipeline.sql_endpoint.server import serve as run_server

    settings = load(SqlEndpointSettings)
    if not port_is_free(settings.host, settings.port):
        raise StackError(
            f"Port {settings.address} is already in use: another endpoint or program holds it. Stop it "
            "(`tmdb-pipeline sql-server down`) or choose another SQL_ENDPOINT_PORT."
        )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    console.print(f"Starting the Spark SQL endpoint on {settings.address} (Ctrl-C stops it)...")
    run_server(settings)


@app.command()
@friendly_errors
def up() -> None:
    """Start the endpoint in the background (reused when already up) and wait until it answers."""
    service = _service()
    busy = service.busy_ports()
    if busy:
        raise StackError(
            f"Port {service.address} is already in use by another program: stop it or choose another "
            "SQL_ENDPOINT_PORT; nothing was started."
        )
    began = time.monotonic()
    with console.status(f"Starting the Spark SQL endpoint on {service.address}..."):
        service.start()
    console.print(
        f"Spark SQL endpoint up on hive://{service.address} in {time.monotonic() - began:.1f}s "
        f"(log {service.log_file}). Stop it with `tmdb-pipeline sql-server down`."
    )


@app.command()
@friendly_errors
def down() -> None:
    """Stop the background endpoint."""
    stopped = _service().stop()
    console.print("stopped the SQL endpoint" if stopped else "the SQL endpoint was not running")


@app.command()
@friendly_errors
def status() -> None:
    """Whether the endpoint answers a query; exits 1 when it does not."""
    item = _service().status()
    console.print(f"sql-endpoint {'up' if item.healthy else 'down'} {item.address} {item.detail}")
    if not item.healthy:
        raise typer.Exit(1)
