"""Stage metrics from what the stages report: cumulative connector counts, Spark's offset log, dbt results."""

from __future__ import annotations

import json

from serving_api.lib.metrics import Metrics
from tmdb_pipeline.metrics import extract, transform
from tmdb_pipeline.metrics.land import checkpoint_offsets
from tmdb_pipeline.metrics.stages import exported_names


def value(registry, name: str, labels: dict[str, str] | None = None) -> float:
    return registry.get_sample_value(name, labels or {}) or 0.0


def test_given_cumulative_connector_counts_when_reported_twice_then_the_counter_adds_the_difference():
    traffic = extract.ConnectorTraffic()
    before = value(extract.REGISTRY, "tmdb_extract_http_requests_total", {"stream": "unit_stream"})
    traffic.requests("unit_stream", 5)
    traffic.requests("unit_stream", 12)
    traffic.responses("unit_stream", "429", 2)
    after = value(extract.REGISTRY, "tmdb_extract_http_requests_total", {"stream": "unit_stream"})
    assert after - before == 12
    labels = {"stream": "unit_stream", "status_class": "429"}
    assert value(extract.REGISTRY, "tmdb_extract_http_responses_total", labels) == 2


def test_given_a_spark_checkpoint_when_reading_then_the_last_committed_batch_gives_the_offsets(tmp_path):
    (tmp_path / "offsets").mkdir()
    (tmp_path / "commits").mkdir()
    meta = json.dumps({"batchWatermarkMs": 0, "batchTimestampMs": 1, "conf": {}})
    for batch, movies in ((0, 10), (1, 25), (2, 40)):
        offsets = json.dumps({"tmdb_movies": {"0": movies, "1": 3}})
        (tmp_path / "offsets" / str(batch)).write_text(f"v1\n{meta}\n{offsets}")
    for batch in (0, 1):  # batch 2 has started but not committed
        (tmp_path / "commits" / str(batch)).write_text('v1\n{"nextBatchWatermarkMs":0}')
    assert checkpoint_offsets(tmp_path.as_uri()) == {("tmdb_movies", 0): 25, ("tmdb_movies", 1): 3}
    assert checkpoint_offsets((tmp_path / "nothing").as_uri()) == {}


def test_given_dbt_results_when_recorded_then_models_tests_and_scoring_are_exported():
    results = [
        {"name": "unit_model", "resource_type": "model", "status": "success", "seconds": 2.5},
        {"name": transform.SCORING_MODEL, "resource_type": "model", "status": "success", "seconds": 4.0},
        {"name": "unit_test_a", "resource_type": "test", "status": "fail", "seconds": 0.1},
        {"name": "unit_test_b", "resource_type": "test", "status": "pass", "seconds": 0.1},
    ]
    scored_before = value(transform.REGISTRY, "tmdb_transform_reviews_scored_total")
    transform.record_results(results, reviews_scored=7)
    registry = transform.REGISTRY
    assert value(registry, "tmdb_transform_model_duration_seconds", {"model": "unit_model"}) == 2.5
    status = {"model": "unit_model", "tmdb_transform_model_status": "success"}
    assert value(registry, "tmdb_transform_model_status", status) == 1
    assert value(registry, "tmdb_transform_failed_tests") == 1
    assert value(registry, "tmdb_transform_reviews_scored_total") - scored_before == 7


def test_given_the_code_then_every_stage_and_the_api_export_metrics():
    names = exported_names(Metrics().registry)
    for stage in ("extract", "landing", "transform", "sync"):
        assert f"tmdb_{stage}_last_success_timestamp_seconds" in names
    assert {"tmdb_landing_lag_records", "tmdb_api_requests_total"} <= names


