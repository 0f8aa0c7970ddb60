"""Response schemas of /movies: what clients see, decoupled from the stored documents."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import msgspec


class MovieSummary(msgspec.Struct):
    """A movie as lists show it."""

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


class MoviePage(msgspec.Struct):
    """A page of movies."""

    items: list[MovieSummary]
    page: int
    page_size: int
    total: int
    total_pages: int
    next: str | None  # path and query of the next page, null on the last one
    prev: str | None  # path and query of the previous page, null on the first one


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


class MovieDetail(msgspec.Struct):
    """A movie with its credits and review sentiment."""

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


class Review(msgspec.Struct):
    """A review with the sentiment the model gave it."""

    id: str
    movie_id: int | None
    author: str | None
    rating: float | None
    content: str | None
    created_at: datetime | None
    updated_at: datetime | None
    sentiment: ReviewSentiment


class ReviewPage(msgspec.Struct):
    """A page of reviews."""

    items: list[Review]
    page: int
    page_size: int
    total: int
    total_pages: int
    next: str | None  # path and query of the next page, null on the last one
    prev: str | None  # path and query of the previous page, null on the first one


def _day(value: datetime | None) -> date | None:
    return value.date() if value is not None else None


def movie_summary(doc: dict[str, Any]) -> MovieSummary:
    """From a `movie_cards` document."""
    return MovieSummary(
        id=doc["_id"],
        title=doc.get("title"),
        original_title=doc.get("original_title"),
        original_language=doc.get("original_language"),
        release_date=_day(doc.get("release_date")),
        release_year=doc.get("release_year"),
        genres=doc.get("genres") or [],
        popularity=doc.get("popularity"),
        vote_average=doc.get("vote_average"),
        vote_count=doc.get("vote_count"),
        poster_path=doc.get("poster_path"),
        sentiment_label=doc.get("sentiment_label"),
        sentiment_score=doc.get("sentiment_score"),
    )


def movie_detail(doc: dict[str, Any]) -> MovieDetail:
    sentiment = doc.get("sentiment") or {}
    return MovieDetail(
        id=doc["movie_id"],
        title=doc.get("title"),
        original_title=doc.get("original_title"),
        original_language=doc.get("original_language"),
        overview=doc.get("overview"),
        tagline=doc.get("tagline"),
        status=doc.get("status"),
        release_date=_day(doc.get("release_date")),
        release_year=doc.get("release_year"),
        release_decade=doc.get("release_decade"),
        runtime_minutes=doc.get("runtime_minutes"),
        runtime_bucket=doc.get("runtime_bucket"),
        budget=doc.get("budget"),
        revenue=doc.get("revenue"),
        profit=doc.get("profit"),
        roi=doc.get("roi"),
        popularity=doc.get("popularity"),
        popularity_tier=doc.get("popularity_tier"),
        vote_average=doc.get("vote_average"),
        vote_count=doc.get("vote_count"),
        rating_tier=doc.get("rating_tier"),
        genres=doc.get("genres") or [],
        poster_path=doc.get("poster_path"),
        imdb_id=doc.get("imdb_id"),
        is_adult=doc.get("is_adult"),
        sentiment=Sentiment(
            review_count=sentiment.get("review_count") or 0,
            mean_score=sentiment.get("mean_score"),
            share_positive=sentiment.get("share_positive"),
            share_negative=sentiment.get("share_negative"),
            label=sentiment.get("label"),
            rating_gap=sentiment.get("rating_gap"),
        ),
        top_cast=[
            CastMember(
                person_id=c.get("person_id"),
                name=c.get("name"),
                character=c.get("character"),
                cast_order=c.get("cast_order"),
            )
            for c in doc.get("top_cast") or []
        ],
        directors=[
            Director(person_id=d.get("person_id"), name=d.get("name")) for d in doc.get("directors") or []
        ],
        updated_at=doc.get("updated_at"),
    )


def review(doc: dict[str, Any]) -> Review:
    sentiment = doc.get("sentiment") or {}
    return Review(
        id=doc["_id"],
        movie_id=doc.get("movie_id"),
        author=doc.get("author"),
        rating=doc.get("rating"),
        content=doc.get("content"),
        created_at=doc.get("created_at"),
        updated_at=doc.get("updated_at"),
        sentiment=ReviewSentiment(
            score=sentiment.get("score"), label=sentiment.get("label"), confidence=sentiment.get("confidence")
        ),
    )
