"""MongoDB queries behind /movies, built only from typed, validated values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.di import NamedDependency

from serving_api.lib.mongo import Db, max_time_ms
from serving_api.lib.pagination import PageRequest
from serving_api.lib.snapshot import Totals
from serving_api.sync.documents import lookup_id
from serving_api.sync.indexes import MOVIE_SORT_FIELDS

Doc = dict[str, Any]

CARD_FIELDS = {"_hash": 0, "_title_tokens": 0}
REVIEW_ORDER = [("created_at", -1), ("_id", 1)]  # newest first
# sorting by a field some movies lack lists only the movies that have it
NULLABLE_SORTS = {"release_date", "sentiment"}


@dataclass(frozen=True)
class MovieFilters:
    genre: str | None = None
    year_from: int | None = None
    year_to: int | None = None
    min_rating: float | None = None
    min_votes: int | None = None
    language: str | None = None
    sentiment: str | None = None

    def query(self) -> Doc:
        query: Doc = {}
        if self.genre is not None:
            query["genres"] = self.genre
        years: Doc = {}
        if self.year_from is not None:
            years["$gte"] = self.year_from
        if self.year_to is not None:
            years["$lte"] = self.year_to
        if years:
            query["release_year"] = years
        if self.min_rating is not None:
            query["vote_average"] = {"$gte": self.min_rating}
        if self.min_votes is not None:
            query["vote_count"] = {"$gte": self.min_votes}
        if self.language is not None:
            query["original_language"] = self.language
        if self.sentiment is not None:
            query["sentiment_label"] = self.sentiment
        return query


def sort_spec(sort: str, order: str) -> list[tuple[str, int]]:
    """Sort keys ending with _id (stable pages), in the direction the indexes can serve."""
    direction = -1 if order == "desc" else 1
    return [(MOVIE_SORT_FIELDS[sort], direction), ("_id", -direction)]


def list_query(filters: MovieFilters, sort: str) -> Doc:
    query = filters.query()
    if sort in NULLABLE_SORTS:
        field = MOVIE_SORT_FIELDS[sort]
        query[field] = {**query.get(field, {}), "$ne": None}
    return query


class MovieRepository:
    def __init__(self, db: Db, totals: Totals) -> None:
        self.totals = totals
        self.movies = db["movies"]
        self.cards = db["movie_cards"]
        self.reviews = db["reviews"]

    async def list(
        self, filters: MovieFilters, sort: str, order: str, page: PageRequest
    ) -> tuple[list[Doc], int]:
        return await self.totals.page(
            self.cards, list_query(filters, sort), CARD_FIELDS, sort_spec(sort, order), page
        )

    async def get(self, movie_id: int) -> Doc | None:
        key = {"_id": lookup_id(movie_id)}
        return await self.totals.cached(
            self.movies.name,
            key,
            lambda: self.movies.find_one(key, {"_hash": 0}, max_time_ms=max_time_ms()),
        )

    async def exists(self, movie_id: int) -> bool:
        return await self.get(movie_id) is not None  # the same (cached) read as the detail

    async def list_reviews(
        self, movie_id: int, sentiment: str | None, page: PageRequest
    ) -> tuple[list[Doc], int]:
        query: Doc = {"movie_id": movie_id}
        if sentiment is not None:
            query["sentiment.label"] = sentiment
        return await self.totals.page(
            self.reviews, query, {"_hash": 0}, [("created_at", -1), ("_id", 1)], page
        )


def provide_movie_repository(db: NamedDependency[Db], totals: NamedDependency[Totals]) -> MovieRepository:
    return MovieRepository(db, totals)
