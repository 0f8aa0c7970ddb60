"""MongoDB queries behind /trending."""

from __future__ import annotations

from typing import Any

from litestar.di import NamedDependency

from serving_api.lib.mongo import Db, max_time_ms
from serving_api.lib.pagination import PageRequest
from serving_api.lib.snapshot import Totals

Doc = dict[str, Any]


class TrendingRepository:
    def __init__(self, db: Db, totals: Totals) -> None:
        self.totals = totals
        self.trending = db["trending"]

    async def list(self, page: PageRequest) -> tuple[list[Doc], int]:
        cursor = (
            self.trending.find({}, {"_hash": 0}, max_time_ms=max_time_ms())
            .sort([("trend_rank", 1), ("_id", 1)])
            .skip(page.offset)
            .limit(page.page_size)
        )
        read = {"skip": page.offset, "limit": page.page_size}
        items = await self.totals.cached(self.trending.name, read, cursor.to_list)
        return items, await self.totals.of(self.trending, {}, page, len(items))


def provide_trending_repository(
    db: NamedDependency[Db], totals: NamedDependency[Totals]
) -> TrendingRepository:
    return TrendingRepository(db, totals)
