"""`tmdb-pipeline demo` — the README's first command after setup."""

from __future__ import annotations

from rich.console import Console

from tmdb_pipeline.cli._errors import friendly_errors
from tmdb_pipeline.orchestrate.demo import run_demo


@friendly_errors
def demo() -> None:
    """Start the local stack and run the pipeline on it, printing each stage's result and time."""
    run_demo(Console())
