"""Response schemas of the live routes: every answer says where its figures come from and how fresh
they are."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar, Literal

import msgspec

from serving_api.lib.responses import FromDocument

Source = Literal["live", "gold"]


class LiveMovie(msgspec.Struct):
    """A movie's figures of the last hours: from the speed layer, or from Gold when it is not running."""

    id: int
    title: str | None
    source: Source  # live: the speed layer (seconds behind Kafka); gold: the last batch pass
    as_of: datetime | None  # live: the job's last heartbeat; gold: when the collection was synced
    popularity: float | None
    vote_average: float | None
    vote_count: int | None
    popularity_source: Source  # gold when the speed layer has not seen this movie yet
    popularity_observed_at: datetime | None
    popularity_change_24h: float | None  # null: fewer than two observations in 24 h, or from Gold
    popularity_change_pct_24h: float | None
    reviews_24h: int  # reviews created in the last 24 h / 7 d
    reviews_7d: int


class LiveMover(FromDocument):
    """A mover: from the speed layer's figures, or from a `trending` document (Gold's fallback)."""

    collection: ClassVar[str] = "trending"
    renamed: ClassVar[Mapping[str, str]] = {"id": "_id"}

    rank: int
    id: int
    title: str | None
    popularity: float | None
    popularity_change: float | None
    popularity_change_pct: float | None
    observed_at: datetime | None


class LiveTrending(msgspec.Struct):
    """Movers by popularity: over the last 24 h (live), or since the previous extraction (gold)."""

    source: Source
    as_of: datetime | None
    change_over: Literal["last 24 h", "previous extraction"]
    items: list[LiveMover]


class LiveGenre(msgspec.Struct):
    """A genre's activity: movies whose details changed in the last hour and day (live only), with
    Gold's totals beside them."""

    genre: str
    source: Source
    as_of: datetime | None
    updates_1h: int | None  # null when served from Gold
    updates_24h: int | None
    movie_count: int | None  # Gold: movies of the genre, all years
    avg_popularity: float | None
