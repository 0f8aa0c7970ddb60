"""Query building: typed values only, user text kept literal, sorts the indexes can serve."""

from __future__ import annotations

import re

import pytest

from serving_api.domain.genres.stats import genre_totals, sort_genres
from serving_api.domain.movies.repository import MovieFilters, list_query, sort_spec
from serving_api.domain.people.repository import people_query
from serving_api.domain.search.repository import title_query
from serving_api.lib.params import search_tokens
from serving_api.sync.indexes import INDEXES, MOVIE_SORT_FIELDS


def test_given_every_filter_when_building_the_query_then_each_is_a_plain_comparison():
    query = MovieFilters(
        genre="Drama",
        year_from=1990,
        year_to=1999,
        min_rating=7.5,
        min_votes=10,
        language="fr",
        sentiment="positive",
    ).query()
    assert query == {
        "genres": "Drama",
        "release_year": {"$gte": 1990, "$lte": 1999},
        "vote_average": {"$gte": 7.5},
        "vote_count": {"$gte": 10},
        "original_language": "fr",
        "sentiment_label": "positive",
    }


def test_given_a_value_that_looks_like_an_operator_then_it_stays_a_literal_value():
    query = MovieFilters(genre="$ne").query()
    assert query == {"genres": "$ne"}  # a value, never a key: MongoDB compares it as a string


def test_given_a_nullable_sort_then_only_movies_with_that_field_are_listed():
    assert list_query(MovieFilters(), "sentiment") == {"sentiment_score": {"$ne": None}}
    assert list_query(MovieFilters(), "popularity") == {}


@pytest.mark.parametrize("sort", sorted(MOVIE_SORT_FIELDS))
def test_given_a_sort_then_an_index_ends_with_the_same_keys(sort):
    field = MOVIE_SORT_FIELDS[sort]
    assert sort_spec(sort, "desc") == [(field, -1), ("_id", 1)]
    assert sort_spec(sort, "asc") == [(field, 1), ("_id", -1)]  # the same index walked backwards
    keys = [list(model.document["key"].items()) for model in INDEXES["movie_cards"]]
    assert [(field, -1), ("_id", 1)] in keys
    assert [("genres", 1), (field, -1), ("_id", 1)] in keys


def test_given_regex_characters_in_a_search_then_they_are_escaped():
    words = search_tokens("Star.*Wars (1977)")
    assert words == ["star", "wars", "1977"]
    query = title_query(["a.b*"])
    assert query == {"$and": [{"_title_tokens": {"$regex": "^" + re.escape("a.b*")}}]}
    assert people_query(None, ["o'neil"])["$and"][0]["_name_tokens"]["$regex"] == "^" + re.escape("o'neil")


def test_given_a_search_without_letters_or_digits_then_it_has_no_words():
    assert search_tokens("?!  \\ ...") == []


def test_given_yearly_rows_then_genre_averages_are_weighted_by_movies_with_a_value():
    rows = [
        {
            "genre": "Drama",
            "release_year": 2000,
            "movie_count": 1,
            "avg_vote_average": 9.0,
            "avg_popularity": 1.0,
            "total_revenue": 10,
            "avg_sentiment_score": None,
        },
        {
            "genre": "Drama",
            "release_year": 2001,
            "movie_count": 3,
            "avg_vote_average": 5.0,
            "avg_popularity": 2.0,
            "total_revenue": None,
            "avg_sentiment_score": 0.5,
        },
        {
            "genre": "Action",
            "release_year": 2001,
            "movie_count": 2,
            "avg_vote_average": None,
            "avg_popularity": 4.0,
            "total_revenue": 7,
            "avg_sentiment_score": None,
        },
    ]
    drama, action = genre_totals(rows, include_years=True)
    assert (drama.movie_count, drama.avg_vote_average, drama.avg_popularity) == (4, 6.0, 1.75)
    assert (drama.total_revenue, drama.avg_sentiment_score, len(drama.years)) == (10, 0.5, 2)
    assert action.avg_vote_average is None
    assert [g.genre for g in sort_genres([drama, action], "avg_vote_average", "asc")] == ["Drama", "Action"]
    assert [g.genre for g in sort_genres([drama, action], "movie_count", "desc")] == ["Drama", "Action"]
    assert genre_totals(rows, include_years=False)[0].years == []
