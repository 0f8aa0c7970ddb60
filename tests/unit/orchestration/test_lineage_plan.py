"""The lineage plan the DAG's tasks carry: written by the pipeline with the lineage emitter's own
naming, so DataHub's Airflow plugin puts each task between the datasets the recipes describe."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tmdb_dag.lineage import PREPARE_HINT, read_plan

from tmdb_pipeline.airflow.artifacts import PLAN_VERSION, lineage_plan
from tmdb_pipeline.lineage.names import Coordinates
from tmdb_pipeline.lineage.streams import schema_files
from tmdb_pipeline.lineage.topology import serving_targets


def _manifest(path: Path) -> Path:
    """A two-model manifest: a staging model on a Bronze source, a mart on the staging model."""
    source = "source.tmdb.bronze.movies"
    staging = "model.tmdb.stg_tmdb__movies"
    nodes = {
        staging: {"resource_type": "model", "schema": "silver", "name": "stg_tmdb__movies",
                  "depends_on": {"nodes": [source]}},
        "model.tmdb.movie_metrics": {"resource_type": "model", "schema": "gold", "name": "movie_metrics",
                                     "depends_on": {"nodes": [staging]}},
        "test.tmdb.not_null_x": {"resource_type": "test", "schema": "silver", "name": "not_null_x"},
    }  # fmt: skip
    sources = {
        source: {"resource_type": "source", "schema": "bronze", "name": "movies", "identifier": "movies"}
    }
    path.write_text(json.dumps({"metadata": {"project_name": "tmdb"}, "nodes": nodes, "sources": sources}))
    return path


def test_given_a_manifest_when_planning_then_each_task_sits_between_the_emitters_datasets(tmp_path):
    plan = lineage_plan(_manifest(tmp_path / "manifest.json"))
    coords = Coordinates.load()
    streams = [s.name for s in schema_files()]

    tasks = plan["tasks"]
    assert plan["version"] == PLAN_VERSION
    assert set(tasks["extract"]["inlets"]) == {coords.tmdb(s) for s in streams}
    assert set(tasks["extract"]["outlets"]) == {coords.topic(s) for s in streams}
    assert set(tasks["land"]["inlets"]) == {coords.topic(s) for s in streams}
    assert set(tasks["land"]["outlets"]) == {coords.bronze(s) for s in streams} | {coords.quarantine()}
    assert set(tasks["sync_serving"]["inlets"]) == {coords.gold(t) for t, _ in serving_targets()}
    assert set(tasks["sync_serving"]["outlets"]) == {coords.collection(c) for _, c in serving_targets()}
    assert plan["dbt_models"] == {
        "stg_tmdb__movies": {
            "inlets": [coords.bronze("movies")],
            "outlets": [coords.iceberg("silver", "stg_tmdb__movies")],
        },
        "movie_metrics": {
            "inlets": [coords.iceberg("silver", "stg_tmdb__movies")],
            "outlets": [coords.gold("movie_metrics")],
        },
    }


def test_given_a_written_plan_when_the_dag_reads_it_then_it_gets_each_tasks_urns(tmp_path):
    written = lineage_plan(_manifest(tmp_path / "manifest.json"))
    (tmp_path / "plan.json").write_text(json.dumps(written))

    plan = read_plan(tmp_path / "plan.json")

    assert list(plan.task("land").outlets) == written["tasks"]["land"]["outlets"]
    assert list(plan.model("movie_metrics").inlets) == written["dbt_models"]["movie_metrics"]["inlets"]
    assert plan.task("lineage").inlets == ()


def test_given_no_plan_when_the_dag_reads_it_then_the_error_says_how_to_write_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="airflow prepare") as caught:
        read_plan(tmp_path / "missing.json")
    assert PREPARE_HINT in str(caught.value)


def test_given_an_old_plan_when_the_dag_reads_it_then_it_asks_for_a_new_one(tmp_path):
    (tmp_path / "plan.json").write_text(json.dumps({"version": 0}))
    with pytest.raises(ValueError, match="airflow prepare"):
        read_plan(tmp_path / "plan.json")
