"""MongoDB query behind /genres/stats: the per-(genre, year) documents of the requested range.

The totals over several years are computed by the caller, not with $group: FerretDB 1.24 computes
only the first accumulator of a $group stage (every other `$sum` comes back 0). The documents are
small and bounded (genres x years, a few thousand at most): one indexed find on MongoDB, the
resident copy otherwise (lib/resident.py).
"""

from __future__ import annotations

from typing import Any

from litestar.di import NamedDependency

from serving_api.lib.mongo import Db
from serving_api.lib.snapshot import Totals

Doc = dict[str, Any]
FIELDS = {
    field: 1
    for field in (
        "genre",
        "release_year",
        "movie_count",
        "avg_vote_average",
        "avg_popularity",
        "total_revenue",
        "avg_sentiment_score",
    )
}


def stats_match(genre: str | None, year_from: int | None, year_to: int | None) -> Doc:
    match: Doc = {}
    if genre is not None:
        match["genre"] = genre
    years: Doc = {}
    if year_from is not None:
        years["$gte"] = year_from
    if year_to is not None:
        years["$lte"] = year_to
    if years:
        match["release_year"] = years
    return match


STATS_ORDER = [("genre", 1), ("release_year", 1)]


class GenreRepository:
    def __init__(self, db: Db, totals: Totals) -> None:
        self.totals = totals
        self.stats = db["genre_stats"]

    async def rows(self, match: Doc) -> list[Doc]:
        return await self.totals.find_all(self.stats, match, FIELDS, STATS_ORDER)


def provide_genre_repository(db: NamedDependency[Db], totals: NamedDependency[Totals]) -> GenreRepository:
    return GenreRepository(db, totals)
