"""Which movies and people a sync reads, from the seeds, the state and the change feeds."""

from __future__ import annotations

from datetime import UTC, datetime

from source_tmdb.state import FamilyState
from source_tmdb.streams.changes import windows
from source_tmdb.streams.plan import movie_work, person_work


def test_given_no_state_when_planned_then_every_seed_in_ascending_order() -> None:
    assert movie_work([30, 10, 20, 10], FamilyState(), None, full_refresh=False) == [10, 20, 30]


def test_given_state_when_planned_incrementally_then_new_seeds_and_changed_known_movies() -> None:
    state = FamilyState(cursor=datetime(2025, 1, 1, tzinfo=UTC), movie_ids={10, 20, 40})

    # 30 is new; 20 (seed) and 40 (no longer a seed, but read before) changed; 99 was never read.
    assert movie_work([10, 20, 30], state, {20, 40, 99}, full_refresh=False) == [20, 30, 40]


def test_given_full_refresh_when_planned_then_state_is_ignored_except_the_resume_point() -> None:
    state = FamilyState(movie_ids={10, 20}, started_at=datetime(2025, 1, 1, tzinfo=UTC), after_id=15)

    assert movie_work([10, 20, 30], state, None, full_refresh=True) == [20, 30]


def test_given_people_state_when_planned_then_new_referenced_and_changed_known_people() -> None:
    state = FamilyState(person_ids={1, 2, 3})

    assert person_work({2, 4}, state, {3, 8}, full_refresh=False) == [3, 4]
    assert person_work({2, 4}, state, {3, 8}, full_refresh=True) == [2, 4]


def test_given_a_state_when_serialised_and_read_back_then_it_is_equal() -> None:
    state = FamilyState(
        cursor=datetime(2025, 1, 1, 8, tzinfo=UTC),
        movie_ids={1, 5},
        person_ids={7},
        started_at=datetime(2025, 1, 2, tzinfo=UTC),
        after_id=5,
        todo=[7, 9],
    )

    assert FamilyState.from_mapping(state.to_mapping(with_people=True)) == state


def test_given_20_days_when_split_then_windows_of_at_most_14_days_cover_them_without_gap() -> None:
    from datetime import date

    parts = list(windows(date(2025, 1, 1), date(2025, 1, 20)))

    assert parts == [(date(2025, 1, 1), date(2025, 1, 14)), (date(2025, 1, 15), date(2025, 1, 20))]
