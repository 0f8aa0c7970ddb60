"""The Litestar app: TMDB v3 routes (one controller per resource) and the `/__admin` controller.

Handlers parse nothing themselves beyond the path: they hand the raw query values to `Emulator`,
which raises `TmdbError` for bad input; the exception handlers turn that into TMDB's bodies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any, ClassVar

import msgspec
from litestar import Controller, Litestar, Request, Response, get, post
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.status_codes import HTTP_400_BAD_REQUEST

from tmdb_pipeline.emulator.errors import ERRORS, TmdbError, ValidationFailed, error_body
from tmdb_pipeline.emulator.service import Emulator

log = logging.getLogger(__name__)
JSON = "application/json;charset=utf-8"
TICK_S = 0.5  # how often the background task applies due changes when nobody is asking


def _json(payload: Any, status: int = 200) -> Response[bytes]:
    return Response(content=msgspec.json.encode(payload), media_type=JSON, status_code=status)


def _emulator(request: Request[Any, Any, Any]) -> Emulator:
    return request.app.state.emulator  # type: ignore[no-any-return]


class MovieController(Controller):
    path = "/3/movie"
    tags: ClassVar[list[str]] = ["movies"]

    @get("/{movie_id:str}", operation_id="movieDetails")
    async def details(self, request: Request[Any, Any, Any], movie_id: str) -> Response[bytes]:
        """A movie, with `append_to_response` sub-resources inlined (at most 20)."""
        return _json(_emulator(request).movie(movie_id, request.query_params.get("append_to_response")))

    @get("/{movie_id:str}/{resource:str}", operation_id="movieResource")
    async def resource(
        self, request: Request[Any, Any, Any], movie_id: str, resource: str
    ) -> Response[bytes]:
        """credits, reviews, keywords, release_dates, external_ids, recommendations, similar."""
        return _json(_emulator(request).movie_resource(movie_id, resource, request.query_params.get("page")))

    @get(["/popular", "/top_rated", "/now_playing", "/upcoming"], operation_id="movieLists")
    async def lists(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """The four movie lists, 20 per page."""
        kind = request.url.path.rstrip("/").rsplit("/", 1)[-1]
        return _json(_emulator(request).movie_list(kind, request.query_params.get("page")))

    @get("/changes", operation_id="movieChanges")
    async def changes(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Ids of movies changed between start_date and end_date (at most 14 days), 100 per page."""
        return _json(_emulator(request).changes("movie", request.query_params))


class PersonController(Controller):
    path = "/3/person"
    tags: ClassVar[list[str]] = ["people"]

    @get("/{person_id:str}", operation_id="personDetails")
    async def details(self, request: Request[Any, Any, Any], person_id: str) -> Response[bytes]:
        return _json(_emulator(request).person(person_id))

    @get("/changes", operation_id="personChanges")
    async def changes(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return _json(_emulator(request).changes("person", request.query_params))


class DiscoverController(Controller):
    path = "/3/discover"
    tags: ClassVar[list[str]] = ["discover"]

    @get("/movie", operation_id="discoverMovies")
    async def movies(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """sort_by, with_genres (`,` all, `|` any), primary_release_date.gte/lte, ... and page."""
        return _json(_emulator(request).discover(request.query_params))


class TrendingController(Controller):
    path = "/3/trending"
    tags: ClassVar[list[str]] = ["trending"]

    @get("/movie/{window:str}", operation_id="trendingMovies")
    async def movies(self, request: Request[Any, Any, Any], window: str) -> Response[bytes]:
        return _json(_emulator(request).trending(window, request.query_params.get("page")))


class GenreController(Controller):
    path = "/3/genre"
    tags: ClassVar[list[str]] = ["genres"]

    @get("/movie/list", operation_id="movieGenres")
    async def movies(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return _json(_emulator(request).genres())


class SearchController(Controller):
    path = "/3/search"
    tags: ClassVar[list[str]] = ["search"]

    @get("/movie", operation_id="searchMovies")
    async def movies(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Title search over the most popular movies; 422 without a query, as TMDB does."""
        q = request.query_params
        return _json(_emulator(request).search(q.get("query"), q.get("page")))


class AdminController(Controller):
    """Test hooks: counters, forced changes, fault settings. No key needed."""

    path = "/__admin"
    tags: ClassVar[list[str]] = ["admin"]

    @get("/health", operation_id="adminHealth")
    async def health(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return _json(_emulator(request).health())

    @get("/stats", operation_id="adminStats")
    async def stats(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return _json(_emulator(request).stats.snapshot())

    @post("/stats/reset", operation_id="adminResetStats", status_code=200)
    async def reset_stats(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        stats = _emulator(request).stats
        stats.reset()
        return _json(stats.snapshot())

    @post("/mutate", operation_id="adminMutate", status_code=200)
    async def mutate(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Change `count` movies now (and some people); answers the ids changed."""
        raw = request.query_params.get("count", "1")
        if not raw.isdigit() or int(raw) > 100_000:
            raise HTTPException(status_code=HTTP_400_BAD_REQUEST, detail="count must be an integer 0..100000")
        batch = _emulator(request).mutate(int(raw))
        return _json({"movie_ids": batch.movie_ids, "person_ids": batch.person_ids})

    @get("/faults", operation_id="adminFaults")
    async def faults(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return _json(_emulator(request).faults_view())

    @post("/faults", operation_id="adminSetFaults", status_code=200)
    async def set_faults(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        """Change fault settings: only the fields given; `rate_limit` null or 0 removes the limit."""
        try:
            changes = msgspec.json.decode(await request.body() or b"{}")
            return _json(_emulator(request).configure_faults(changes))
        except (msgspec.DecodeError, ValueError) as exc:
            raise HTTPException(status_code=HTTP_400_BAD_REQUEST, detail=str(exc)) from None


def _tmdb_error(_: Request[Any, Any, Any], exc: TmdbError) -> Response[bytes]:
    return Response(content=exc.body(), media_type=JSON, status_code=exc.http_status)


def _validation_error(_: Request[Any, Any, Any], exc: ValidationFailed) -> Response[bytes]:
    return Response(content=exc.body(), media_type=JSON, status_code=exc.http_status)


def _not_found(_: Request[Any, Any, Any], __: Exception) -> Response[bytes]:
    return Response(content=error_body(34), media_type=JSON, status_code=404)


def _not_allowed(_: Request[Any, Any, Any], __: Exception) -> Response[bytes]:
    return Response(content=error_body(42), media_type=JSON, status_code=ERRORS[42][0])


def _http_error(_: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    return _json({"success": False, "status_code": 5, "status_message": exc.detail}, exc.status_code)


def _internal(_: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("emulator bug", exc_info=exc)
    return Response(content=error_body(11), media_type=JSON, status_code=500)


def create_app(emulator: Emulator) -> Litestar:
    @contextlib.asynccontextmanager
    async def ticking(_: Litestar) -> AsyncIterator[None]:
        # changes fall due even when no request comes in
        async def loop() -> None:
            while True:
                await asyncio.sleep(TICK_S)
                emulator.tick()

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            task.cancel()

    app = Litestar(
        route_handlers=[
            MovieController,
            PersonController,
            DiscoverController,
            TrendingController,
            GenreController,
            SearchController,
            AdminController,
        ],
        exception_handlers={
            TmdbError: _tmdb_error,
            ValidationFailed: _validation_error,
            NotFoundException: _not_found,
            MethodNotAllowedException: _not_allowed,
            HTTPException: _http_error,
            Exception: _internal,
        },
        lifespan=[ticking],
        openapi_config=None,
    )
    app.state.emulator = emulator
    return app
