"""`run_sync()`: every Gold table into its MongoDB collection, skipping those whose snapshot was synced.

Order of work per collection: compare the table's current snapshot with `_sync_state`; when it
differs (or the collection no longer holds what was recorded), scan the pinned snapshot, upsert
changed documents, delete vanished ids, create indexes, then record the snapshot. A failure before
the record leaves the old record in place, so the next run simply redoes the comparison.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from pyiceberg.catalog import Catalog
from pymongo import MongoClient
from pymongo.database import Database
from pymongo.errors import ConnectionFailure
from pymongo.uri_parser import parse_uri

from serving_api.settings import SyncSettings
from serving_api.sync.documents import DOCUMENT_VERSION, TARGETS, Target
from serving_api.sync.reader import GoldTable, open_gold_table, read_rows
from serving_api.sync.state import SyncState, is_current, read_state, record_state
from serving_api.sync.writer import (
    WriteResult,
    WriteStrategy,
    default_strategy,
    ensure_indexes,
    write_collection,
)
from tmdb_pipeline.metrics.sync import record_sync
from tmdb_pipeline.settings import MongoSettings, load


class SyncError(Exception):
    """The sync could not run (MongoDB unreachable, unknown collection); the message says why."""


@dataclass
class CollectionReport:
    collection: str
    source: str
    snapshot_id: int | None
    skipped: bool  # snapshot already synced: nothing read, nothing written
    result: WriteResult
    seconds: float


@dataclass
class SyncReport:
    strategy: WriteStrategy = WriteStrategy.UPSERT
    collections: list[CollectionReport] = field(default_factory=list)
    seconds: float = 0.0

    def by_collection(self) -> dict[str, CollectionReport]:
        return {report.collection: report for report in self.collections}


class SyncProgress(Protocol):
    def start(self, collection: str, total: int) -> None: ...
    def advance(self, collection: str) -> None: ...
    def finish(self, report: CollectionReport) -> None: ...


def mongo_client(mongo: MongoSettings) -> MongoClient[dict[str, Any]]:
    return MongoClient(
        mongo.uri.get_secret_value(),
        serverSelectionTimeoutMS=mongo.server_selection_timeout_ms,
        tz_aware=True,
        appname="tmdb-serving-sync",
    )


def mongo_address(mongo: MongoSettings) -> str:
    """host:port list of the URI, without credentials or options (safe to print)."""
    try:
        nodes = parse_uri(mongo.uri.get_secret_value())["nodelist"]
    except Exception:
        return "(unparseable MONGO_URI)"
    return ",".join(f"{host}:{port}" for host, port in nodes)


def run_sync(
    *,
    catalog: Catalog | None = None,
    mongo: MongoSettings | None = None,
    settings: SyncSettings | None = None,
    client: MongoClient[dict[str, Any]] | None = None,
    full: bool = False,
    only: Sequence[str] = (),
    progress: SyncProgress | None = None,
) -> SyncReport:
    """Sync Gold into MongoDB; `full` ignores recorded snapshots (still writes only what differs)."""
    began = time.monotonic()
    mongo = mongo or load(MongoSettings)
    settings = settings or load(SyncSettings)
    targets = _select(only)
    if catalog is None:
        from tmdb_pipeline.stack.catalog import get_catalog

        catalog = get_catalog()
    # open every table first: a missing or drifted table stops the sync before anything is written
    tables = [open_gold_table(catalog, settings.gold_namespace, target.table) for target in targets]
    own_client = client is None
    client = client or mongo_client(mongo)
    try:
        db = client[mongo.database]
        try:
            db.command("ping")
        except ConnectionFailure:
            raise SyncError(f"MongoDB at {mongo_address(mongo)} is unreachable") from None
        strategy = (
            default_strategy(db)
            if settings.write_strategy == "auto"
            else WriteStrategy(settings.write_strategy)
        )
        report = SyncReport(strategy=strategy)
        for target, gold in zip(targets, tables, strict=True):
            report.collections.append(_sync_one(db, target, gold, settings, strategy, full, progress))
        report.seconds = time.monotonic() - began
        record_sync(report, tables)
        return report
    finally:
        if own_client:
            client.close()


def stored_count(db: Database[dict[str, Any]], name: str) -> int:
    """Documents in a collection from its metadata ($collStats), not a scan: FerretDB decodes every
    document for count_documents and even for estimated_document_count (7 s for 28k people)."""
    if name not in db.list_collection_names(filter={"name": name}):
        return 0
    stats = db[name].aggregate([{"$collStats": {"count": {}}}])
    return sum(int(part.get("count", 0)) for part in stats)  # one part per shard


def _select(only: Sequence[str]) -> list[Target]:
    known = {t.collection: t for t in TARGETS}
    unknown = [name for name in only if name not in known]
    if unknown:
        raise SyncError(f"unknown collection(s) {', '.join(unknown)}; choose from {', '.join(known)}")
    return [t for t in TARGETS if not only or t.collection in only]


def _sync_one(
    db: Database[dict[str, Any]],
    target: Target,
    gold: GoldTable,
    settings: SyncSettings,
    strategy: WriteStrategy,
    full: bool,
    progress: SyncProgress | None,
) -> CollectionReport:
    began = time.monotonic()
    collection = db[target.collection]
    state = read_state(db, target.collection)
    if progress is not None:
        progress.start(target.collection, gold.rows)
    if not full and is_current(state, gold, DOCUMENT_VERSION, stored_count(db, target.collection)):
        ensure_indexes(db, target.collection)  # one listIndexes; heals a dropped index
        result = WriteResult(unchanged=state.documents if state else 0)
        report = CollectionReport(target.collection, gold.identifier, gold.snapshot_id, True, result, 0.0)
    else:
        documents = (doc for row in read_rows(gold) if (doc := target.to_document(row)) is not None)
        advance = (lambda: progress.advance(target.collection)) if progress is not None else None
        result = write_collection(collection, documents, settings.batch_size, strategy, advance)
        ensure_indexes(db, target.collection)
        record_state(
            db,
            SyncState(
                collection=target.collection,
                source=gold.identifier,
                snapshot_id=gold.snapshot_id,
                documents=result.documents,
                document_version=DOCUMENT_VERSION,
                synced_at=datetime.now(UTC),
            ),
        )
        report = CollectionReport(target.collection, gold.identifier, gold.snapshot_id, False, result, 0.0)
    report.seconds = time.monotonic() - began
    if progress is not None:
        progress.finish(report)
    return report
