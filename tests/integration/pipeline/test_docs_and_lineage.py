"""dbt docs and DataHub lineage on the pipeline the end-to-end pass built (not on hand-made tables):
the docs catalog describes every model, and the recipes + emitter connect TMDB to every collection."""

from __future__ import annotations

import dataclasses
import json

import pytest
from pymongo import MongoClient

from tmdb_pipeline.lineage.metadata import read_metadata
from tmdb_pipeline.lineage.names import Coordinates
from tmdb_pipeline.lineage.recipes import RecipeSettings
from tmdb_pipeline.lineage.run import run_lineage
from tmdb_pipeline.settings import MongoSettings, load
from tmdb_pipeline.transform.runner import DBT_PROJECT, run_dbt

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def dbt_docs(built_pipeline):
    """`tmdb-pipeline dbt docs generate` on the built pipeline (catalog.json is what lineage reads)."""
    outcome = run_dbt(["docs", "generate"])
    assert outcome.success, outcome.error
    return DBT_PROJECT / "target"


def test_given_a_built_pipeline_when_generating_docs_then_the_catalog_describes_every_model(dbt_docs):
    manifest = json.loads((dbt_docs / "manifest.json").read_text())
    catalog = json.loads((dbt_docs / "catalog.json").read_text())
    models = {uid: n for uid, n in manifest["nodes"].items() if n["resource_type"] == "model"}

    assert len(models) >= 15
    assert sorted(set(models) - set(catalog["nodes"])) == []
    for uid, model in models.items():
        typed = catalog["nodes"][uid]["columns"]
        # the warehouse has every documented column, each with a type
        assert set(model["columns"]) <= {c.lower() for c in typed}, uid
        assert all(column["type"] for column in typed.values()), uid
    assert {s.split(".")[-1] for s in catalog["sources"]} >= {"movies", "movie_details", "reviews"}
    assert (dbt_docs / "index.html").stat().st_size > 10_000


def test_given_a_built_pipeline_when_running_lineage_then_tmdb_reaches_every_served_collection(
    dbt_docs, tmp_path
):
    settings = RecipeSettings.load()
    settings = dataclasses.replace(
        settings,
        lineage=settings.lineage.model_copy(update={"output_dir": tmp_path, "dbt_target_dir": dbt_docs}),
    )

    run = run_lineage(settings, recipes=True, html=tmp_path / "lineage.html")

    for recipe in run.recipes:
        assert recipe.ok, f"{recipe.source} failed:\n{recipe.log.read_text()[-3000:]}"
    assert run.connectivity is not None
    assert run.connectivity.unreached == []
    assert run.connectivity.missing_upstreams == {}
    # every collection the sync really filled is described by the mongodb recipe and reached from TMDB
    mongo = load(MongoSettings)
    client: MongoClient = MongoClient(mongo.uri.get_secret_value(), serverSelectionTimeoutMS=5000)
    try:
        served = {c for c in client[mongo.database].list_collection_names() if not c.startswith("_")}
    finally:
        client.close()
    assert {"movies", "reviews", "people", "trending", "genre_stats"} <= served
    coords = Coordinates.from_settings(
        settings.kafka, settings.iceberg, settings.landing, settings.mongo, settings.lineage
    )
    metadata = read_metadata(run.metadata_files)
    reached = metadata.reachable(metadata.entities("tmdb"))
    assert sorted(coords.collection(c) for c in served if coords.collection(c) not in reached) == []
    assert {coords.collection(c) for c in served} <= metadata.entities("mongodb")
    assert "source-tmdb" in (tmp_path / "lineage.html").read_text()
