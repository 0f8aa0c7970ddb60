"""Response schemas of /genres/stats."""

from __future__ import annotations

from typing import ClassVar

import msgspec

from serving_api.lib.responses import FromDocument


class GenreYear(FromDocument):
    """One genre in one release year, as Gold computed it."""

    collection: ClassVar[str] = "genre_stats"

    release_year: int | None
    movie_count: int
    avg_vote_average: float | None
    avg_popularity: float | None
    total_revenue: int | None
    avg_sentiment_score: float | None


class GenreStats(msgspec.Struct):
    """One genre over the requested years; averages are weighted by each year's movie count."""

    genre: str
    movie_count: int
    avg_vote_average: float | None
    avg_popularity: float | None
    total_revenue: int
    avg_sentiment_score: float | None
    years: list[GenreYear]  # filled when include_years=true, oldest first


class GenreStatsList(msgspec.Struct):
    items: list[GenreStats]
    year_from: int | None
    year_to: int | None
