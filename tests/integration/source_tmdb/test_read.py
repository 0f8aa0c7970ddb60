"""Full reads against the emulator: schemas, one request per movie, the budget, faults survived."""

from __future__ import annotations

import jsonschema
import pytest

from source_tmdb.config import DEFAULT_PRINCIPAL_CREW_JOBS

pytestmark = pytest.mark.integration


def test_given_200_movies_when_read_through_the_console_script_then_every_record_matches_its_schema(
    connector, emulator, tmp_path
):
    discovered = connector.run("discover", tmp_path, config=connector.config_for(emulator))
    schemas = {s["name"]: s["json_schema"] for s in discovered.of_type("CATALOG")[0]["catalog"]["streams"]}
    emulator.reset_stats()

    output = connector.run(
        "read", tmp_path, config=connector.config_for(emulator), catalog=connector.catalog_for()
    )

    assert output.returncode == 0, output.stderr[-2000:]
    assert not [m for m in output.of_type("TRACE") if m["trace"]["type"] == "ERROR"]
    checker = jsonschema.FormatChecker()
    for stream in connector.streams:
        validator = jsonschema.Draft7Validator(schemas[stream], format_checker=checker)
        records = output.records(stream)
        assert records, stream
        for record in records:
            errors = [e.message for e in validator.iter_errors(record)]
            assert not errors, (stream, record.get("id"), errors[:3])
    movie_ids = output.keys("movies")
    assert len(movie_ids) == connector.movies
    assert output.keys("movie_details") == movie_ids
    assert {c["movie_id"] for c in output.records("credits")} == movie_ids
    referenced = {c["person_id"] for c in output.records("credits")}
    assert output.keys("people") == referenced
    assert len(output.records("people")) == len(referenced), "each person is emitted once"


def test_given_the_default_people_scope_when_read_then_only_principal_cast_and_crew_are_fetched(
    connector, emulator, reference
):
    config = connector.config_for(emulator)
    del config["people_scope"]  # the connector's default: principal
    emulator.reset_stats()

    output = connector.read_in_process(
        config, connector.catalog_for(("credits", "people"), incremental=False)
    )

    calls = connector.calls(emulator.stats()["by_path"])
    credits = output.records("credits")
    principal = {
        c["person_id"]
        for c in credits
        if (c["credit_type"] == "cast" and c["order"] < 10)
        or (c["credit_type"] == "crew" and c["job"] in DEFAULT_PRINCIPAL_CREW_JOBS)
    }
    assert output.keys("people") == principal
    assert calls["/3/person/{id}"] == len(principal)
    # every credit is still there: the scope decides only whose person details are fetched
    assert output.keys("credits") == reference.keys("credits")
    assert len(principal) < len({c["person_id"] for c in credits})


def test_given_all_streams_selected_when_read_then_each_movie_costs_one_request(
    connector, emulator, reference
):
    emulator.reset_stats()
    output = connector.read_in_process(connector.config_for(emulator), connector.catalog_for())

    calls = connector.calls(emulator.stats()["by_path"])
    # details, keywords, release dates, external ids, credits and the first reviews page: one call.
    assert calls["/3/movie/{id}"] == connector.movies
    assert calls["/3/person/{id}"] == len(output.keys("people"))
    reviews_per_movie: dict[int, int] = {}
    for review in output.records("reviews"):
        reviews_per_movie[review["movie_id"]] = reviews_per_movie.get(review["movie_id"], 0) + 1
    later_pages = sum((count - 1) // 20 for count in reviews_per_movie.values())
    assert calls.get("/3/movie/{id}/reviews", 0) == later_pages
    expected = {
        "/3/genre/movie/list",
        "/3/movie/popular",
        "/3/movie/changes",
        "/3/movie/{id}",
        "/3/movie/{id}/reviews",
        "/3/person/{id}",
    }
    assert set(calls) <= expected, set(calls) - expected
    assert output.keys("credits") == reference.keys("credits")


def test_given_the_configured_budget_when_read_then_the_emulator_answers_no_429(connector, emulator):
    emulator.set_faults(rate_limit=20)
    try:
        emulator.reset_stats()
        config = connector.config_for(emulator, max_movies=40, requests_per_second=20)
        output = connector.read_in_process(config, connector.catalog_for(("movies", "movie_details")))
        stats = emulator.stats()
    finally:
        emulator.set_faults(rate_limit=None)

    assert len(output.keys("movie_details")) == 40
    assert stats["requests"] >= 42
    assert stats["rate_limited"] == 0


def test_given_a_budget_above_the_limit_when_read_then_429s_come_and_retry_after_carries_the_read_through(
    connector, emulator
):
    emulator.set_faults(rate_limit=20)
    try:
        emulator.reset_stats()
        config = connector.config_for(emulator, max_movies=40, requests_per_second=200)
        output = connector.read_in_process(config, connector.catalog_for(("movies", "movie_details")))
        stats = emulator.stats()
    finally:
        emulator.set_faults(rate_limit=None)

    # The control for the test above: without the budget the limit is hit, and backoff still completes.
    assert stats["rate_limited"] > 0
    assert len(output.keys("movie_details")) == 40


def test_given_20_percent_5xx_slow_and_malformed_answers_when_read_then_every_record_still_arrives(
    connector, emulator, reference
):
    streams = ("movies", "movie_details", "credits", "reviews")
    clean = connector.read_in_process(
        connector.config_for(emulator, max_movies=20), connector.catalog_for(streams)
    )
    emulator.set_faults(fail_rate=0.2, slow_rate=0.1, slow_delay_s=0.5, malformed_rate=0.05)
    try:
        emulator.reset_stats()
        output = connector.read_in_process(
            connector.config_for(emulator, max_movies=20), connector.catalog_for(streams)
        )
        faults = emulator.stats()["faults"]
    finally:
        emulator.set_faults(fail_rate=0.0, slow_rate=0.0, malformed_rate=0.0)

    assert faults["5xx"] > 0 and faults["slow"] > 0 and faults["malformed"] > 0, faults
    assert output.returncode == 0
    for stream in streams:
        assert output.keys(stream) == clean.keys(stream), stream
