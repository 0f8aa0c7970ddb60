"""Write documents into a collection: upsert what changed, leave what did not, delete what is gone.

Changed means a different `_hash`: the collection's ids and hashes are read once, so a re-run over
the same Gold rows sends no writes at all. Writes are bulk batches keyed by `_id`, in one of two
strategies:

- `upsert` (MongoDB): unordered `ReplaceOne(upsert=True)`; a document is never absent mid-sync.
- `delete_insert` (FerretDB): FerretDB 1.x on SQLite scans the whole collection for every update
  statement (hundreds of replaces into a few thousand documents take minutes), while inserts and
  `_id $in` deletes are fast; so changed ids are deleted and re-inserted in one ordered batch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pymongo import DeleteMany, InsertOne, ReplaceOne
from pymongo.collection import Collection
from pymongo.database import Database

from serving_api.sync.documents import Document
from serving_api.sync.indexes import INDEXES

DELETE_CHUNK = 1000


class WriteStrategy(StrEnum):
    UPSERT = "upsert"
    DELETE_INSERT = "delete_insert"


def is_ferretdb(db: Database[dict[str, Any]]) -> bool:
    return "ferretdbVersion" in db.client.admin.command("buildInfo")


def default_strategy(db: Database[dict[str, Any]]) -> WriteStrategy:
    return WriteStrategy.DELETE_INSERT if is_ferretdb(db) else WriteStrategy.UPSERT


@dataclass
class WriteResult:
    upserted: int = 0  # inserted or replaced
    unchanged: int = 0
    deleted: int = 0
    duplicates: int = 0  # rows whose id was already seen in this run (the first one wins)

    @property
    def documents(self) -> int:
        return self.upserted + self.unchanged


class _Batch:
    def __init__(self, collection: Collection[dict[str, Any]], strategy: WriteStrategy) -> None:
        self.collection = collection
        self.strategy = strategy
        self.new: list[Document] = []
        self.changed: list[Document] = []

    def __len__(self) -> int:
        return len(self.new) + len(self.changed)

    def flush(self) -> None:
        if not self:
            return
        if self.strategy is WriteStrategy.UPSERT:
            ops: list[Any] = [ReplaceOne({"_id": d["_id"]}, d, upsert=True) for d in self.new + self.changed]
            self.collection.bulk_write(ops, ordered=False)
        else:
            ops = [DeleteMany({"_id": {"$in": [d["_id"] for d in self.changed]}})] if self.changed else []
            ops += [InsertOne(d) for d in self.new + self.changed]
            self.collection.bulk_write(ops, ordered=True)  # the delete must precede the inserts
        self.new, self.changed = [], []


def write_collection(
    collection: Collection[dict[str, Any]],
    documents: Iterable[Document],
    batch_size: int,
    strategy: WriteStrategy = WriteStrategy.UPSERT,
    on_document: Callable[[], None] | None = None,
) -> WriteResult:
    existing = {doc["_id"]: doc.get("_hash") for doc in collection.find({}, {"_hash": 1})}
    result = WriteResult()
    seen: set[Any] = set()
    batch = _Batch(collection, strategy)
    for document in documents:
        if on_document is not None:
            on_document()
        key = document["_id"]
        if key in seen:
            result.duplicates += 1
            continue
        seen.add(key)
        if key not in existing:
            batch.new.append(document)
        elif existing[key] != document["_hash"]:
            batch.changed.append(document)
        else:
            result.unchanged += 1
            continue
        result.upserted += 1
        if len(batch) >= batch_size:
            batch.flush()
    batch.flush()
    gone = [key for key in existing if key not in seen]
    for start in range(0, len(gone), DELETE_CHUNK):
        collection.delete_many({"_id": {"$in": gone[start : start + DELETE_CHUNK]}})
    result.deleted = len(gone)
    return result


def ensure_indexes(db: Database[dict[str, Any]], collection: str) -> list[str]:
    """Create the missing indexes (and recreate any whose keys changed); returns those created.

    One index per call, and only missing ones: FerretDB 1.24 crashes the connection when
    createIndexes names several indexes of which some already exist.
    """
    coll = db[collection]
    existing = coll.index_information()
    created = []
    for model in INDEXES.get(collection, []):
        spec = model.document
        name = spec["name"]
        keys = list(spec["key"].items())
        if name in existing:
            if [(k, int(v)) for k, v in existing[name]["key"]] == keys:
                continue
            coll.drop_index(name)
        coll.create_indexes([model])
        created.append(name)
    return created
