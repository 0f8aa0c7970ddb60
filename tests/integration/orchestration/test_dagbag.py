"""The DAG folder imports in Airflow's own environment with no errors and no warnings, and the DAG
has the shape the issue asks for: one task per stage and per dbt model, retries with backoff, a
timeout per task, one run at a time, no catch-up, lineage on every data-moving task.

Parsing needs no service (dbt's manifest comes from `dbt parse`), so this is not an integration test:
a DAG that would fail to import fails here, not in the scheduler at night.
"""

from __future__ import annotations

import json

import pytest

from tmdb_pipeline.lineage.names import Coordinates

from .conftest import DAG_ID, MAINTENANCE_DAG_ID, airflow_service, run_script

STAGES = ["extract", "land", "sql_endpoint", "sync_serving", "dbt_docs", "lineage"]


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> dict:
    """The DAG folder parsed by Airflow's DagBag, in the default configuration and in the other one."""
    home = tmp_path_factory.mktemp("airflow-dagbag")
    service = airflow_service(home=home, dag_retries=2, dag_retry_delay_s=60)
    artifacts = service.prepare_artifacts()
    other = airflow_service(home=home, dag_dbt="session", dag_landing="continuous", dag_schedule="@hourly")
    return {
        "default": run_script(service, "check_dags.py", str(service.settings.dags_folder)),
        "session": run_script(other, "check_dags.py", str(other.settings.dags_folder)),
        "manifest": json.loads(artifacts.manifest.read_text()),
    }


def test_given_the_dag_folder_when_airflow_parses_it_then_there_are_no_errors_and_no_warnings(parsed):
    for mode in ("default", "session"):
        assert parsed[mode]["import_errors"] == {}, mode
        assert parsed[mode]["warnings"] == [], mode
        assert sorted(parsed[mode]["dags"]) == [DAG_ID, MAINTENANCE_DAG_ID]


def test_given_the_manifest_when_rendering_then_every_dbt_model_is_its_own_task(parsed):
    tasks = parsed["default"]["dags"][DAG_ID]["tasks"]
    models = [n["name"] for n in parsed["manifest"]["nodes"].values() if n["resource_type"] == "model"]

    assert len(models) >= 15
    assert {f"transform.{m}_model_build" for m in models} <= set(tasks)
    assert set(STAGES) <= set(tasks)
    assert {t["operator"] for name, t in tasks.items() if name.startswith("transform.")} >= {
        "DbtBuildLocalOperator"
    }
    # the tests over two models (relationships) run once every model is built, in one dbt call
    cross = [
        n["name"]
        for n in parsed["manifest"]["nodes"].values()
        if n["resource_type"] == "test"
        and len({d for d in n["depends_on"]["nodes"] if d.startswith("model.")}) > 1
    ]
    checks = tasks["transform.cross_model_tests"]
    assert cross and all(f" {name}" in checks["command"] for name in cross)
    assert " test --select " in checks["command"]


def test_given_the_dag_then_the_stages_run_in_order_around_the_dbt_models(parsed):
    tasks = parsed["default"]["dags"][DAG_ID]["tasks"]

    assert tasks["extract"]["downstream"] == ["land"]
    assert tasks["land"]["downstream"] == ["sql_endpoint"]
    staging = [name for name in tasks["sql_endpoint"]["downstream"]]
    assert staging and all(name.startswith("transform.stg_tmdb__") for name in staging)
    into_sync = [name for name, t in tasks.items() if "sync_serving" in t["downstream"]]
    assert into_sync == ["transform.cross_model_tests"]
    assert tasks["sync_serving"]["downstream"] == ["dbt_docs"]
    assert tasks["dbt_docs"]["downstream"] == ["lineage"]
    assert tasks["extract"]["command"].endswith("tmdb-pipeline extract")
    assert tasks["land"]["command"].endswith("tmdb-pipeline land --once")


def test_given_the_dag_then_runs_are_serial_with_retries_backoff_and_timeouts(parsed):
    dag = parsed["default"]["dags"][DAG_ID]

    assert dag["max_active_runs"] == 1
    assert dag["catchup"] is False
    for name, task in dag["tasks"].items():
        assert task["retries"] == 2, name
        assert task["retry_exponential_backoff"], name
        assert task["timeout_s"] and task["timeout_s"] <= 2 * 3600, name


def test_given_the_lineage_plan_then_each_stage_task_sits_between_the_emitters_datasets(parsed):
    tasks = parsed["default"]["dags"][DAG_ID]["tasks"]
    coords = Coordinates.load()

    assert coords.tmdb("movies") in tasks["extract"]["inlets"]
    assert coords.topic("movies") in tasks["extract"]["outlets"]
    assert coords.bronze("reviews") in tasks["land"]["outlets"]
    assert coords.quarantine() in tasks["land"]["outlets"]
    assert tasks["transform.movie_metrics_model_build"]["outlets"] == [coords.gold("movie_metrics")]
    assert coords.collection("movies") in tasks["sync_serving"]["outlets"]


def test_given_session_dbt_and_continuous_landing_then_the_dag_has_one_transform_and_no_land(parsed):
    dag = parsed["session"]["dags"][DAG_ID]

    assert dag["tasks"]["extract"]["downstream"] == ["transform"]
    assert dag["tasks"]["transform"]["command"].endswith("tmdb-pipeline transform")
    assert dag["tasks"]["transform"]["downstream"] == ["sync_serving"]
    assert dag["tasks"]["sync_serving"]["downstream"] == ["lineage"]
    assert dag["schedule"] == "@hourly"


def test_given_the_dag_folder_then_a_daily_dag_maintains_the_lakehouse(parsed):
    dag = parsed["default"]["dags"][MAINTENANCE_DAG_ID]

    assert dag["schedule"] == "@daily"
    assert dag["max_active_runs"] == 1 and dag["catchup"] is False
    assert list(dag["tasks"]) == ["maintain"]
    (task,) = dag["tasks"].values()
    assert task["command"].endswith("tmdb-pipeline lakehouse maintain")
    assert task["retries"] == 2 and task["retry_exponential_backoff"] and task["timeout_s"]
