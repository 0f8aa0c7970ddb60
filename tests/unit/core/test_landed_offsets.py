"""How `run --continuous` decides Bronze has caught up with Kafka (pure logic, no services)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from tmdb_pipeline.orchestrate.pipeline import LandedOffsets


def test_given_offsets_landed_by_an_earlier_run_when_seeded_then_waiting_for_them_returns_at_once():
    landed = LandedOffsets()
    landed.seed({"tmdb_movies/0": 41, "tmdb_credits/0": 900})

    assert landed.wait_for({"tmdb_movies/0": 41, "tmdb_credits/0": 900}, timeout_s=0.01)


def test_given_a_partition_behind_kafka_when_waiting_then_it_times_out():
    landed = LandedOffsets()
    landed.seed({"tmdb_movies/0": 41})

    assert not landed.wait_for({"tmdb_movies/0": 42}, timeout_s=0.05)
    assert not landed.wait_for({"tmdb_reviews/0": 0}, timeout_s=0.05)  # never landed at all


def test_given_a_waiter_when_a_batch_commits_the_missing_offsets_then_it_wakes():
    landed = LandedOffsets()
    landed.seed({"tmdb_movies/0": 10})
    outcome: list[bool] = []
    waiter = threading.Thread(target=lambda: outcome.append(landed.wait_for({"tmdb_movies/0": 12}, 10.0)))
    waiter.start()

    landed.record(SimpleNamespace(max_offsets={"tmdb_movies/0": 12}))
    waiter.join(timeout=5)

    assert outcome == [True]


def test_given_an_older_batch_when_recorded_then_offsets_never_go_back():
    landed = LandedOffsets()
    landed.seed({"tmdb_movies/0": 50})
    landed.record(SimpleNamespace(max_offsets={"tmdb_movies/0": 20}))

    assert landed.wait_for({"tmdb_movies/0": 50}, timeout_s=0.01)
