"""The README's first command: bring the local stack up and run the pipeline on it, stage by stage.

Each stage prints what it did and how long it took; stages that later issues add (land, transform,
serve) plug in here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table

from tmdb_pipeline.settings import IcebergSettings, KafkaSettings, MongoSettings, load
from tmdb_pipeline.stack.manager import LocalStack

LAYERS = ("bronze", "silver", "gold")


@dataclass
class StageResult:
    name: str
    seconds: float
    summary: str


def _timed(name: str, action: Callable[[], str]) -> StageResult:
    began = time.monotonic()
    summary = action()
    return StageResult(name, time.monotonic() - began, summary)


def _stack_up(stack: LocalStack) -> str:
    report = stack.up()
    parts = [f"started {', '.join(report.started)}" if report.started else "", ""]
    if report.reused:
        parts[1] = f"reused {', '.join(report.reused)}"
    return "; ".join(p for p in parts if p)


def _lakehouse_namespaces() -> str:
    """Create the Iceberg namespaces through Spark (the same catalog pyiceberg reads)."""
    from tmdb_pipeline.stack.catalog import get_catalog
    from tmdb_pipeline.stack.spark import get_spark

    spark = get_spark("tmdb-pipeline-demo")
    for layer in LAYERS:
        spark.sql(f"create namespace if not exists {layer}")
    seen = sorted(ns[0] for ns in get_catalog().list_namespaces())
    return f"Iceberg catalog '{load(IcebergSettings).catalog_name}' namespaces: {', '.join(seen)}"


def run_demo(console: Console) -> list[StageResult]:
    stack = LocalStack.from_env()
    results = []
    with console.status("Starting the local stack (Kafka, FerretDB)..."):
        results.append(_timed("stack up", lambda: _stack_up(stack)))
    with console.status("Starting Spark with the Iceberg catalog..."):
        results.append(_timed("lakehouse", _lakehouse_namespaces))

    table = Table(title="Demo")
    for column in ("stage", "seconds", "result"):
        table.add_column(column)
    for result in results:
        table.add_row(result.name, f"{result.seconds:.1f}", result.summary)
    console.print(table)
    console.print(f"Kafka bootstrap: {load(KafkaSettings).bootstrap_servers}")
    console.print(f"MongoDB (FerretDB): mongodb://127.0.0.1:{load(MongoSettings).port}/")
    console.print("Stop everything with: .venv/bin/tmdb-pipeline stack down")
    return results
