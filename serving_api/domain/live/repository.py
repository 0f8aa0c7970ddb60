"""MongoDB reads behind the live routes: the speed layer's `live_*` collections, always read fresh
(they change every few seconds, so neither the resident copies nor Gold's snapshot ETags apply),
and Gold's collections for the fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.datastructures import State
from litestar.di import NamedDependency

from serving_api.lib.mongo import Db, max_time_ms
from serving_api.sync.state import STATE_COLLECTION

Doc = dict[str, Any]
HEARTBEAT = {"_id": "job"}  # written by spark_streaming/live.py
RECENT = {"_id": 0}


def _utc(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value


class LiveRepository:
    def __init__(self, db: Db, max_age_s: float) -> None:
        self.db = db
        self.max_age = timedelta(seconds=max_age_s)

    async def live_as_of(self, now: datetime) -> datetime | None:
        """The speed layer's last heartbeat, when recent enough to serve; else None (use Gold)."""
        status = await self.db["live_status"].find_one(HEARTBEAT, max_time_ms=max_time_ms())
        beat = _utc(status.get("heartbeat_at")) if status else None
        return beat if beat is not None and now - beat <= self.max_age else None

    async def _find(self, collection: str, query: Doc, limit: int = 0) -> list[Doc]:
        cursor = self.db[collection].find(query, RECENT, max_time_ms=max_time_ms())
        if limit:
            cursor = cursor.sort("window_start", -1).limit(limit)
        docs = await cursor.to_list(None)
        for doc in docs:
            for key, value in doc.items():
                if isinstance(value, datetime):
                    doc[key] = _utc(value)
        return docs

    async def review_buckets(self, movie_id: int, now: datetime) -> list[Doc]:
        return await self._find(
            "live_movie_reviews", {"movie_id": movie_id, "window_end": {"$gt": now - timedelta(days=7)}}
        )

    async def popularity_buckets(self, movie_id: int) -> list[Doc]:
        return await self._find("live_movie_popularity", {"movie_id": movie_id}, limit=48)

    async def recent_popularity(self, now: datetime) -> list[Doc]:
        return await self._find("live_movie_popularity", {"window_end": {"$gt": now - timedelta(days=1)}})

    async def genre_buckets(self, genre: str, now: datetime) -> list[Doc]:
        return await self._find(
            "live_genre_activity", {"genre": genre, "window_end": {"$gt": now - timedelta(days=1)}}
        )

    # Gold, for the fallback and for what the speed layer does not hold

    async def gold_synced_at(self, collection: str) -> datetime | None:
        state = await self.db[STATE_COLLECTION].find_one({"_id": collection}, max_time_ms=max_time_ms())
        return _utc(state.get("synced_at")) if state else None

    async def gold_movie(self, movie_id: int) -> Doc | None:
        fields = {"title": 1, "popularity": 1, "vote_average": 1, "vote_count": 1}
        return await self.db["movie_cards"].find_one({"_id": movie_id}, fields, max_time_ms=max_time_ms())

    async def gold_reviews_since(self, movie_id: int, since: datetime) -> int:
        budget = max_time_ms()
        return await self.db["reviews"].count_documents(
            {"movie_id": movie_id, "created_at": {"$gte": since}}, **({"maxTimeMS": budget} if budget else {})
        )

    async def gold_trending(self, limit: int) -> list[Doc]:
        cursor = self.db["trending"].find({}, {"_hash": 0}, max_time_ms=max_time_ms())
        return await cursor.sort([("trend_rank", 1), ("_id", 1)]).limit(limit).to_list(None)

    async def gold_genre_rows(self, genre: str) -> list[Doc]:
        cursor = self.db["genre_stats"].find(
            {"genre": genre}, {"movie_count": 1, "avg_popularity": 1}, max_time_ms=max_time_ms()
        )
        return await cursor.to_list(None)


def provide_live_repository(db: NamedDependency[Db], state: State) -> LiveRepository:
    return LiveRepository(db, state.settings.live_max_age_s)
