"""The Gold snapshot the sync last served, and the reads remembered under it.

The served data changes only when the sync records a new snapshot in `_sync_state` (one small
document per collection). That record is read at most once per `API_SNAPSHOT_REFRESH_MS` and
names everything derived from the data: ETag and Last-Modified, and the reads (pages, totals,
lookups) kept in a bounded LRU under the snapshot's tag, so each is asked of MongoDB at most once
per snapshot while it stays cached. That is what makes FerretDB on SQLite usable: it decodes every
document of a collection for any query but an `_id` string lookup (seconds at 10k movies).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

import msgspec
from litestar import Litestar
from litestar.datastructures import State
from pymongo.asynchronous.collection import AsyncCollection

from serving_api.lib.mongo import Db, max_time_ms
from serving_api.lib.pagination import PageRequest
from serving_api.lib.resident import ResidentCollections, Unsupported
from serving_api.sync.state import STATE_COLLECTION

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    tag: str  # changes whenever any collection is re-synced
    last_modified: datetime | None  # the latest sync that recorded a snapshot
    documents: dict[str, int]  # documents per collection, as the sync wrote them


def snapshot_of(records: list[dict[str, Any]]) -> Snapshot:
    # repr, not JSON: snapshot ids come back as bson Int64
    keyed = sorted(
        repr(
            (
                str(r["_id"]),
                r.get("source"),
                r.get("snapshot_id"),
                r.get("documents"),
                r.get("document_version"),
            )
        )
        for r in records
    )
    tag = hashlib.blake2b("\n".join(keyed).encode(), digest_size=8).hexdigest()
    synced = [r["synced_at"] for r in records if isinstance(r.get("synced_at"), datetime)]
    documents = {str(r["_id"]): int(r["documents"]) for r in records if isinstance(r.get("documents"), int)}
    return Snapshot(tag=tag, last_modified=max(synced, default=None), documents=documents)


class SnapshotCache:
    """`_sync_state` read once per refresh interval, however many requests ask meanwhile."""

    def __init__(self, refresh_s: float, on_new: Callable[[Db, Snapshot], None] | None = None) -> None:
        self.refresh_s = refresh_s
        self.on_new = on_new  # called with each snapshot whose tag differs from the last one's
        self._snapshot: Snapshot | None = None
        self._read_at = 0.0
        self._lock = asyncio.Lock()

    async def current(self, db: Db) -> Snapshot:
        if self._fresh():
            assert self._snapshot is not None
            return self._snapshot
        async with self._lock:  # one request re-reads; the others wait for its answer
            if not self._fresh():
                records = await db[STATE_COLLECTION].find({}).to_list()
                previous, self._snapshot = self._snapshot, snapshot_of(records)
                self._read_at = time.monotonic()
                if self.on_new is not None and (previous is None or previous.tag != self._snapshot.tag):
                    self.on_new(db, self._snapshot)
            assert self._snapshot is not None
            return self._snapshot

    def _fresh(self) -> bool:
        return self._snapshot is not None and time.monotonic() - self._read_at < self.refresh_s


class ReadCache:
    """Read results by (snapshot, collection, what was read); concurrent identical reads share one."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._totals: OrderedDict[tuple[str, str, bytes], Any] = OrderedDict()
        self._pending: dict[tuple[str, str, bytes], asyncio.Future[Any]] = {}

    async def get(
        self, snapshot: Snapshot, collection: str, query: dict[str, Any], count: Callable[[], Awaitable[T]]
    ) -> T:
        if not self.size:
            return await count()  # caching off: every read goes to MongoDB
        key = (snapshot.tag, collection, msgspec.json.encode(query, order="sorted"))
        if key in self._totals:
            self._totals.move_to_end(key)
            cached: T = self._totals[key]
            return cached
        if key in self._pending:
            shared: T = await asyncio.shield(self._pending[key])
            return shared
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._pending[key] = future
        try:
            total = await count()
        except BaseException as exc:
            future.set_exception(exc)
            future.exception()  # retrieved here, so an unawaited failure is not logged as lost
            raise
        finally:
            del self._pending[key]
        future.set_result(total)
        self._totals[key] = total
        while len(self._totals) > self.size:
            self._totals.popitem(last=False)
        return total


