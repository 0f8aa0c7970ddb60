"""Lists and discover: sorted and filtered views must agree with the records they list."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest

from tmdb_pipeline.emulator import vocab
from tmdb_pipeline.emulator.catalogue import Catalogue
from tmdb_pipeline.emulator.index import Filter, Index

TODAY = date(2026, 6, 15)


@pytest.fixture()
def world() -> tuple[Catalogue, Index]:
    catalogue = Catalogue(seed=21, movies=3000, today=TODAY)
    return catalogue, Index(catalogue.traits, catalogue.store)


def test_given_the_catalogue_when_sorted_by_popularity_then_records_agree_with_the_order(world) -> None:
    catalogue, index = world
    ids = index.query(Filter())
    assert sorted(ids.tolist()) == list(range(1, 3001))
    popularity = [catalogue.movie_item(int(i))["popularity"] for i in ids]
    assert popularity == sorted(popularity, reverse=True)


def test_given_top_rated_when_queried_then_only_well_voted_movies_sorted_by_average(world) -> None:
    catalogue, index = world
    ids = index.query(Filter(vote_count_gte=300), "vote_average")
    items = [catalogue.movie_item(int(i)) for i in ids]
    assert items and all(m["vote_count"] >= 300 for m in items)
    averages = [m["vote_average"] for m in items]
    assert averages == sorted(averages, reverse=True)
    expected = sum(1 for i in range(1, 3001) if catalogue.movie_item(i)["vote_count"] >= 300)
    assert len(items) == expected


def test_given_genre_and_date_filters_when_discovering_then_results_match_a_brute_force_scan(world) -> None:
    catalogue, index = world
    drama, comedy = vocab.GENRE_BIT[18], vocab.GENRE_BIT[35]
    lo, hi = date(1990, 1, 1).toordinal(), date(2010, 12, 31).toordinal()

    def dated(m: dict) -> bool:
        return m["release_date"] != "" and lo <= date.fromisoformat(m["release_date"]).toordinal() <= hi

    items = [catalogue.movie_item(i) for i in range(1, 3001)]
    both = index.query(
        Filter(genres_all=(drama, comedy), date_gte=lo, date_lte=hi), "primary_release_date", False
    )
    expected_both = {m["id"] for m in items if {18, 35} <= set(m["genre_ids"]) and dated(m)}
    assert set(both.tolist()) == expected_both and expected_both
    days = [catalogue.movie_item(int(i))["release_date"] for i in both]
    assert days == sorted(days)
    either = index.query(Filter(genres_any=(drama, comedy)))
    assert set(either.tolist()) == {m["id"] for m in items if {18, 35} & set(m["genre_ids"])}


def test_given_a_change_when_lists_are_queried_again_then_the_order_follows_the_new_values(world) -> None:
    catalogue, index = world
    before = index.query(Filter())
    catalogue.store.apply(200, at=1.0)
    after = index.query(Filter())
    assert not np.array_equal(before, after)
    popularity = [catalogue.movie_item(int(i))["popularity"] for i in after]
    assert popularity == sorted(popularity, reverse=True)


def test_given_a_day_when_trending_is_asked_then_it_is_stable_within_the_day_and_moves_the_next(
    world,
) -> None:
    _, index = world
    today = TODAY.toordinal()
    first = index.trending("day", today)
    assert np.array_equal(first, index.trending("day", today))
    assert not np.array_equal(first[:20], index.trending("day", today + 1)[:20])
    assert len(set(first.tolist())) == len(first)
