"""The DAG's configuration: what `tmdb-pipeline airflow up` passes is what the DAG reads, and a bad
value is an error naming the variable (an import error, seen by the tests, not a failed run)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from tmdb_dag.config import REPO_ROOT, DagConfig, DagConfigError, cross_model_tests

from tmdb_pipeline.airflow.settings import AirflowSettings
from tmdb_pipeline.settings import PROJECT_ROOT


def test_given_no_environment_when_reading_the_config_then_the_repositorys_pipeline_is_used():
    config = DagConfig.from_env({"AIRFLOW_HOME": "/srv/airflow"})

    assert REPO_ROOT == PROJECT_ROOT
    assert config.cli == PROJECT_ROOT / ".venv" / "bin" / "tmdb-pipeline"
    assert config.dbt == PROJECT_ROOT / ".venv" / "bin" / "dbt"
    assert config.dbt_project == PROJECT_ROOT / "dbt_project"
    assert config.manifest == Path("/srv/airflow/tmdb/dbt/manifest.json")
    assert (config.dbt_mode, config.landing, config.schedule) == ("endpoint", "once", "@daily")
    assert (config.retries, config.retry_delay) == (2, timedelta(seconds=60))


def test_given_the_settings_when_passed_to_airflow_then_the_dag_reads_the_same_values():
    settings = AirflowSettings(
        pipeline_cli="/opt/pipeline/bin/tmdb-pipeline",
        dbt_executable="/opt/pipeline/bin/dbt",
        dag_dbt="session",
        dag_landing="continuous",
        dag_schedule="none",
        dag_retries=0,
        dag_retry_delay_s=5,
    )

    config = DagConfig.from_env(settings.dag_environment())

    assert config.cli == Path("/opt/pipeline/bin/tmdb-pipeline")
    assert config.dbt == Path("/opt/pipeline/bin/dbt")
    assert (config.dbt_mode, config.landing, config.schedule) == ("session", "continuous", None)
    assert (config.retries, config.retry_delay) == (0, timedelta(seconds=5))


@pytest.mark.parametrize(
    ("name", "value"),
    [("AIRFLOW_DAG_DBT", "spark"), ("AIRFLOW_DAG_LANDING", "sometimes"), ("AIRFLOW_DAG_RETRIES", "two"),
     ("AIRFLOW_DAG_RETRY_DELAY_S", "-1")],
)  # fmt: skip
def test_given_a_bad_value_when_reading_the_config_then_the_error_names_the_variable(name, value):
    with pytest.raises(DagConfigError, match=name):
        DagConfig.from_env({name: value})


def test_given_a_manifest_when_listing_cross_model_tests_then_only_tests_over_two_models_are_named(tmp_path):
    nodes = {
        "test.tmdb.not_null_a": {"resource_type": "test", "name": "not_null_a",
                                 "depends_on": {"nodes": ["model.tmdb.a"]}},
        "test.tmdb.relationships_b_a": {"resource_type": "test", "name": "relationships_b_a",
                                        "depends_on": {"nodes": ["model.tmdb.a", "model.tmdb.b"]}},
        "test.tmdb.source_and_model": {"resource_type": "test", "name": "source_and_model",
                                       "depends_on": {"nodes": ["source.tmdb.bronze.x", "model.tmdb.b"]}},
        "model.tmdb.b": {"resource_type": "model", "name": "b", "depends_on": {"nodes": ["model.tmdb.a"]}},
    }  # fmt: skip
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"nodes": nodes}))

    assert cross_model_tests(manifest) == ["relationships_b_a"]
