"""Sync metrics: documents upserted, deleted and unchanged per collection, duration, and the commit
time of the Gold snapshot each collection serves (its age is time() minus it)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge

from tmdb_pipeline.metrics.runs import run_metrics

REGISTRY = CollectorRegistry(auto_describe=True)
JOB = "tmdb_sync"
RUN = run_metrics("sync", REGISTRY)

DOCUMENTS = Counter(
    "tmdb_sync_documents",
    "Documents written to MongoDB by action (upserted, deleted, unchanged)",
    ["collection", "action"],
    registry=REGISTRY,
)
COLLECTION_SECONDS = Gauge(
    "tmdb_sync_collection_duration_seconds",
    "Time of each collection's last sync",
    ["collection"],
    registry=REGISTRY,
)
GOLD_SNAPSHOT = Gauge(
    "tmdb_sync_gold_snapshot_timestamp_seconds",
    "Commit time of the Gold snapshot each collection serves",
    ["collection"],
    registry=REGISTRY,
)


def record_sync(report: Any, tables: Sequence[Any]) -> None:
    """`report` a serving_api SyncReport; `tables` its GoldTables, in the same order."""
    for collection, gold in zip(report.collections, tables, strict=True):
        name = collection.collection
        DOCUMENTS.labels(name, "upserted").inc(collection.result.upserted)
        DOCUMENTS.labels(name, "deleted").inc(collection.result.deleted)
        DOCUMENTS.labels(name, "unchanged").inc(collection.result.unchanged)
        COLLECTION_SECONDS.labels(name).set(collection.seconds)
        if gold.snapshot_id is not None:
            snapshot = gold.table.snapshot_by_id(gold.snapshot_id)
            if snapshot is not None:
                GOLD_SNAPSHOT.labels(name).set(snapshot.timestamp_ms / 1000)
