"""Sample Gold's tiers are dbt's: its macros, evaluated on the sample's rows, with every tier reachable."""

from __future__ import annotations

from datetime import date

import pytest

from tmdb_pipeline.emulator.catalogue import Catalogue
from tmdb_pipeline.testing.sample_gold import SampleGold, dbt_tiers, tier_labels

TIER_COLUMNS = ("popularity_tier", "runtime_bucket", "rating_tier")


def row(popularity=10.0, runtime_minutes=100, vote_average=7.0, vote_count=50):
    return {
        "popularity": popularity,
        "runtime_minutes": runtime_minutes,
        "vote_average": vote_average,
        "vote_count": vote_count,
    }


# dbt_project/macros/tiers.sql's thresholds, each from both sides
@pytest.mark.parametrize(
    ("movie", "column", "tier"),
    [
        (row(popularity=None), "popularity_tier", "unknown"),
        (row(popularity=500.0), "popularity_tier", "viral"),
        (row(popularity=499.9), "popularity_tier", "high"),
        (row(popularity=100.0), "popularity_tier", "high"),
        (row(popularity=20.0), "popularity_tier", "medium"),
        (row(popularity=19.99), "popularity_tier", "low"),
        (row(runtime_minutes=None), "runtime_bucket", "unknown"),
        (row(runtime_minutes=0), "runtime_bucket", "unknown"),
        (row(runtime_minutes=39), "runtime_bucket", "short"),
        (row(runtime_minutes=40), "runtime_bucket", "feature"),
        (row(runtime_minutes=90), "runtime_bucket", "feature"),
        (row(runtime_minutes=150), "runtime_bucket", "long"),
        (row(runtime_minutes=151), "runtime_bucket", "epic"),
        (row(vote_count=None), "rating_tier", "unrated"),
        (row(vote_average=9.0, vote_count=9), "rating_tier", "unrated"),
        (row(vote_average=8.0, vote_count=10), "rating_tier", "acclaimed"),
        (row(vote_average=6.5), "rating_tier", "good"),
        (row(vote_average=5.0), "rating_tier", "mixed"),
        (row(vote_average=4.9), "rating_tier", "poor"),
    ],
)
def test_given_a_movie_at_a_threshold_then_its_tier_is_the_dbt_macros(movie, column, tier):
    assert dbt_tiers([movie])[0][column] == tier


def test_given_a_catalogue_then_every_tier_of_the_macros_occurs_but_an_unknown_popularity():
    catalogue = Catalogue(seed=42, movies=2000, today=date(2026, 1, 1))
    details = [catalogue.movie_details(movie_id) for movie_id in range(1, 2001)]
    movies = [row(d["popularity"], d["runtime"] or None, d["vote_average"], d["vote_count"]) for d in details]
    seen = {column: {tiers[column] for tiers in dbt_tiers(movies)} for column in TIER_COLUMNS}
    expected = tier_labels()
    expected["popularity_tier"].discard("unknown")  # TMDB (and so the emulator) always sends popularity
    assert seen == expected


def test_given_sample_gold_then_its_movies_carry_the_macros_tiers():
    movies = SampleGold(40).tables()["movie_metrics"].to_pylist()
    computed = dbt_tiers(movies)
    assert [{column: movie[column] for column in TIER_COLUMNS} for movie in movies] == computed
    assert all(None not in tiers.values() for tiers in computed)
