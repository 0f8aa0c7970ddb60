"""The live routes: what changed in the last seconds to hours, from the speed layer
(`tmdb-pipeline live`), falling back to Gold, and saying so, when it is not running."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, ClassVar

from litestar import Controller, get
from litestar.di import NamedDependency, Provide
from litestar.exceptions import NotFoundException
from litestar.params import Parameter

from serving_api.domain.live.figures import genre_activity, movers, popularity_move, review_counts
from serving_api.domain.live.repository import LiveRepository, provide_live_repository
from serving_api.domain.live.schemas import LiveGenre, LiveMover, LiveMovie, LiveTrending
from serving_api.lib.errors import error_specs
from serving_api.lib.guard import LOOKUP, ROUTE_CLASS
from serving_api.lib.http import NOT_SNAPSHOT_CACHED
from serving_api.lib.params import MovieId, RequiredGenre

LIVE = {ROUTE_CLASS: LOOKUP, NOT_SNAPSHOT_CACHED: True}  # fresher than any Gold snapshot ETag
Limit = Annotated[int, Parameter(ge=1, le=100, description="how many movers", required=False)]


class LiveController(Controller):
    path = "/"
    tags = ("Live",)
    dependencies: ClassVar[dict[str, Provide]] = {
        "live": Provide(provide_live_repository, sync_to_thread=False)
    }

    @get(
        "/live/trending",
        operation_id="listLiveTrending",
        opt=LIVE,
        summary="Movies moving now",
        responses=error_specs(400, 401, 429, 503, 504),
    )
    async def live_trending(self, live: NamedDependency[LiveRepository], limit: Limit = 20) -> LiveTrending:
        """The movies whose popularity rose most over the last 24 h, from the speed layer; when it is
        not running, Gold's trending (change since the previous extraction), with `source: gold`."""
        now = datetime.now(UTC)
        as_of = await live.live_as_of(now)
        if as_of is not None:
            moves = movers(await live.recent_popularity(now), now, limit)
            items = [
                LiveMover(
                    rank=rank,
                    id=m.movie_id,
                    title=m.title,
                    popularity=m.popularity,
                    popularity_change=m.change_24h,
                    popularity_change_pct=m.change_pct_24h,
                    observed_at=m.observed_at,
                )
                for rank, m in enumerate(moves, start=1)
            ]
            return LiveTrending(source="live", as_of=as_of, change_over="last 24 h", items=items)
        rows = await live.gold_trending(limit)
        items = [
            LiveMover.from_document(row, rank=row.get("trend_rank") or rank)
            for rank, row in enumerate(rows, start=1)
        ]
        return LiveTrending(
            source="gold",
            as_of=await live.gold_synced_at("trending"),
            change_over="previous extraction",
            items=items,
        )

    @get(
        "/movies/{movie_id:int}/live",
        operation_id="getMovieLive",
        opt=LIVE,
        summary="A movie's live figures",
        responses=error_specs(400, 401, 404, 429, 503, 504),
    )
    async def movie_live(self, live: NamedDependency[LiveRepository], movie_id: MovieId) -> LiveMovie:
        """Reviews of the last 24 h and 7 d, the latest popularity and votes and the popularity move
        over 24 h. From the speed layer while it runs (a movie it has not observed yet takes its
        popularity from Gold: `popularity_source`); otherwise everything from Gold (`source: gold`)."""
        now = datetime.now(UTC)
        as_of = await live.live_as_of(now)
        gold = await live.gold_movie(movie_id)
        move = popularity_move(await live.popularity_buckets(movie_id), now) if as_of else None
        if as_of is not None and (gold is not None or move is not None):
            reviews_24h, reviews_7d = review_counts(await live.review_buckets(movie_id, now), now)
            source, stamp = "live", as_of
        elif gold is not None:
            reviews_24h = await live.gold_reviews_since(movie_id, now - timedelta(days=1))
            reviews_7d = await live.gold_reviews_since(movie_id, now - timedelta(days=7))
            source, stamp = "gold", await live.gold_synced_at("movie_cards")
        else:
            raise NotFoundException(detail=f"No movie with id {movie_id}")
        card = gold or {}
        return LiveMovie(
            id=movie_id,
            title=move.title if move and move.title else card.get("title"),
            source=source,
            as_of=stamp,
            popularity=move.popularity if move else card.get("popularity"),
            vote_average=move.vote_average if move else card.get("vote_average"),
            vote_count=move.vote_count if move else card.get("vote_count"),
            popularity_source="live" if move else "gold",
            popularity_observed_at=move.observed_at if move else None,
            popularity_change_24h=move.change_24h if move else None,
            popularity_change_pct_24h=move.change_pct_24h if move else None,
            reviews_24h=reviews_24h,
            reviews_7d=reviews_7d,
        )

    @get(
        "/genres/live",
        operation_id="getGenreLive",
        opt=LIVE,
        summary="A genre's live activity",
        responses=error_specs(400, 401, 404, 429, 503, 504),
    )
    async def genre_live(self, live: NamedDependency[LiveRepository], genre: RequiredGenre) -> LiveGenre:
        """Movies of the genre whose details changed in the last hour and day (speed layer), beside
        Gold's movie count and average popularity; only Gold's figures when the speed layer is not
        running (`source: gold`)."""
        now = datetime.now(UTC)
        as_of = await live.live_as_of(now)
        rows = await live.gold_genre_rows(genre)
        buckets = await live.genre_buckets(genre, now) if as_of else []
        if not rows and not buckets:
            raise NotFoundException(detail=f"No genre named {genre!r}")
        count = sum(row.get("movie_count") or 0 for row in rows) if rows else None
        weighted = sum((row.get("avg_popularity") or 0) * (row.get("movie_count") or 0) for row in rows)
        popularity = round(weighted / count, 3) if count else None
        if as_of is not None:
            hour, day = genre_activity(buckets, now)
            return LiveGenre(genre, "live", as_of, hour, day, count, popularity)
        return LiveGenre(
            genre, "gold", await live.gold_synced_at("genre_stats"), None, None, count, popularity
        )
