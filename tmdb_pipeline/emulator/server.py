"""Build the emulator's ASGI app from settings and serve it with uvicorn."""

from __future__ import annotations

import uvicorn

from tmdb_pipeline.emulator.app import create_app
from tmdb_pipeline.emulator.gate import Gate
from tmdb_pipeline.emulator.service import Emulator
from tmdb_pipeline.emulator.settings import EmulatorSettings, load_settings


def build_app(settings: EmulatorSettings) -> Gate:
    emulator = Emulator(settings)
    return Gate(create_app(emulator), emulator)


def banner(settings: EmulatorSettings) -> str:
    base = f"http://{settings.host}:{settings.port}"
    limit = f"{settings.rate_limit:g} req/s" if settings.rate_limit else "none"
    return "\n".join(
        [
            f"TMDB emulator: {settings.movies:,} movies, seed {settings.seed}",
            f"  base URL            {base}/3",
            f"  api_key             {settings.api_key}",
            f"  read access token   {settings.read_access_token}",
            "  (the emulator's own test credentials: not secrets, valid only here)",
            f"  admin               {base}/__admin/stats",
            f"  rate limit {limit}; faults 5xx {settings.fail_rate:g}, slow {settings.slow_rate:g}, "
            f"malformed {settings.malformed_rate:g}; changes {settings.mutate_rate:g}/s",
        ]
    )


def serve(settings: EmulatorSettings) -> None:
    """Serve until interrupted (Ctrl-C or SIGTERM)."""
    uvicorn.run(
        build_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        lifespan="on",
    )


def main() -> None:
    settings = load_settings()
    print(banner(settings), flush=True)
    serve(settings)
