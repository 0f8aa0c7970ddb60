"""Per-genre totals over a range of years from Gold's per-(genre, year) rows.

Averages are weighted by each year's movie count, counting only the years that have the average
(a year without reviews has no sentiment and does not dilute the others).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from serving_api.domain.genres.schemas import GenreStats, GenreYear


def _weighted(years: list[GenreYear], field: str) -> float | None:
    pairs = [(getattr(y, field), y.movie_count) for y in years if getattr(y, field) is not None]
    weight = sum(count for _, count in pairs)
    return round(sum(value * count for value, count in pairs) / weight, 6) if weight else None


def genre_totals(rows: list[dict[str, Any]], include_years: bool) -> list[GenreStats]:
    by_genre: dict[str, list[GenreYear]] = defaultdict(list)
    for row in rows:
        by_genre[row["genre"]].append(GenreYear.from_document(row))
    return [
        GenreStats(
            genre=genre,
            movie_count=sum(y.movie_count for y in years),
            avg_vote_average=_weighted(years, "avg_vote_average"),
            avg_popularity=_weighted(years, "avg_popularity"),
            total_revenue=sum(y.total_revenue or 0 for y in years),
            avg_sentiment_score=_weighted(years, "avg_sentiment_score"),
            years=years if include_years else [],
        )
        for genre, years in by_genre.items()
    ]


def sort_genres(items: list[GenreStats], sort: str, order: str) -> list[GenreStats]:
    """Nulls last whatever the direction; the genre name breaks ties so the order is total."""
    present = sorted((i for i in items if getattr(i, sort) is not None), key=lambda i: i.genre)
    present.sort(key=lambda i: getattr(i, sort), reverse=order == "desc")
    missing = sorted((i for i in items if getattr(i, sort) is None), key=lambda i: i.genre)
    return present + missing
