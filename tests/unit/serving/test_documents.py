"""Gold rows -> MongoDB documents: types BSON can hold, stable hashes, search tokens."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime

from serving_api.sync.documents import (
    genre_stats_document,
    movie_card_document,
    movie_document,
    person_card_document,
    person_document,
    review_document,
    tokens,
)


def movie_row(**overrides):
    row = {
        "movie_id": 7,
        "title": "Amélie's Return",
        "original_title": "Le Retour d'Amélie",
        "original_language": "fr",
        "overview": "A story.",
        "tagline": None,
        "status": "Released",
        "release_date": date(2001, 4, 25),
        "release_year": 2001,
        "release_decade": 2000,
        "runtime_minutes": 122,
        "runtime_bucket": "long",
        "budget": 10,
        "revenue": 30,
        "profit": 20,
        "roi": 2.0,
        "popularity": 12.5,
        "popularity_tier": "medium",
        "vote_average": 7.9,
        "vote_count": 1200,
        "rating_tier": "good",
        "genres": ["Comedy", "Romance"],
        "poster_path": "/a.jpg",
        "imdb_id": "tt0211915",
        "is_adult": False,
        "review_count": 3,
        "sentiment_mean_score": 0.4,
        "sentiment_share_positive": 0.66,
        "sentiment_share_negative": float("nan"),
        "sentiment_label": "positive",
        "rating_sentiment_gap": 0.18,
        "top_cast": [
            {"person_id": 2, "name": "B", "character": "Nino", "cast_order": 1},
            {"person_id": 1, "name": "A", "character": "Amélie", "cast_order": 0},
        ],
        "directors": [{"person_id": 9, "name": "J"}],
        "updated_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    return row | overrides


def test_given_a_movie_row_when_converted_then_dates_nan_and_nesting_suit_mongodb():
    doc = movie_document(movie_row())
    assert doc is not None
    assert (doc["_id"], doc["movie_id"]) == ("7", 7)  # looked up by a string _id (FerretDB's pushdown)
    assert doc["release_date"] == datetime(2001, 4, 25, tzinfo=UTC)  # BSON has no date type
    assert doc["sentiment"]["share_negative"] is None  # NaN is not data
    assert doc["sentiment"]["label"] == "positive"
    assert [c["cast_order"] for c in doc["top_cast"]] == [0, 1]


def test_given_a_movie_row_then_its_card_is_flat_with_search_tokens():
    card = movie_card_document(movie_row())
    assert card is not None
    assert (card["_id"], card["sentiment_label"], card["sentiment_score"]) == (7, "positive", 0.4)
    assert card["_title_tokens"] == ["amelie", "s", "return", "le", "retour", "d"]
    assert "top_cast" not in card and "overview" not in card


def test_given_the_same_content_in_another_order_when_hashed_then_the_hash_is_the_same():
    a = movie_document(movie_row())
    b = movie_document(movie_row(top_cast=list(reversed(movie_row()["top_cast"]))))
    assert a is not None and b is not None
    assert a["_hash"] == b["_hash"]


def test_given_one_changed_value_when_hashed_then_the_hash_changes():
    a = movie_document(movie_row())
    b = movie_document(movie_row(popularity=12.6))
    assert a is not None and b is not None
    assert a["_hash"] != b["_hash"]


def test_given_a_row_without_its_key_when_converted_then_it_is_skipped():
    assert movie_document(movie_row(movie_id=None)) is None
    assert review_document({"review_id": None}) is None


def test_given_a_filmography_when_converted_then_newest_first_and_undated_last():
    row = {
        "person_id": 3,
        "name": "Zoë Saldaña",
        "known_for_department": "Acting",
        "popularity": math.inf,
        "profile_path": None,
        "birthday": date(1978, 6, 19),
        "movie_count": 3,
        "filmography": [
            {
                "movie_id": 1,
                "title": "x",
                "release_year": 1999,
                "credit_type": "cast",
                "role": "r",
                "vote_average": 5.0,
            },
            {
                "movie_id": 2,
                "title": "y",
                "release_year": None,
                "credit_type": "cast",
                "role": "r",
                "vote_average": None,
            },
            {
                "movie_id": 3,
                "title": "z",
                "release_year": 2009,
                "credit_type": "crew",
                "role": "Producer",
                "vote_average": 7.0,
            },
        ],
    }
    doc = person_document(row)
    assert doc is not None
    assert (doc["_id"], doc["person_id"]) == ("3", 3)
    assert [c["movie_id"] for c in doc["filmography"]] == [3, 1, 2]
    assert doc["popularity"] is None
    card = person_card_document(row)
    assert card is not None and (card["_id"], card["popularity"]) == (3, None)
    assert card["_name_tokens"] == ["zoe", "saldana"] and "filmography" not in card


def test_given_genre_year_rows_then_ids_join_genre_and_year():
    row = {
        "genre": "Science Fiction",
        "release_year": 1982,
        "movie_count": 4,
        "avg_vote_average": 7.0,
        "avg_popularity": 3.0,
        "total_revenue": 100,
        "avg_sentiment_score": None,
    }
    doc = genre_stats_document(row)
    assert doc is not None
    assert doc["_id"] == "Science Fiction|1982"
    assert genre_stats_document(row | {"release_year": None})["_id"] == "Science Fiction|none"


def test_given_text_with_accents_and_punctuation_when_tokenized_then_words_are_folded_once():
    assert tokens("Crème Brûlée: CRÈME!", None) == ["creme", "brulee"]
    assert tokens("東京物語") == ["東京物語"]
