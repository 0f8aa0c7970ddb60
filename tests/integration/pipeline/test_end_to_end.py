"""The whole pass as a user runs it: the API serves what TMDB (the emulator) has, and follows changes."""

from __future__ import annotations

import httpx
import pytest

from tmdb_pipeline.emulator.settings import EmulatorSettings
from tmdb_pipeline.orchestrate.pipeline import run_pass
from tmdb_pipeline.settings import load
from tmdb_pipeline.testing.api import running_api

pytestmark = pytest.mark.integration


def emulator_movie(movie_id: int) -> dict:
    emulator = load(EmulatorSettings)
    answer = httpx.get(
        f"http://{emulator.host}:{emulator.port}/3/movie/{movie_id}",
        params={"api_key": emulator.api_key},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def test_given_a_pass_when_calling_the_api_then_details_and_review_sentiment_are_served_and_follow_changes(
    built_pipeline, spark
):
    stages = [r.name for r in built_pipeline.first_pass]
    assert stages == ["extract", "land", "transform", "sync-serving"]
    movie = spark.sql(
        "select movie_id, title, review_count from gold.movie_metrics where review_count > 0 "
        "order by review_count desc, movie_id limit 1"
    ).collect()[0]
    labels = {
        r.review_id: r.sentiment_label
        for r in spark.sql(
            f"select review_id, sentiment_label from silver.int_reviews_scored where movie_id = {movie.movie_id}"
        ).collect()
    }

    with running_api() as api, httpx.Client(base_url=api.base_url, timeout=10) as http:
        detail = http.get(f"/movies/{movie.movie_id}").json()
        assert detail["title"] == movie.title == emulator_movie(movie.movie_id)["title"]
        assert detail["sentiment"]["review_count"] == movie.review_count
        served_labels, page = {}, 1
        while True:  # every page of the movie's reviews
            reviews = http.get(
                f"/movies/{movie.movie_id}/reviews", params={"page": page, "page_size": 100}
            ).json()
            served_labels |= {r["id"]: r["sentiment"]["label"] for r in reviews["items"]}
            if page >= reviews["total_pages"]:
                break
            page += 1
        assert served_labels == labels

        # the people graph: the best-connected actor's co-stars are gold.co_stars, most shared first
        person = (
            spark.sql(
                "select person_id from gold.co_stars group by person_id order by count(*) desc, person_id limit 1"
            )
            .collect()[0]
            .person_id
        )
        gold_co_stars = spark.sql(
            f"select co_star_id, movies_together from gold.co_stars where person_id = {person}"
        ).collect()
        co_stars = http.get(f"/people/{person}/co-stars", params={"page_size": 100}).json()
        assert co_stars["total"] == len(gold_co_stars)
        served_pairs = [(c["id"], c["movies_together"]) for c in co_stars["items"]]
        assert set(served_pairs) <= {(r.co_star_id, r.movies_together) for r in gold_co_stars}
        assert [n for _, n in served_pairs] == sorted(
            (r.movies_together for r in gold_co_stars), reverse=True
        )[:100]

        # a change in TMDB reaches the API after the next pass
        held = {r.movie_id for r in spark.sql("select movie_id from gold.movie_metrics").collect()}
        changed = sorted(set(built_pipeline.mutate(40)["movie_ids"]) & held)
        assert changed, "no held movie was changed; raise the mutation count"
        run_pass()
        for movie_id in changed[:5]:
            served = http.get(f"/movies/{movie_id}").json()
            truth = emulator_movie(movie_id)
            assert served["popularity"] == pytest.approx(truth["popularity"])
            assert served["vote_count"] == truth["vote_count"]