def test_given_source_freshness_results_then_age_and_status_are_exported_and_an_empty_table_has_no_age():
    failed_before = value(transform.REGISTRY, "tmdb_transform_failed_tests")
    registry = transform.REGISTRY
    # unit_emptied had rows once (an age), then its table was emptied (e.g. ICEBERG_START_EMPTY)
    transform.record_results(
        [
            {
                "name": "unit_emptied",
                "resource_type": "source",
                "status": "pass",
                "seconds": 0.1,
                "age_s": 60.0,
            }
        ],
        reviews_scored=None,
    )
    results = [
        {"name": "unit_src", "resource_type": "source", "status": "warn", "seconds": 0.2, "age_s": 90.0},
        {"name": "unit_stale", "resource_type": "source", "status": "error", "seconds": 0.2, "age_s": 9e5},
        # dbt's answer for a table with no rows: max(loaded_at) is null, so year 1, so error
        {"name": "unit_empty", "resource_type": "source", "status": "error", "seconds": 0.2, "age_s": 6.4e10},
        {
            "name": "unit_emptied",
            "resource_type": "source",
            "status": "error",
            "seconds": 0.2,
            "age_s": 6.4e10,
        },
    ]
    transform.record_results(results, reviews_scored=None)
    assert value(registry, "tmdb_transform_source_age_seconds", {"source": "unit_src"}) == 90.0
    for empty in ("unit_empty", "unit_emptied"):
        assert registry.get_sample_value("tmdb_transform_source_age_seconds", {"source": empty}) is None
    state = {
        source: [
            s
            for s in ("pass", "warn", "error", "empty", "runtime error")
            if value(
                registry,
                "tmdb_transform_source_freshness",
                {"source": source, "tmdb_transform_source_freshness": s},
            )
        ]
        for source in ("unit_src", "unit_stale", "unit_empty", "unit_emptied")
    }
    # an empty table is `empty`, not `error`: TmdbSourceStale (state error) does not fire for it
    assert state == {
        "unit_src": ["warn"],
        "unit_stale": ["error"],
        "unit_empty": ["empty"],
        "unit_emptied": ["empty"],
    }
    # a freshness run has no tests: the last build's failed-test count stays
    assert value(registry, "tmdb_transform_failed_tests") == failed_before


def test_given_a_freshness_result_then_its_state_is_dbts_status_except_for_no_rows_or_a_failed_query():
    def result(status: str, age_s: float | None) -> dict[str, object]:
        return {"name": "s", "resource_type": "source", "status": status, "seconds": 0.1, "age_s": age_s}

    assert transform.source_state(result("pass", 30.0)) == "pass"
    assert transform.source_state(result("warn", 3 * 86400.0)) == "warn"
    assert transform.source_state(result("error", 30 * 86400.0)) == "error"
    # years of "age" only come from dbt's year-1 stand-in for a missing max(loaded_at)
    assert transform.source_state(result("error", transform.EMPTY_SOURCE_AGE_S)) == "empty"
    assert transform.source_state(result("runtime error", None)) == "runtime error"
    assert transform.source_state(result("skipped", None)) == "runtime error"


def test_given_an_empty_and_a_stale_source_then_the_transform_summary_names_them_apart(monkeypatch):
    from tmdb_pipeline.orchestrate import pipeline
    from tmdb_pipeline.transform import pass_build, runner

    def fake_build(**_: object) -> pass_build.PassBuild:
        built = [{"name": "m", "resource_type": "model", "status": "success"}]
        plan = pass_build.BuildPlan(None, "no earlier pass build is recorded")
        return pass_build.PassBuild(plan, runner.DbtOutcome(True, [*runner.PASS_BUILD], built))

    def fake_dbt(args: list[str], **_: object) -> runner.DbtOutcome:
        return runner.DbtOutcome(
            True,
            args,
            [
                {"name": "movies", "resource_type": "source", "status": "pass", "age_s": 60.0},
                {"name": "reviews", "resource_type": "source", "status": "error", "age_s": 9e5},
                {"name": "people", "resource_type": "source", "status": "error", "age_s": 6.4e10},
            ],
        )

    monkeypatch.setattr(pass_build, "run_pass_build", fake_build)
    monkeypatch.setattr(runner, "run_dbt", fake_dbt)
    summary, figures = pipeline.stage_transform()
    assert summary == "1 dbt models built, 0 tests passed, stale: reviews, no rows yet: people"
    assert (figures["stale_sources"], figures["empty_sources"]) == (["reviews"], ["people"])
