"""`tmdb-pipeline sync-serving` (Gold -> MongoDB) and `tmdb-pipeline api` (the Litestar REST API)."""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from tmdb_pipeline.cli._errors import err_console, friendly_errors
from tmdb_pipeline.metrics.stages import observed_command

# request line + headers uvicorn (h11) reads before giving up with its own plain-text 400: above
# the largest API_MAX_HEADER_BYTES (64 KiB) and API_MAX_URL_LENGTH (8 KiB) allow
H11_MAX_EVENT_BYTES = 80 * 1024

if TYPE_CHECKING:  # imported lazily at run time, so `--help` stays fast
    from serving_api.sync import CollectionReport, SyncReport

console = Console()


class _RichProgress:
    """One bar per collection: rows read from Gold, then the outcome."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.tasks: dict[str, TaskID] = {}

    def start(self, collection: str, total: int) -> None:
        self.tasks[collection] = self.progress.add_task(collection, total=total or None)

    def advance(self, collection: str) -> None:
        self.progress.advance(self.tasks[collection])

    def finish(self, report: CollectionReport) -> None:
        note = "unchanged snapshot" if report.skipped else f"{report.result.upserted:,} upserted"
        done = report.result.documents + report.result.duplicates
        self.progress.update(
            self.tasks[report.collection],
            total=done,
            completed=done,
            description=f"{report.collection} ({note})",
        )


def _summary(report: SyncReport) -> Table:
    table = Table(title="Gold -> MongoDB")
    for column in ("collection", "source", "snapshot", "run", "upserted", "unchanged", "deleted", "time"):
        left = column in ("collection", "source", "snapshot", "run")
        table.add_column(column, justify="left" if left else "right")
    for item in report.collections:
        table.add_row(
            item.collection,
            item.source,
            "-" if item.snapshot_id is None else str(item.snapshot_id),
            "skipped: already synced" if item.skipped else "synced",
            f"{item.result.upserted:,}",
            f"{item.result.unchanged:,}",
            f"{item.result.deleted:,}",
            f"{item.seconds:.2f}s",
        )
    return table


@friendly_errors
@observed_command("sync")
def sync_serving(
    full: bool = typer.Option(
        False,
        "--full",
        help="Ignore recorded snapshots and compare every row (still writes only what differs).",
    ),
    collections: list[str] | None = typer.Option(
        None, "--collection", "-c", help="Only these collections (repeat or comma-separate); default: all."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print a machine-readable summary instead."),
) -> None:
    """Sync the Gold tables into MongoDB: bulk upserts by id, deletes of vanished rows, indexes."""
    from serving_api.sync import GoldError, SyncError, run_sync
    from serving_api.sync.run import mongo_address
    from tmdb_pipeline.settings import MongoSettings, load

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    only = [part.strip() for item in collections or [] for part in item.split(",") if part.strip()]
    mongo = load(MongoSettings)
    try:
        if as_json:
            report = run_sync(full=full, only=only)
        else:
            console.print(f"Syncing Gold into MongoDB at {mongo_address(mongo)}, database {mongo.database}")
            columns = (
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
            )
            with Progress(*columns, console=console, transient=False) as progress:
                report = run_sync(full=full, only=only, progress=_RichProgress(progress))
    except (GoldError, SyncError) as exc:
        err_console.print(f"[bold red]Sync failed[/]\n{exc}", highlight=False)
        raise typer.Exit(1) from None
    if as_json:
        print(
            json.dumps(
                {
                    "seconds": round(report.seconds, 3),
                    "strategy": str(report.strategy),
                    "collections": [
                        {
                            "collection": c.collection,
                            "source": c.source,
                            "snapshot_id": c.snapshot_id,
                            "skipped": c.skipped,
                            "upserted": c.result.upserted,
                            "unchanged": c.result.unchanged,
                            "deleted": c.result.deleted,
                            "seconds": round(c.seconds, 3),
                        }
                        for c in report.collections
                    ],
                }
            )
        )
        return
    console.print(_summary(report))
    console.print(
        f"Synced {len(report.collections)} collections in {report.seconds:.1f}s "
        f"(write strategy: {report.strategy})"
    )


@friendly_errors
def api(
    host: str | None = typer.Option(None, help="Address to bind (default API_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default API_PORT, 8000)."),
    workers: int | None = typer.Option(None, help="uvicorn worker processes (default API_WORKERS, 1)."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log every request."),
) -> None:
    """Serve the REST API (Litestar on uvicorn); OpenAPI docs under /schema."""
    import uvicorn

    from serving_api.settings import ApiSettings
    from serving_api.sync.run import mongo_address
    from tmdb_pipeline.settings import MongoSettings, load

    settings = load(ApiSettings)  # fail here, with the variable's name, not inside a worker
    mongo = load(MongoSettings)
    bind_host, bind_port = host or settings.host, port or settings.port
    keys = "required (X-API-Key)" if settings.key_values() else "off"
    console.print(
        f"TMDB API on http://{bind_host}:{bind_port}  docs http://{bind_host}:{bind_port}{settings.docs_path}\n"
        f"MongoDB {mongo_address(mongo)} database {mongo.database}; API keys {keys}",
        highlight=False,
    )
    uvicorn.run(
        "serving_api.app:create_app",
        factory=True,
        host=bind_host,
        port=bind_port,
        workers=workers or settings.workers,
        log_level=settings.log_level,
        access_log=access_log,
        server_header=False,
        # h11 answers past this in plain text: kept above API_MAX_HEADER_BYTES, so our JSON 431 speaks
        h11_max_incomplete_event_size=H11_MAX_EVENT_BYTES,
    )
