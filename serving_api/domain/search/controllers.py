"""/search?q=: movies by title."""

from __future__ import annotations

from typing import ClassVar

from litestar import Controller, get
from litestar.di import NamedDependency, Provide

from serving_api.domain.movies.schemas import MoviePage, MovieSummary
from serving_api.domain.search.repository import SearchRepository, provide_search_repository
from serving_api.lib.errors import error_specs
from serving_api.lib.guard import LIST, ROUTE_CLASS
from serving_api.lib.pagination import PageRequest, page_of
from serving_api.lib.params import SearchText, search_tokens


class SearchController(Controller):
    path = "/search"
    tags = ("Search",)
    dependencies: ClassVar[dict[str, Provide]] = {
        "search": Provide(provide_search_repository, sync_to_thread=False)
    }

    @get(
        "/",
        operation_id="searchMovies",
        opt={ROUTE_CLASS: LIST},
        summary="Search movies by title",
        responses=error_specs(400, 401, 429, 503, 504),
    )
    async def search_movies(
        self, search: NamedDependency[SearchRepository], paging: NamedDependency[PageRequest], q: SearchText
    ) -> MoviePage:
        """Movies whose title or original title has words starting with each word of `q`
        (case and accents ignored), most popular first."""
        words = search_tokens(q)
        found = await search.titles(words, paging) if words else ([], 0)
        return page_of(found, paging, MovieSummary.from_document)
