"""The DAG with AIRFLOW_DAG_TASK_RUNNER=kubernetes, as deploy/k8s/airflow/values.yaml configures it:
Airflow's DagBag imports it with no errors, every task is a pod of the pipeline's image (the stages
KubernetesPodOperator, the dbt models Cosmos's Kubernetes operators) and the local-only sql_endpoint
task is gone. The pod template parsed is the one in the Helm values."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from .conftest import DAG_ID, airflow_service, run_script

VALUES = Path(__file__).resolve().parents[3] / "deploy" / "k8s" / "airflow" / "values.yaml"
# Cosmos 1.15's Kubernetes module imports a name Airflow 3.3 deprecates: Cosmos's, not the DAG's
COSMOS_K8S_IMPORT = "cosmos/airflow/_override.py:11: airflow.utils.deprecation_tools.DeprecatedImportWarning"


@pytest.fixture(scope="module")
def parsed(tmp_path_factory) -> dict:
    home = tmp_path_factory.mktemp("airflow-dagbag-k8s")
    values = yaml.safe_load(VALUES.read_text())
    templates = yaml.safe_load(values["extraConfigMaps"]["tmdb-airflow-task-pod"]["data"])
    template = home / "tmdb-task.yaml"
    template.write_text(templates["tmdb-task.yaml"])
    service = airflow_service(home=home)
    service.prepare_artifacts()
    env = {item["name"]: item["value"] for item in values["env"]} | {
        "AIRFLOW_DAG_POD_TEMPLATE": str(template)
    }
    original = service.environment
    service.environment = lambda: original() | env  # type: ignore[method-assign]
    return run_script(service, "check_dags.py", str(service.settings.dags_folder))


def test_given_the_kubernetes_runner_when_airflow_parses_the_dag_then_every_task_is_a_pod(parsed):
    assert parsed["import_errors"] == {}
    assert [w for w in parsed["warnings"] if COSMOS_K8S_IMPORT not in w] == []
    # lakehouse maintenance is the deployment's CronJob there, not a DAG
    assert list(parsed["dags"]) == [DAG_ID]
    tasks = parsed["dags"][DAG_ID]["tasks"]
    operators = {name: task["operator"] for name, task in tasks.items()}
    models = [name for name in operators if name.endswith("_model_build")]
    assert len(models) >= 15
    assert {operators[name] for name in models} == {"DbtBuildKubernetesOperator"}
    others = {name: op for name, op in operators.items() if name not in models}
    assert set(others) == {"extract", "transform.cross_model_tests", "sync_serving", "dbt_docs", "lineage"}
    assert set(others.values()) == {"KubernetesPodOperator"}
    # the values' AIRFLOW_DAG_LANDING=continuous: the pipeline Deployment lands; the endpoint is a Deployment
    assert "land" not in tasks and "sql_endpoint" not in tasks
    assert tasks["sync_serving"]["downstream"] == ["dbt_docs"]
    assert tasks["extract"]["retries"] >= 1 and tasks["extract"]["timeout_s"]
