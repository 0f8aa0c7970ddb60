"""Gold rows -> MongoDB documents, one function per collection, each with a content hash.

Documents keep Gold's snake_case names (the API serves them under the same names). Nested arrays
are sorted here so the same Gold content always hashes the same, whatever order Spark emitted it
in. Fields starting with `_` are the serving layer's own: `_hash`, and the helper fields the API's
queries need (title and name tokens for search).
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import msgspec

# Bump when a document's shape changes: recorded snapshots of an older version are re-synced.
DOCUMENT_VERSION = 3
MAX_TOKENS = 32

Row = dict[str, Any]
Document = dict[str, Any]


def clean_float(value: float | None) -> float | None:
    """NaN and infinities are not data: MongoDB would sort them and JSON cannot carry them."""
    if value is None or math.isnan(value) or math.isinf(value):
        return None
    return float(value)


def as_datetime(day: date | None) -> datetime | None:
    """BSON has no date type: a date is stored as midnight UTC."""
    return None if day is None else datetime(day.year, day.month, day.day, tzinfo=UTC)


def tokens(*texts: str | None) -> list[str]:
    """Search tokens: words folded to lowercase without accents ("Amélie" -> "amelie")."""
    seen: dict[str, None] = {}
    for text in texts:
        for word in re.findall(r"\w+", fold(text or "")):
            seen.setdefault(word, None)
    return list(seen)[:MAX_TOKENS]


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def content_hash(document: Document) -> str:
    encoded = msgspec.json.encode({k: v for k, v in document.items() if k != "_hash"}, order="sorted")
    return hashlib.blake2b(encoded, digest_size=16).hexdigest()


def lookup_id(value: int) -> str:
    """`_id` of the collections read by id (movies, people): the decimal string of the TMDB id.

    FerretDB 1.24 on SQLite pushes `{_id: <string or ObjectId>}` down to SQLite (an `_id` index
    search with the stack's patch, tmdb_pipeline/stack/mongo.py) and scans the whole collection
    for any other filter, an integer `_id` included (1.7 s for a 404 among 28k people); MongoDB
    serves either type from the `_id` index alike.
    """
    return str(value)


def with_hash(document: Document) -> Document:
    document["_hash"] = content_hash(document)
    return document


def movie_document(row: Row) -> Document | None:
    if row["movie_id"] is None:
        return None
    top_cast = sorted(row["top_cast"] or [], key=lambda c: (c["cast_order"] is None, c["cast_order"] or 0))
    directors = sorted(row["directors"] or [], key=lambda d: (d["name"] or "", d["person_id"] or 0))
    return with_hash(
        {
            "_id": lookup_id(row["movie_id"]),
            "movie_id": row["movie_id"],
            "title": row["title"],
            "original_title": row["original_title"],
            "original_language": row["original_language"],
            "overview": row["overview"],
            "tagline": row["tagline"],
            "status": row["status"],
            "release_date": as_datetime(row["release_date"]),
            "release_year": row["release_year"],
            "release_decade": row["release_decade"],
            "runtime_minutes": row["runtime_minutes"],
            "runtime_bucket": row["runtime_bucket"],
            "budget": row["budget"],
            "revenue": row["revenue"],
            "profit": row["profit"],
            "roi": clean_float(row["roi"]),
            "popularity": clean_float(row["popularity"]),
            "popularity_tier": row["popularity_tier"],
            "vote_average": clean_float(row["vote_average"]),
            "vote_count": row["vote_count"],
            "rating_tier": row["rating_tier"],
            "genres": [g for g in row["genres"] or [] if g],
            "poster_path": row["poster_path"],
            "imdb_id": row["imdb_id"],
            "is_adult": row["is_adult"],
            "sentiment": {
                "review_count": row["review_count"] or 0,
                "mean_score": clean_float(row["sentiment_mean_score"]),
                "share_positive": clean_float(row["sentiment_share_positive"]),
                "share_negative": clean_float(row["sentiment_share_negative"]),
                "label": row["sentiment_label"],
                "rating_gap": clean_float(row["rating_sentiment_gap"]),
            },
            "top_cast": top_cast,
            "directors": directors,
            "updated_at": row["updated_at"],
        }
    )


def movie_card_document(row: Row) -> Document | None:
    """The few fields lists, filters, sorts and search need, flat: /movies and /search read these.

    FerretDB decodes every document a query scans, at a cost that grows with the number of fields
    (0.32 ms per full movie document, 0.03 ms per card); on MongoDB the indexes serve both alike.
    """
    if row["movie_id"] is None:
        return None
    return with_hash(
        {
            "_id": row["movie_id"],
            "title": row["title"],
            "original_title": row["original_title"],
            "original_language": row["original_language"],
            "release_date": as_datetime(row["release_date"]),
            "release_year": row["release_year"],
            "genres": [g for g in row["genres"] or [] if g],
            "popularity": clean_float(row["popularity"]),
            "vote_average": clean_float(row["vote_average"]),
            "vote_count": row["vote_count"],
            "poster_path": row["poster_path"],
            "sentiment_label": row["sentiment_label"],
            "sentiment_score": clean_float(row["sentiment_mean_score"]),
            "_title_tokens": tokens(row["title"], row["original_title"]),
        }
    )


def review_document(row: Row) -> Document | None:
    if row["review_id"] is None:
        return None
    return with_hash(
        {
            "_id": row["review_id"],
            "movie_id": row["movie_id"],
            "author": row["author"],
            "rating": clean_float(row["rating"]),
            "content": row["content"],
            "created_at": row["created_at"],
            "updated_at": row["updated_at"],
            "sentiment": {
                "score": clean_float(row["sentiment_score"]),
                "label": row["sentiment_label"],
                "confidence": clean_float(row["sentiment_confidence"]),
            },
        }
    )


def person_document(row: Row) -> Document | None:
    if row["person_id"] is None:
        return None
    filmography = [
        {**credit, "vote_average": clean_float(credit["vote_average"])} for credit in row["filmography"] or []
    ]
    # newest first, undated last; ties broken by everything else so the order is total
    filmography.sort(
        key=lambda c: (
            c["release_year"] is None,
            -(c["release_year"] or 0),
            c["movie_id"] or 0,
            c["credit_type"] or "",
            c["role"] or "",
        )
    )
    return with_hash(
        {
            "_id": lookup_id(row["person_id"]),
            "person_id": row["person_id"],
            "name": row["name"],
            "known_for_department": row["known_for_department"],
            "popularity": clean_float(row["popularity"]),
            "profile_path": row["profile_path"],
            "birthday": as_datetime(row["birthday"]),
            "movie_count": row["movie_count"],
            "filmography": filmography,
        }
    )


def person_card_document(row: Row) -> Document | None:
    """What /people lists, filters, sorts and searches, without the filmography (see movie cards)."""
    if row["person_id"] is None:
        return None
    return with_hash(
        {
            "_id": row["person_id"],
            "name": row["name"],
            "known_for_department": row["known_for_department"],
            "popularity": clean_float(row["popularity"]),
            "profile_path": row["profile_path"],
            "movie_count": row["movie_count"],
            "_name_tokens": tokens(row["name"]),
        }
    )


def trending_document(row: Row) -> Document | None:
    if row["movie_id"] is None:
        return None
    return with_hash(
        {
            "_id": row["movie_id"],
            "title": row["title"],
            "popularity": clean_float(row["popularity"]),
            "previous_popularity": clean_float(row["previous_popularity"]),
            "popularity_change": clean_float(row["popularity_change"]),
            "popularity_change_pct": clean_float(row["popularity_change_pct"]),
            "trend_rank": row["trend_rank"],
            "observed_at": row["observed_at"],
        }
    )


def genre_stats_id(genre: str, year: int | None) -> str:
    return f"{genre}|{'none' if year is None else year}"


def genre_stats_document(row: Row) -> Document | None:
    if row["genre"] is None:
        return None
    return with_hash(
        {
            "_id": genre_stats_id(row["genre"], row["release_year"]),
            "genre": row["genre"],
            "release_year": row["release_year"],
            "movie_count": row["movie_count"] or 0,
            "avg_vote_average": clean_float(row["avg_vote_average"]),
            "avg_popularity": clean_float(row["avg_popularity"]),
            "total_revenue": row["total_revenue"],
            "avg_sentiment_score": clean_float(row["avg_sentiment_score"]),
        }
    )


def pair_id(first: int, second: int) -> str:
    """`_id` of a pair of people: `"<first>|<second>"`, in the Gold table's column order."""
    return f"{first}|{second}"


def co_star_document(row: Row) -> Document | None:
    """One direction of a co-star pair (Gold stores both): /people/{id}/co-stars reads these by
    `person_id`."""
    if row["person_id"] is None or row["co_star_id"] is None:
        return None
    return with_hash(
        {
            "_id": pair_id(row["person_id"], row["co_star_id"]),
            "person_id": row["person_id"],
            "co_star_id": row["co_star_id"],
            "co_star_name": row["co_star_name"],
            "movies_together": row["movies_together"] or 0,
        }
    )


def collaboration_document(row: Row) -> Document | None:
    """An actor-director pair, stored once. `_person_ids` holds both ids, so one equality (a
    multikey index on MongoDB, an equality index in the API's resident copy) finds a person's
    collaborators whichever side they were on."""
    if row["actor_id"] is None or row["director_id"] is None:
        return None
    return with_hash(
        {
            "_id": pair_id(row["actor_id"], row["director_id"]),
            "actor_id": row["actor_id"],
            "actor_name": row["actor_name"],
            "director_id": row["director_id"],
            "director_name": row["director_name"],
            "movies_together": row["movies_together"] or 0,
            "_person_ids": [row["actor_id"], row["director_id"]],
        }
    )


@dataclass(frozen=True)
class Target:
    """One Gold table synced into one collection."""

    table: str
    collection: str
    to_document: Callable[[Row], Document | None]


TARGETS: tuple[Target, ...] = (
    Target("movie_metrics", "movies", movie_document),
    Target("movie_metrics", "movie_cards", movie_card_document),
    Target("movie_reviews", "reviews", review_document),
    Target("person_filmography", "people", person_document),
    Target("person_filmography", "person_cards", person_card_document),
    Target("trending_movies", "trending", trending_document),
    Target("genre_year_trends", "genre_stats", genre_stats_document),
    Target("co_stars", "co_stars", co_star_document),
    Target("actor_director_pairs", "collaborations", collaboration_document),
)
