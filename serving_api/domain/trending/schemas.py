"""Response schemas of /trending."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec


class TrendingMovie(msgspec.Struct):
    """A movie whose popularity moved, with how much."""

    rank: int | None
    id: int
    title: str | None
    popularity: float | None
    previous_popularity: float | None
    popularity_change: float | None
    popularity_change_pct: float | None
    observed_at: datetime | None


class TrendingPage(msgspec.Struct):
    """A page of trending movies."""

    items: list[TrendingMovie]
    page: int
    page_size: int
    total: int
    total_pages: int
    next: str | None  # path and query of the next page, null on the last one
    prev: str | None  # path and query of the previous page, null on the first one


def trending_movie(doc: dict[str, Any]) -> TrendingMovie:
    return TrendingMovie(
        rank=doc.get("trend_rank"),
        id=doc["_id"],
        title=doc.get("title"),
        popularity=doc.get("popularity"),
        previous_popularity=doc.get("previous_popularity"),
        popularity_change=doc.get("popularity_change"),
        popularity_change_pct=doc.get("popularity_change_pct"),
        observed_at=doc.get("observed_at"),
    )
