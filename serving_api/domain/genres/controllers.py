"""/genres/stats: per-genre totals over a range of release years."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.params import Parameter

from serving_api.domain.genres.repository import GenreRepository, provide_genre_repository, stats_match
from serving_api.domain.genres.schemas import GenreStatsList
from serving_api.domain.genres.stats import genre_totals, sort_genres
from serving_api.lib.errors import error_specs
from serving_api.lib.guard import LIST, ROUTE_CLASS
from serving_api.lib.params import Genre, Order, YearFrom, YearTo

GenreSort = Literal["movie_count", "avg_vote_average", "avg_popularity", "total_revenue", "genre"]


class GenreController(Controller):
    path = "/genres"
    tags = ("Genres",)
    dependencies: ClassVar[dict[str, Provide]] = {
        "genres": Provide(provide_genre_repository, sync_to_thread=False)
    }

    @get(
        "/stats",
        operation_id="getGenreStats",
        opt={ROUTE_CLASS: LIST},
        summary="Genre statistics",
        responses=error_specs(400, 401, 429, 503, 504),
    )
    async def genre_stats(
        self,
        genres: NamedDependency[GenreRepository],
        genre: Genre = None,
        year_from: YearFrom = None,
        year_to: YearTo = None,
        include_years: Annotated[
            bool, Parameter(description="add each genre's per-year rows", required=False)
        ] = False,
        sort: Annotated[
            GenreSort, Parameter(description="order of the genres", required=False)
        ] = "movie_count",
        order: Order = "desc",
    ) -> GenreStatsList:
        """Movie count, average rating, popularity and sentiment, and total revenue per genre
        over the requested release years (all years by default)."""
        rows = await genres.rows(stats_match(genre, year_from, year_to))
        items = sort_genres(genre_totals(rows, include_years), sort, order)
        return GenreStatsList(items=items, year_from=year_from, year_to=year_to)
