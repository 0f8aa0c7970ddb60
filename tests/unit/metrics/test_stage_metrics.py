"""Stage metrics from what the stages report: cumulative connector counts, Spark's offset log, dbt results."""

from __future__ import annotations

import json

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
    names = exported_names()
    for stage in ("extract", "landing", "transform", "sync"):
        assert f"tmdb_{stage}_last_success_timestamp_seconds" in names
    assert {"tmdb_landing_lag_records", "tmdb_api_requests_total"} <= names


def test_given_source_freshness_results_then_age_and_status_are_exported_and_an_empty_table_has_no_age():
    failed_before = value(transform.REGISTRY, "tmdb_transform_failed_tests")
    results = [
        {"name": "unit_src", "resource_type": "source", "status": "warn", "seconds": 0.2, "age_s": 90.0},
        {"name": "unit_empty", "resource_type": "source", "status": "error", "seconds": 0.2, "age_s": 6.4e10},
    ]
    transform.record_results(results, reviews_scored=None)
    registry = transform.REGISTRY
    assert value(registry, "tmdb_transform_source_age_seconds", {"source": "unit_src"}) == 90.0
    assert registry.get_sample_value("tmdb_transform_source_age_seconds", {"source": "unit_empty"}) is None
    error = {"source": "unit_empty", "tmdb_transform_source_freshness": "error"}
    assert value(registry, "tmdb_transform_source_freshness", error) == 1
    # a freshness run has no tests: the last build's failed-test count stays
    assert value(registry, "tmdb_transform_failed_tests") == failed_before
