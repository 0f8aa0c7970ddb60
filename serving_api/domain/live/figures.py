"""Live figures from the speed layer's hourly buckets (spark_streaming/live.py), computed at read
time so "the last 24 h" always ends now: a bucket counts when any of it lies in the period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

Doc = dict[str, Any]
DAY, WEEK, HOUR = timedelta(days=1), timedelta(days=7), timedelta(hours=1)


def in_last(bucket: Doc, period: timedelta, now: datetime) -> bool:
    return bucket["window_end"] > now - period and bucket["window_start"] <= now


def review_counts(buckets: list[Doc], now: datetime) -> tuple[int, int]:
    """Reviews created in the last 24 h and 7 d (distinct per hour; a review has one created_at)."""
    return (
        sum(b["reviews"] for b in buckets if in_last(b, DAY, now)),
        sum(b["reviews"] for b in buckets if in_last(b, WEEK, now)),
    )


@dataclass(frozen=True)
class PopularityMove:
    movie_id: int
    title: str | None
    popularity: float
    vote_average: float | None
    vote_count: int | None
    observed_at: datetime
    change_24h: float | None  # latest minus the earliest observation of the last 24 h
    change_pct_24h: float | None


def popularity_move(buckets: list[Doc], now: datetime) -> PopularityMove | None:
    """The latest observation of one movie, and its move over the last 24 h (None: never observed)."""
    if not buckets:
        return None
    latest = max(buckets, key=lambda b: b["last_seen"])
    recent = [b for b in buckets if in_last(b, DAY, now)]
    change = pct = None
    if recent:
        earliest = min(recent, key=lambda b: b["first_seen"])
        if earliest["first_seen"] < latest["last_seen"]:  # two observations at least
            change = round(latest["last_popularity"] - earliest["first_popularity"], 6)
            base = earliest["first_popularity"]
            pct = round(change / base * 100, 2) if base else None
    return PopularityMove(
        movie_id=latest["movie_id"],
        title=latest.get("title"),
        popularity=latest["last_popularity"],
        vote_average=latest.get("last_vote_average"),
        vote_count=latest.get("last_vote_count"),
        observed_at=latest["last_seen"],
        change_24h=change,
        change_pct_24h=pct,
    )


def movers(buckets: list[Doc], now: datetime, limit: int) -> list[PopularityMove]:
    """The movies whose popularity rose most over the last 24 h (falls last), top `limit`."""
    by_movie: dict[int, list[Doc]] = {}
    for bucket in buckets:
        by_movie.setdefault(bucket["movie_id"], []).append(bucket)
    moves = [
        m for docs in by_movie.values() if (m := popularity_move(docs, now)) and m.change_24h is not None
    ]
    moves.sort(key=lambda m: (-(m.change_24h or 0.0), -m.popularity, m.movie_id))
    return moves[:limit]


def genre_activity(buckets: list[Doc], now: datetime) -> tuple[int, int]:
    """Movie detail changes seen for a genre in the last hour and day (distinct movies per hour)."""
    return (
        sum(b["movies_updated"] for b in buckets if in_last(b, HOUR, now)),
        sum(b["movies_updated"] for b in buckets if in_last(b, DAY, now)),
    )
