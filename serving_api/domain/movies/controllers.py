"""/movies: list with filters and sorting, detail with credits and sentiment, reviews."""

from __future__ import annotations

from typing import Annotated, ClassVar

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from serving_api.domain.movies.repository import MovieFilters, MovieRepository, provide_movie_repository
from serving_api.domain.movies.schemas import MovieDetail, MoviePage, MovieSummary, Review, ReviewPage
from serving_api.lib.errors import error_specs
from serving_api.lib.guard import LIST, LOOKUP, ROUTE_CLASS
from serving_api.lib.pagination import PageRequest, page_of
from serving_api.lib.params import Genre, MovieId, MovieSort, Order, SentimentLabel, YearFrom, YearTo


class MovieController(Controller):
    path = "/movies"
    tags = ("Movies",)
    dependencies: ClassVar[dict[str, Provide]] = {
        "movies": Provide(provide_movie_repository, sync_to_thread=False)
    }

    @get(
        "/",
        operation_id="listMovies",
        opt={ROUTE_CLASS: LIST},
        summary="List movies",
        responses=error_specs(400, 401, 429, 503, 504),
    )
    async def list_movies(
        self,
        movies: NamedDependency[MovieRepository],
        paging: NamedDependency[PageRequest],
        genre: Genre = None,
        year_from: YearFrom = None,
        year_to: YearTo = None,
        min_rating: Annotated[
            float | None,
            Parameter(
                ge=0, le=10, description="lowest vote average", required=False, schema_extra={"minimum": 0}
            ),
        ] = None,
        min_votes: Annotated[
            int | None,
            Parameter(
                ge=0, le=10**9, description="fewest votes", required=False, schema_extra={"minimum": 0}
            ),
        ] = None,
        language: Annotated[
            str | None,
            Parameter(
                description="original language, ISO 639-1 (en, fr, ja)", pattern=r"^[a-z]{2}$", required=False
            ),
        ] = None,
        sentiment: Annotated[
            SentimentLabel | None, Parameter(description="overall review sentiment", required=False)
        ] = None,
        sort: Annotated[
            MovieSort,
            Parameter(
                description="popularity, rating (vote average), release_date or sentiment (mean review "
                "score); release_date and sentiment list only movies that have one",
                required=False,
            ),
        ] = "popularity",
        order: Order = "desc",
    ) -> MoviePage:
        """Movies matching every given filter, one page at a time."""
        filters = MovieFilters(genre, year_from, year_to, min_rating, min_votes, language, sentiment)
        return page_of(await movies.list(filters, sort, order, paging), paging, MovieSummary.from_document)

    @get(
        "/{movie_id:str}",
        operation_id="getMovie",
        opt={ROUTE_CLASS: LOOKUP},
        summary="Get a movie",
        responses=error_specs(400, 401, 404, 429, 503, 504),
    )
    async def get_movie(self, movies: NamedDependency[MovieRepository], movie_id: MovieId) -> MovieDetail:
        """One movie with its genres, top cast, directors and review sentiment."""
        doc = await movies.get(movie_id)
        if doc is None:
            raise NotFoundException(detail=f"No movie with id {movie_id}")
        return MovieDetail.from_document(doc)

    @get(
        "/{movie_id:str}/reviews",
        operation_id="listMovieReviews",
        opt={ROUTE_CLASS: LIST},
        summary="List a movie's reviews",
        responses=error_specs(400, 401, 404, 429, 503, 504),
    )
    async def list_reviews(
        self,
        movies: NamedDependency[MovieRepository],
        paging: NamedDependency[PageRequest],
        movie_id: MovieId,
        sentiment: Annotated[
            SentimentLabel | None, Parameter(description="only reviews with this sentiment", required=False)
        ] = None,
    ) -> ReviewPage:
        """A movie's reviews, newest first, each with its sentiment score, label and confidence."""
        if not await movies.exists(movie_id):
            raise NotFoundException(detail=f"No movie with id {movie_id}")
        return page_of(await movies.list_reviews(movie_id, sentiment, paging), paging, Review.from_document)
