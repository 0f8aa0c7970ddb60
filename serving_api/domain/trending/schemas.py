"""Response schemas of /trending."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, ClassVar

from litestar.params import KwargDefinition

from serving_api.lib.pagination import Page
from serving_api.lib.responses import FromDocument


class TrendingMovie(FromDocument):
    """A movie whose popularity moved, with how much."""

    collection: ClassVar[str] = "trending"
    renamed: ClassVar[Mapping[str, str]] = {"rank": "trend_rank", "id": "_id"}

    rank: int | None
    id: int
    title: str | None
    popularity: float | None
    previous_popularity: float | None
    popularity_change: float | None
    popularity_change_pct: float | None
    observed_at: datetime | None


# published under its own name (Litestar would name `Page[...]` after the module path)
TrendingPage = Annotated[Page[TrendingMovie], KwargDefinition(schema_component_key="TrendingPage")]
