"""MongoDB queries behind /trending."""

from __future__ import annotations

import asyncio
from typing import Any

from litestar.di import NamedDependency

from serving_api.lib.mongo import Db
from serving_api.lib.pagination import PageRequest

Doc = dict[str, Any]


class TrendingRepository:
    def __init__(self, db: Db) -> None:
        self.trending = db["trending"]

    async def list(self, page: PageRequest) -> tuple[list[Doc], int]:
        cursor = (
            self.trending.find({}, {"_hash": 0})
            .sort([("trend_rank", 1), ("_id", 1)])
            .skip(page.offset)
            .limit(page.page_size)
        )
        items, total = await asyncio.gather(cursor.to_list(), self.trending.count_documents({}))
        return items, total


def provide_trending_repository(db: NamedDependency[Db]) -> TrendingRepository:
    return TrendingRepository(db)
