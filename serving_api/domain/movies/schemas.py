"""Response schemas of /movies: what clients see, decoupled from the stored documents."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Annotated, ClassVar

import msgspec
from litestar.params import KwargDefinition

from serving_api.lib.pagination import Page
from serving_api.lib.responses import FromDocument


class MovieSummary(FromDocument):
    """A movie as lists show it."""

    collection: ClassVar[str] = "movie_cards"
    renamed: ClassVar[Mapping[str, str]] = {"id": "_id"}

    id: int
    title: str | None
    original_title: str | None
    original_language: str | None
    release_date: date | None
    release_year: int | None
    genres: list[str]
    popularity: float | None
    vote_average: float | None
    vote_count: int | None
    poster_path: str | None
    sentiment_label: str | None  # positive, negative, neutral; null without reviews
    sentiment_score: float | None  # mean review sentiment, -1..1


class Sentiment(msgspec.Struct):
    """What the reviews say, summarised by the sentiment model."""

    review_count: int
    mean_score: float | None
    share_positive: float | None
    share_negative: float | None
    label: str | None
    rating_gap: float | None  # vote average rescaled to -1..1 minus the mean review sentiment


class CastMember(msgspec.Struct):
    person_id: int | None
    name: str | None
    character: str | None
    cast_order: int | None


class Director(msgspec.Struct):
    person_id: int | None
    name: str | None


class MovieDetail(FromDocument):
    """A movie with its credits and review sentiment."""

    collection: ClassVar[str] = "movies"
    renamed: ClassVar[Mapping[str, str]] = {"id": "movie_id"}

    id: int
    title: str | None
    original_title: str | None
    original_language: str | None
    overview: str | None
    tagline: str | None
    status: str | None
    release_date: date | None
    release_year: int | None
    release_decade: int | None
    runtime_minutes: int | None
    runtime_bucket: str | None
    budget: int | None
    revenue: int | None
    profit: int | None
    roi: float | None
    popularity: float | None
    popularity_tier: str | None
    vote_average: float | None
    vote_count: int | None
    rating_tier: str | None
    genres: list[str]
    poster_path: str | None
    imdb_id: str | None
    is_adult: bool | None
    sentiment: Sentiment
    top_cast: list[CastMember]
    directors: list[Director]
    updated_at: datetime | None


class ReviewSentiment(msgspec.Struct):
    score: float | None
    label: str | None
    confidence: float | None


class Review(FromDocument):
    """A review with the sentiment the model gave it."""

    collection: ClassVar[str] = "reviews"
    renamed: ClassVar[Mapping[str, str]] = {"id": "_id"}

    id: str
    movie_id: int | None
    author: str | None
    rating: float | None
    content: str | None
    created_at: datetime | None
    updated_at: datetime | None
    sentiment: ReviewSentiment


# pages, published under their own names (Litestar would name `Page[...]` after the module path)
MoviePage = Annotated[Page[MovieSummary], KwargDefinition(schema_component_key="MoviePage")]
ReviewPage = Annotated[Page[Review], KwargDefinition(schema_component_key="ReviewPage")]
