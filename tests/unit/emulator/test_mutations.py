"""Changes over time: what a change does to a record, and which ids the change log reports."""

from __future__ import annotations

from datetime import date

from tmdb_pipeline.emulator.catalogue import Catalogue
from tmdb_pipeline.emulator.mutations import MutationClock

TODAY = date(2026, 6, 15)


class FakeClock:
    def __init__(self, now: float = 1_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_given_a_movie_when_it_changes_then_its_record_differs_and_its_version_grows() -> None:
    catalogue = Catalogue(seed=3, movies=300, today=TODAY)
    before = {i: catalogue.movie_item(i) for i in range(1, 301)}
    batch = catalogue.store.apply(30, at=1_000.0)
    assert len(batch.movie_ids) == len(set(batch.movie_ids)) == 30
    for movie_id in range(1, 301):
        after = catalogue.movie_item(movie_id)
        if movie_id in batch.movie_ids:
            assert after != before[movie_id]
            assert catalogue.store.movie_version(movie_id) == 1
        else:
            assert after == before[movie_id]


def test_given_changes_when_the_log_is_read_by_window_then_it_reports_exactly_the_ids_in_it() -> None:
    catalogue = Catalogue(seed=3, movies=300, today=TODAY)
    store = catalogue.store
    early = store.apply(10, at=100.0)
    late = store.apply(10, at=200.0)
    assert store.changed("movie", 0.0, 150.0) == early.movie_ids
    assert set(store.changed("movie", 150.0, 250.0)) == set(late.movie_ids)
    assert set(store.changed("movie", 0.0, 300.0)) == set(early.movie_ids) | set(late.movie_ids)
    assert store.changed("movie", 300.0, 400.0) == []
    assert set(store.changed("person", 0.0, 300.0)) == set(early.person_ids) | set(late.person_ids)
    assert early.person_ids, "about half of the movie changes also change a person"


def test_given_a_changed_person_when_read_then_popularity_differs() -> None:
    catalogue = Catalogue(seed=3, movies=300, today=TODAY)
    person_id = 5
    before = catalogue.person(person_id)
    catalogue.store.mutate_person(person_id, at=10.0)
    after = catalogue.person(person_id)
    assert after["popularity"] != before["popularity"]
    assert after["name"] == before["name"]


def test_given_released_movies_when_they_change_repeatedly_then_votes_only_grow_and_reviews_appear() -> None:
    catalogue = Catalogue(seed=9, movies=300, today=TODAY)
    released = [i for i in range(1, 301) if catalogue.movie_item(i)["vote_count"] > 0][:10]
    reviews_before = {i: catalogue.review_count(i) for i in released}
    votes = {i: catalogue.movie_item(i)["vote_count"] for i in released}
    for step in range(20):
        for movie_id in released:
            catalogue.store.mutate_movie(movie_id, at=float(step))
            now = catalogue.movie_item(movie_id)["vote_count"]
            assert now > votes[movie_id]
            votes[movie_id] = now
    added = sum(catalogue.review_count(i) - reviews_before[i] for i in released)
    assert added > 20, "about a third of the changes add a review"
    newest = catalogue.reviews(released[0], catalogue.reviews(released[0], 1)["total_pages"])["results"][-1]
    assert newest["created_at"].startswith("1970-01-01T00:00:1"), "a new review is created at its change"


def test_given_the_same_seed_when_changes_are_drawn_then_the_sequence_is_the_same() -> None:
    a = Catalogue(seed=4, movies=500, today=TODAY).store.apply(25, at=1.0)
    b = Catalogue(seed=4, movies=500, today=TODAY).store.apply(25, at=1.0)
    assert a == b


def test_given_a_rate_when_time_passes_then_the_clock_applies_rate_times_elapsed_changes_at_their_times() -> (
    None
):
    catalogue = Catalogue(seed=3, movies=300, today=TODAY)
    clock = FakeClock()
    mutations = MutationClock(catalogue.store, rate=4.0, clock=clock)
    assert mutations.advance() == 0
    clock.now += 2.5
    assert mutations.advance() == 10
    store = catalogue.store
    movie_times = [t for t, kind in zip(store.log_times, store.log_kinds, strict=True) if kind == "movie"]
    assert movie_times == [1_000_000.0 + k / 4.0 for k in range(1, 11)]
    clock.now += 0.1
    assert mutations.advance() == 0
    mutations.set_rate(0.0)
    epoch = store.epoch
    clock.now += 100
    assert mutations.advance() == 0
    assert store.epoch == epoch, "a stopped clock changes nothing"
