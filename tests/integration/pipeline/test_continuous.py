"""`tmdb-pipeline run --continuous`: landing streams in the background and each cycle carries a
change made in TMDB (the emulator) to the API with no manual step."""

from __future__ import annotations

import threading

import httpx
import pytest

from tmdb_pipeline.orchestrate.pipeline import StageResult, run_continuous
from tmdb_pipeline.testing.api import running_api

from .test_end_to_end import emulator_movie

pytestmark = pytest.mark.integration

CYCLE_STAGES = ["extract", "land (streaming)", "transform", "sync-serving"]


def test_given_continuous_mode_when_tmdb_changes_between_cycles_then_the_next_cycle_serves_it(
    built_pipeline, spark
):
    held = {r.movie_id for r in spark.sql("select movie_id from gold.movie_metrics").collect()}
    stop = threading.Event()
    stages: list[StageResult] = []
    changed: list[int] = []

    def on_stage(result: StageResult) -> None:
        stages.append(result)
        if result.name != "sync-serving":
            return
        if not changed:  # after the first cycle: change TMDB, and let the loop go on by itself
            changed.extend(sorted(set(built_pipeline.mutate(40)["movie_ids"]) & held))
            if not changed:
                stop.set()
        else:
            stop.set()

    watchdog = threading.Timer(900, stop.set)  # a hang fails the test below instead of blocking CI
    watchdog.start()
    try:
        cycles = run_continuous(interval_s=1.0, stop=stop, on_stage=on_stage)
    finally:
        watchdog.cancel()

    assert changed, "the mutation touched none of the movies we hold; raise the count"
    assert cycles == 2
    assert [s.name for s in stages] == CYCLE_STAGES * 2
    second_extract = stages[len(CYCLE_STAGES)]
    assert second_extract.figures.get("records", 0) > 0, second_extract
    with running_api() as api, httpx.Client(base_url=api.base_url, timeout=10) as http:
        for movie_id in changed[:5]:
            served = http.get(f"/movies/{movie_id}").json()
            truth = emulator_movie(movie_id)
            assert served["popularity"] == pytest.approx(truth["popularity"])
            assert served["vote_count"] == truth["vote_count"]
