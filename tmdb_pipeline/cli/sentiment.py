"""`tmdb-pipeline sentiment ...` — placeholder; the sentiment CLI is being written."""

from __future__ import annotations

import typer

app = typer.Typer(help="Review sentiment: train, score, eval.")
