"""The Superset bundle kept in bi/superset/assets/ is what tmdb_pipeline.superset.dashboard builds,
and it hangs together: every chart's dataset, every dashboard chart and the filter's target exist."""

from __future__ import annotations

import json

import yaml

from tmdb_pipeline.superset import dashboard


def test_given_the_generator_when_compared_with_the_committed_bundle_then_they_are_the_same():
    committed = {str(p.relative_to(dashboard.OUT)): p.read_text() for p in dashboard.OUT.rglob("*.yaml")}

    assert committed == dashboard.bundle(), "run: .venv/bin/python -m tmdb_pipeline.superset.dashboard"


def test_given_the_bundle_when_reading_its_references_then_each_one_resolves():
    files = {name: yaml.safe_load(text) for name, text in dashboard.bundle().items()}
    datasets = {f["uuid"] for n, f in files.items() if n.startswith("datasets/")}
    charts = {f["uuid"]: f for n, f in files.items() if n.startswith("charts/")}
    board = files["dashboards/tmdb_lakehouse.yaml"]
    placed = {
        v["meta"]["uuid"]
        for v in board["position"].values()
        if isinstance(v, dict) and v.get("type") == "CHART"
    }
    (movie_filter,) = board["metadata"]["native_filter_configuration"]

    assert {c["dataset_uuid"] for c in charts.values()} == datasets
    assert placed == set(charts)
    assert movie_filter["targets"][0]["datasetUuid"] in datasets
    for chart in charts.values():
        assert json.loads(chart["query_context"])["form_data"] == chart["params"]


def test_given_the_charts_when_listing_what_they_show_then_every_asked_view_is_there():
    sources = " ".join(chart.sql for chart in dashboard.CHARTS)

    for table in (
        "trending_movies",
        "genre_year_trends",
        "movie_reviews",
        "person_filmography",
        "co_stars",
        "actor_director_pairs",
        "movie_metrics",
    ):
        assert f"gold.{table}" in sources


def test_given_superset_config_when_the_endpoint_is_down_then_its_message_is_keyed_by_the_bundles_database():
    config = (dashboard.OUT.parent / "superset_config.py").read_text()

    assert f'"{dashboard.DATABASE_NAME}": {{' in config
    assert "tmdb-pipeline sql-server up" in config
