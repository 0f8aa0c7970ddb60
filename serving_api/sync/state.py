"""`_sync_state`: which Gold snapshot each collection was last synced from.

A collection is current when its source table, snapshot id and document version all match the
record and it still holds the recorded number of documents (a dropped or truncated collection is
re-synced even though Gold did not change).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from pymongo.database import Database

from serving_api.sync.reader import GoldTable

STATE_COLLECTION = "_sync_state"


@dataclass(frozen=True)
class SyncState:
    collection: str
    source: str  # namespace.table it was synced from
    snapshot_id: int | None
    documents: int
    document_version: int
    synced_at: datetime


def read_state(db: Database[dict[str, Any]], collection: str) -> SyncState | None:
    record = db[STATE_COLLECTION].find_one({"_id": collection})
    if record is None:
        return None
    return SyncState(
        collection=collection,
        source=record.get("source", ""),
        snapshot_id=record.get("snapshot_id"),
        documents=record.get("documents", -1),
        document_version=record.get("document_version", -1),
        synced_at=record["synced_at"],
    )


def record_state(db: Database[dict[str, Any]], state: SyncState) -> None:
    fields = asdict(state)
    fields.pop("collection")
    db[STATE_COLLECTION].replace_one({"_id": state.collection}, fields, upsert=True)


def is_current(state: SyncState | None, gold: GoldTable, document_version: int, documents_now: int) -> bool:
    return (
        state is not None
        and state.source == gold.identifier
        and state.snapshot_id == gold.snapshot_id
        and state.document_version == document_version
        and state.documents == documents_now
    )
