"""/trending: the movies whose popularity moved most, by rank."""

from __future__ import annotations

from typing import ClassVar

from litestar import Controller, get
from litestar.di import NamedDependency, Provide

from serving_api.domain.trending.repository import TrendingRepository, provide_trending_repository
from serving_api.domain.trending.schemas import TrendingMovie, TrendingPage
from serving_api.lib.errors import error_specs
from serving_api.lib.guard import LIST, ROUTE_CLASS
from serving_api.lib.pagination import PageRequest, page_of


class TrendingController(Controller):
    path = "/trending"
    tags = ("Trending",)
    dependencies: ClassVar[dict[str, Provide]] = {
        "trending": Provide(provide_trending_repository, sync_to_thread=False)
    }

    @get(
        "/",
        operation_id="listTrending",
        opt={ROUTE_CLASS: LIST},
        summary="List trending movies",
        responses=error_specs(400, 401, 429, 503, 504),
    )
    async def list_trending(
        self, trending: NamedDependency[TrendingRepository], paging: NamedDependency[PageRequest]
    ) -> TrendingPage:
        """Trending movies, rank 1 first (largest popularity gain since the previous observation)."""
        return page_of(await trending.list(paging), paging, TrendingMovie.from_document)
