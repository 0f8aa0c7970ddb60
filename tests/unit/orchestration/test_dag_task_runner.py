"""AIRFLOW_DAG_TASK_RUNNER: bash (default, the local and compose setups) or kubernetes (a pod of the
pipeline's image per task), whose settings are checked at parse time."""

from __future__ import annotations

from pathlib import Path

import pytest
from tmdb_dag.config import DagConfig, DagConfigError


def test_given_no_runner_then_tasks_run_the_cli_locally():
    assert DagConfig.from_env({}).pod is None


def test_given_the_kubernetes_runner_then_the_pod_settings_are_read_with_defaults(tmp_path):
    template = tmp_path / "pod.yaml"
    template.write_text("apiVersion: v1\nkind: Pod\n")
    env = {
        "AIRFLOW_DAG_TASK_RUNNER": "kubernetes",
        "AIRFLOW_DAG_POD_IMAGE": "registry.example.com/tmdb/tmdb-pipeline:0.1.0",
        "AIRFLOW_DAG_POD_TEMPLATE": str(template),
    }
    pod = DagConfig.from_env(env).pod
    assert pod is not None
    assert pod.image == "registry.example.com/tmdb/tmdb-pipeline:0.1.0"
    assert (pod.namespace, pod.template, pod.dbt_project) == ("tmdb", template, Path("/app/dbt_project"))
    assert pod.artifacts == Path("/data/stack/airflow")


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"AIRFLOW_DAG_TASK_RUNNER": "docker"}, "AIRFLOW_DAG_TASK_RUNNER"),
        ({"AIRFLOW_DAG_TASK_RUNNER": "kubernetes"}, "AIRFLOW_DAG_POD_IMAGE and AIRFLOW_DAG_POD_TEMPLATE"),
        (
            {
                "AIRFLOW_DAG_TASK_RUNNER": "kubernetes",
                "AIRFLOW_DAG_POD_IMAGE": "i",
                "AIRFLOW_DAG_POD_TEMPLATE": "/nope",
            },
            "AIRFLOW_DAG_POD_TEMPLATE=/nope",
        ),
    ],
)
def test_given_an_incomplete_kubernetes_runner_then_parsing_fails_naming_the_variable(env, named):
    with pytest.raises(DagConfigError, match=named):
        DagConfig.from_env(env)
