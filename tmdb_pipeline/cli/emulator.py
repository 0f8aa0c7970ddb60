"""`tmdb-pipeline emulator` — placeholder; the TMDB emulator CLI is being written."""

from __future__ import annotations

import typer


def serve() -> None:
    """Run the TMDB emulator (not implemented yet)."""
    raise typer.Exit(1)
