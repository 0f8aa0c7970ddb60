"""`tmdb-pipeline emulator` — serve the TMDB emulator until Ctrl-C.

Every option falls back to its `EMULATOR_*` variable (or `.env`), then to the default shown.
"""

from __future__ import annotations

import typer
from rich.console import Console

from tmdb_pipeline.cli._errors import friendly_errors
from tmdb_pipeline.emulator.server import banner
from tmdb_pipeline.emulator.server import serve as serve_forever
from tmdb_pipeline.emulator.settings import load_settings
from tmdb_pipeline.settings import ConfigError
from tmdb_pipeline.stack.process import port_is_free

console = Console()


@friendly_errors
def serve(
    movies: int | None = typer.Option(None, help="Catalogue size, 10 to 1,000,000 (default 10000)."),
    seed: int | None = typer.Option(None, help="Seed of the catalogue: same seed, same movies (default 42)."),
    port: int | None = typer.Option(None, help="Port to listen on (default 8765)."),
    host: str | None = typer.Option(None, help="Address to bind (default 127.0.0.1)."),
    api_key: str | None = typer.Option(None, help="api_key accepted (default emulator-test-key)."),
    read_access_token: str | None = typer.Option(None, help="Bearer token accepted."),
    rate_limit: float | None = typer.Option(None, help="Requests/s before 429 + Retry-After (0: no limit)."),
    fail_rate: float | None = typer.Option(None, help="Share of requests answered with a 5xx, 0..1."),
    slow_rate: float | None = typer.Option(None, help="Share of requests answered slowly, 0..1."),
    malformed_rate: float | None = typer.Option(None, help="Share of answers cut short (bad JSON), 0..1."),
    mutate_rate: float | None = typer.Option(None, help="Movie changes per second, seen by /movie/changes."),
) -> None:
    """Run the TMDB emulator: TMDB v3 endpoints over a generated catalogue (Ctrl-C to stop)."""
    settings = load_settings(
        movies=movies,
        seed=seed,
        port=port,
        host=host,
        api_key=api_key,
        read_access_token=read_access_token,
        rate_limit=rate_limit,
        fail_rate=fail_rate,
        slow_rate=slow_rate,
        malformed_rate=malformed_rate,
        mutate_rate=mutate_rate,
    )
    if not port_is_free(settings.host, settings.port):
        raise ConfigError(
            f"Port {settings.port} on {settings.host} is in use: pass --port or set EMULATOR_PORT."
        )
    console.print(banner(settings), highlight=False)
    console.print("Serving; press Ctrl-C to stop.", style="dim")
    serve_forever(settings)
