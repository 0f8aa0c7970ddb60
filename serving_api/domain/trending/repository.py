"""MongoDB queries behind /trending."""

from __future__ import annotations

from typing import Any

from litestar.di import NamedDependency

from serving_api.lib.mongo import Db
from serving_api.lib.pagination import PageRequest
from serving_api.lib.snapshot import Totals

Doc = dict[str, Any]


TRENDING_ORDER = [("trend_rank", 1), ("_id", 1)]


class TrendingRepository:
    def __init__(self, db: Db, totals: Totals) -> None:
        self.totals = totals
        self.trending = db["trending"]

    async def list(self, page: PageRequest) -> tuple[list[Doc], int]:
        return await self.totals.page(self.trending, {}, {"_hash": 0}, TRENDING_ORDER, page)


def provide_trending_repository(
    db: NamedDependency[Db], totals: NamedDependency[Totals]
) -> TrendingRepository:
    return TrendingRepository(db, totals)
