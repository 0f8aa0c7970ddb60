"""One record computed alone must equal the same record inside a column of the whole catalogue."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tmdb_pipeline.emulator.hashing import cumulative, mix, stream_key, unit, weighted_index
from tmdb_pipeline.emulator.traits import NO_DATE, Traits

TODAY = date(2026, 6, 15)


def test_given_ids_when_hashed_one_by_one_or_as_an_array_then_the_hashes_are_identical() -> None:
    stream = stream_key(7, "test")
    ids = np.arange(1, 5001, dtype=np.int64)
    vector = mix(stream, ids)
    assert [int(h) for h in vector] == [mix(stream, int(i)) for i in ids]
    assert [float(u) for u in unit(vector)] == [unit(mix(stream, int(i))) for i in ids]
    cum = cumulative([5, 3, 2])
    assert [int(x) for x in weighted_index(vector, cum)] == [
        weighted_index(mix(stream, int(i)), cum) for i in ids
    ]


def test_given_two_seeds_or_two_streams_when_keyed_then_the_keys_differ() -> None:
    assert stream_key(1, "a") != stream_key(2, "a")
    assert stream_key(1, "a") != stream_key(1, "b")
    assert stream_key(1, "a") == stream_key(1, "a")


@pytest.mark.parametrize("movies", [10, 1_000, 250_000])
def test_given_a_catalogue_when_traits_are_computed_as_columns_then_each_equals_its_scalar(
    movies: int,
) -> None:
    traits = Traits(seed=11, movies=movies, today=TODAY)
    ids = np.arange(1, movies + 1, dtype=np.int64)
    day = traits.date_ordinal(ids)
    votes = traits.vote_count(ids, day)
    budget = traits.budget(ids, votes)
    columns = {
        "date_ordinal": day,
        "popularity_milli": traits.popularity_milli(ids, day),
        "vote_count": votes,
        "vote_average_milli": traits.vote_average_milli(ids, votes),
        "genre_mask": traits.genre_mask(ids),
        "language_index": traits.language_index(ids),
        "budget": budget,
        "revenue": traits.revenue(ids, budget),
    }
    sample = sorted({1, movies, *range(1, movies + 1, max(1, movies // 300))})
    for name, column in columns.items():
        scalar = getattr(traits, name)
        mismatches = [i for i in sample if int(column[i - 1]) != int(scalar(i))]
        assert not mismatches, f"{name} differs for ids {mismatches[:5]}"


@pytest.fixture(scope="module")
def big() -> tuple[Traits, dict[str, np.ndarray]]:
    traits = Traits(seed=3, movies=200_000, today=TODAY)
    ids = np.arange(1, 200_001, dtype=np.int64)
    day = traits.date_ordinal(ids)
    votes = traits.vote_count(ids, day)
    budget = traits.budget(ids, votes)
    return traits, {
        "day": day,
        "popularity": traits.popularity_milli(ids, day) / 1000,
        "votes": votes,
        "average": traits.vote_average_milli(ids, votes) / 1000,
        "language": traits.language_index(ids),
        "genres": traits.genre_mask(ids),
        "budget": budget,
        "revenue": traits.revenue(ids, budget),
    }


def test_given_200k_movies_when_looking_at_popularity_then_it_has_a_long_tail(big) -> None:
    _, c = big
    pop = np.sort(c["popularity"])
    assert pop.min() >= 0.6  # TMDB's floor
    assert np.median(pop) < 3
    assert pop[-1] > 1000
    top_share = pop[-len(pop) // 100 :].sum() / pop.sum()
    assert top_share > 0.25, "the top 1% should hold a large share of all popularity"


def test_given_200k_movies_when_looking_at_release_dates_then_they_span_a_century_with_some_empty(
    big,
) -> None:
    _, c = big
    empty = (c["day"] == NO_DATE).mean()
    assert 0.005 < empty < 0.03
    years = np.array([date.fromordinal(int(d)).year for d in c["day"][c["day"] != NO_DATE][:20_000]])
    assert years.min() <= 1925 and years.max() >= TODAY.year
    assert (years >= 2000).mean() > (years < 1960).mean(), "recent decades have more films"


def test_given_200k_movies_when_looking_at_money_languages_and_genres_then_they_are_realistic(big) -> None:
    _, c = big
    assert 0.4 < (c["budget"] == 0).mean() < 0.85
    assert 0.4 < (c["revenue"] == 0).mean() < 0.85
    counts = np.bincount(c["language"])
    assert (counts > 0).sum() >= 10
    assert 0.4 < counts[0] / counts.sum() < 0.6  # English first, not alone
    genres_per_movie = np.array([bin(int(m)).count("1") for m in c["genres"][:20_000]])
    assert genres_per_movie.min() >= 1 and genres_per_movie.max() <= 4


def test_given_200k_movies_when_looking_at_votes_then_unreleased_have_none_and_averages_are_in_range(
    big,
) -> None:
    traits, c = big
    future = (c["day"] > traits.today) | (c["day"] == NO_DATE)
    assert (c["votes"][future] == 0).all()
    rated = c["average"][c["votes"] > 0]
    assert rated.min() >= 1.0 and rated.max() <= 10.0
    assert 5.5 < rated.mean() < 7.0
    assert (c["average"][c["votes"] == 0] == 0).all()
    assert 0.002 < (c["votes"] >= 300).mean() < 0.1, "top_rated needs a minority of well-voted films"
