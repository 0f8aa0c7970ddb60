"""Live figures from hourly buckets: what counts as the last hour, day and week, and the 24 h move."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from serving_api.domain.live.figures import genre_activity, movers, popularity_move, review_counts

NOW = datetime(2026, 12, 2, 17, 30, tzinfo=UTC)
H = timedelta(hours=1)


def bucket(start: datetime, **fields):
    return {"window_start": start, "window_end": start + H, **fields}


def seen(movie_id: int, start: datetime, first: float, last: float, minutes: tuple[int, int] = (0, 30)):
    return bucket(
        start,
        movie_id=movie_id,
        first_popularity=first,
        last_popularity=last,
        first_seen=start + timedelta(minutes=minutes[0]),
        last_seen=start + timedelta(minutes=minutes[1]),
    )


def test_given_buckets_when_counting_reviews_then_a_bucket_counts_if_any_of_it_is_in_the_period():
    current = NOW.replace(minute=0)
    buckets = [
        bucket(current, reviews=2),
        bucket(current - 24 * H, reviews=3),  # ends 30 min into the last 24 h
        bucket(current - 25 * H, reviews=4),  # ended before it: 7 d only
        bucket(current - 7 * 24 * H - 2 * H, reviews=9),  # before the week
    ]

    assert review_counts(buckets, NOW) == (5, 9)


def test_given_one_observation_when_computing_the_move_then_there_is_no_change_yet():
    move = popularity_move([seen(1, NOW.replace(minute=0), 5.0, 5.0, (10, 10))], NOW)

    assert move is not None and move.popularity == 5.0 and move.change_24h is None


def test_given_observations_over_hours_when_ranking_movers_then_the_largest_rise_of_24_h_comes_first():
    current = NOW.replace(minute=0)
    buckets = [
        seen(1, current - 30 * H, 1.0, 2.0),  # older than 24 h: not the baseline
        seen(1, current - 2 * H, 10.0, 11.0),
        seen(1, current, 11.0, 20.0),
        seen(2, current, 50.0, 40.0),
        seen(3, current, 3.0, 6.0),
    ]

    ranked = movers(buckets, NOW, limit=2)

    assert [(m.movie_id, m.change_24h, m.change_pct_24h) for m in ranked] == [
        (1, 10.0, 100.0),
        (3, 3.0, 100.0),
    ]


def test_given_genre_buckets_when_measuring_activity_then_hour_and_day_are_summed():
    current = NOW.replace(minute=0)
    buckets = [
        bucket(current, movies_updated=2),
        bucket(current - H, movies_updated=3),  # ends at the hour: 30 min of it are in the last hour
        bucket(current - 10 * H, movies_updated=4),
    ]

    assert genre_activity(buckets, NOW) == (5, 9)