class Totals:
    """A request's reads under the current snapshot: cached reads, and the total behind a page,
    counted only when the page itself cannot tell it."""

    def __init__(
        self, db: Db, snapshots: SnapshotCache, counts: ReadCache, resident: ResidentCollections | None = None
    ) -> None:
        self.db = db
        self.snapshots = snapshots
        self.counts = counts
        self.resident = resident

    async def page(
        self,
        collection: AsyncCollection[dict[str, Any]],
        query: dict[str, Any],
        projection: dict[str, int],
        spec: list[tuple[str, int]],
        page: PageRequest,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of `find(query, projection).sort(spec)` and the total behind it: from the
        collection's resident copy when it has one (lib/resident.py), else from MongoDB."""
        snapshot = await self.snapshots.current(self.db)
        read = {
            "find": query,
            "projection": projection,
            "sort": spec,
            "skip": page.offset,
            "limit": page.page_size,
        }
        answer = await self._resident(snapshot, collection, read, query, projection, spec, page)
        if answer is not None:
            return answer
        cursor = (
            collection.find(query, projection, max_time_ms=max_time_ms())
            .sort(spec)
            .skip(page.offset)
            .limit(page.page_size)
        )
        items = await self.counts.get(snapshot, collection.name, read, cursor.to_list)
        return items, await self.of(collection, query, page, len(items))

    async def of(
        self,
        collection: AsyncCollection[dict[str, Any]],
        query: dict[str, Any],
        page: PageRequest,
        found: int,
    ) -> int:
        if found < page.page_size and (found or page.offset == 0):
            return page.offset + found  # a page that is not full is the last one
        snapshot = await self.snapshots.current(self.db)
        if not query and collection.name in snapshot.documents:
            return snapshot.documents[collection.name]  # the sync counted it

        async def count() -> int:
            budget = max_time_ms()
            return await collection.count_documents(query, **({"maxTimeMS": budget} if budget else {}))

        return await self.counts.get(snapshot, collection.name, {"count": query}, count)

    async def find_all(
        self,
        collection: AsyncCollection[dict[str, Any]],
        query: dict[str, Any],
        projection: dict[str, int],
        spec: list[tuple[str, int]],
    ) -> list[dict[str, Any]]:
        """Every document of `find(query, projection).sort(spec)` (small, bounded results)."""
        snapshot = await self.snapshots.current(self.db)
        read = {"find": query, "projection": projection, "sort": spec}
        answer = await self._resident(snapshot, collection, read, query, projection, spec, None)
        if answer is not None:
            return answer[0]
        cursor = collection.find(query, projection, max_time_ms=max_time_ms()).sort(spec)
        found: list[dict[str, Any]] = await self.counts.get(snapshot, collection.name, read, cursor.to_list)
        return found

    async def _resident(
        self,
        snapshot: Snapshot,
        collection: AsyncCollection[dict[str, Any]],
        read: dict[str, Any],
        query: dict[str, Any],
        projection: dict[str, int],
        spec: list[tuple[str, int]],
        page: PageRequest | None,
    ) -> tuple[list[dict[str, Any]], int] | None:
        """(documents, total) from the collection's resident copy (lib/resident.py), the whole
        result when `page` is None; None when MongoDB answers instead."""
        if self.resident is None:
            return None
        name = collection.name
        copy = await self.resident.get(self.db, snapshot.tag, name, snapshot.documents.get(name))
        if copy is None:
            return None

        async def find() -> tuple[list[dict[str, Any]], int]:
            if page is None:
                return copy.find(query, projection, spec, 0, len(copy.documents))
            return copy.find(query, projection, spec, page.offset, page.page_size)

        try:
            items, total = await self.counts.get(snapshot, name, {"resident": read}, find)
        except Unsupported:
            return None  # MongoDB answers what the copy cannot
        if not copy.complete:
            items = await self._by_id(collection, [item["_id"] for item in items], projection)
        return items, total

    async def _by_id(
        self, collection: AsyncCollection[dict[str, Any]], ids: list[Any], projection: dict[str, int]
    ) -> list[dict[str, Any]]:
        """The documents of `ids`, in that order: one `_id` lookup each, concurrently (FerretDB
        uses its `_id` index for a single-id lookup only, not for `$in`)."""

        def lookup(key: Any) -> Callable[[], Awaitable[dict[str, Any] | None]]:
            return lambda: collection.find_one({"_id": key}, projection, max_time_ms=max_time_ms())

        found = await asyncio.gather(
            *(
                self.cached(collection.name, {"_id": key, "projection": projection}, lookup(key))
                for key in ids
            )
        )
        return [doc for doc in found if doc is not None]  # gone since the snapshot: a sync is running

    async def cached(self, collection: str, read: dict[str, Any], fetch: Callable[[], Awaitable[T]]) -> T:
        """`fetch()`'s result, asked of MongoDB once per snapshot while it stays in the cache."""
        snapshot = await self.snapshots.current(self.db)
        return await self.counts.get(snapshot, collection, read, fetch)


@asynccontextmanager
async def resident_warmth(app: Litestar) -> AsyncIterator[None]:
    """Lifespan (after the MongoDB client's): read the snapshot once at startup, which starts
    loading its resident copies before the first request needs them."""

    async def first_read() -> None:
        with contextlib.suppress(Exception):  # down or slow: the requests will say so
            await app.state.snapshots.current(app.state.db)

    task = asyncio.get_running_loop().create_task(first_read())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def provide_totals(state: State) -> Totals:
    totals: Totals = Totals(state.db, state.snapshots, state.counts, state.resident)
    return totals
