"""Airflow in deploy/: the compose file beside the stack's, the kustomize component and the official
Helm chart's values, checked offline (compose `config`, kustomize build, the values against what
the DAG and the component provide)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from deploy_support import (
    COMPOSE_FILE,
    DEPLOY,
    ROOT,
    compose_command,
    env_file_entries,
    image_name,
    one,
    render,
)

AIRFLOW_COMPOSE = DEPLOY / "airflow" / "docker-compose.airflow.yml"
DOCKERFILE = DEPLOY / "airflow" / "airflow.Dockerfile"
VALUES = DEPLOY / "k8s" / "airflow" / "values.yaml"
COMPONENT = DEPLOY / "k8s" / "components" / "airflow"
DAG_CONFIG = ROOT / "orchestration" / "airflow" / "dags" / "tmdb_dag" / "config.py"
REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-?])[^}]*)?\}")
AIRFLOW_SERVICES = ("airflow-api-server", "airflow-scheduler", "airflow-dag-processor")


@pytest.fixture(scope="module")
def airflow_compose() -> dict[str, Any]:
    return yaml.safe_load(AIRFLOW_COMPOSE.read_text())


@pytest.fixture(scope="module")
def values() -> dict[str, Any]:
    return yaml.safe_load(VALUES.read_text())


def task_pod(values: dict[str, Any]) -> dict[str, Any]:
    files = yaml.safe_load(values["extraConfigMaps"]["tmdb-airflow-task-pod"]["data"])
    return yaml.safe_load(files["tmdb-task.yaml"])


def locked_airflow_version() -> str:
    lock = tomllib.loads((ROOT / "orchestration" / "airflow" / "uv.lock").read_text())
    return next(p["version"] for p in lock["package"] if p["name"] == "apache-airflow")


def test_given_the_airflow_compose_file_then_its_services_run_the_airflow_image_on_postgresql(
    airflow_compose,
):
    services = airflow_compose["services"]
    assert set(services) >= {"airflow-db", "airflow-init", *AIRFLOW_SERVICES}
    for name in ("airflow-init", *AIRFLOW_SERVICES):
        service = services[name]
        assert image_name(service["image"]) == "tmdb-airflow"
        assert service["build"]["dockerfile"] == "deploy/airflow/airflow.Dockerfile"
        env = service["environment"]
        assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"].startswith("postgresql+psycopg2://airflow:${")
        assert "@airflow-db:5432/" in env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"]
        # the DAG folder from the repository, its artifacts prepared by the init service
        assert "../orchestration/airflow/dags:/app/orchestration/airflow/dags:ro" in service["volumes"]
        assert env["AIRFLOW_DAG_LANDING"] == "continuous"
        if name != "airflow-init":
            assert service["depends_on"]["airflow-init"]["condition"] == "service_completed_successfully"
            assert service["healthcheck"]["test"][0] == "CMD"
    init = " ".join(services["airflow-init"]["command"])
    assert "airflow db migrate" in init and "tmdb-pipeline airflow prepare" in init
    assert services["airflow-db"]["image"].startswith("postgres:1")
    # the batch stages are the DAG's: the pipeline service only lands
    assert services["pipeline"]["command"] == ["tmdb-pipeline", "land", "--continuous"]


def test_given_the_airflow_compose_file_then_secrets_are_required_references_listed_in_the_template(
    airflow_compose,
):
    text = AIRFLOW_COMPOSE.read_text()
    referenced = {m.group(1): m.group(2) for m in REFERENCE.finditer(text)}
    listed = env_file_entries(DEPLOY / ".env.example")
    assert set(referenced) - set(listed) == set(), "document these in deploy/.env.example"
    for secret in (
        "AIRFLOW_FERNET_KEY",
        "AIRFLOW_API_SECRET_KEY",
        "AIRFLOW_JWT_SECRET",
        "AIRFLOW_DB_PASSWORD",
    ):
        assert referenced[secret] == "?" and listed[secret] == "", secret


def test_given_both_compose_files_when_rendered_then_compose_accepts_them_and_refuses_a_missing_secret(
    tmp_path,
):
    command = compose_command()
    if command is None:
        pytest.skip("no Docker Compose CLI; deploy/scripts/install-compose.sh builds one without an engine")
    filled = tmp_path / ".env"
    lines = [
        f"{line}placeholder-{line[:-1].lower().replace('_', '-')}"
        if re.fullmatch(r"[A-Z0-9_]+=", line)
        else line
        for line in (DEPLOY / ".env.example").read_text().splitlines()
    ]
    filled.write_text("\n".join(lines) + "\n")
    files = ["-f", str(COMPOSE_FILE), "-f", str(AIRFLOW_COMPOSE)]
    done = subprocess.run(
        [*command, *files, "--env-file", str(filled), "config", "--format", "json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    mount = services["airflow-scheduler"]["volumes"][0]
    assert Path(mount["source"]) == ROOT / "orchestration" / "airflow" / "dags"
    assert Path(services["airflow-scheduler"]["build"]["context"]) == ROOT
    missing = tmp_path / "missing.env"
    missing.write_text(
        filled.read_text().replace("AIRFLOW_FERNET_KEY=placeholder-airflow-fernet-key", "AIRFLOW_FERNET_KEY=")
    )
    refused = subprocess.run(
        [*command, *files, "--env-file", str(missing), "config"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode != 0 and "AIRFLOW_FERNET_KEY" in refused.stderr


def test_given_the_airflow_dockerfile_then_it_adds_the_locked_environment_to_the_pipelines_image():
    text = DOCKERFILE.read_text()
    assert re.search(r"^ARG PIPELINE_IMAGE=tmdb-pipeline:", text, re.M)
    assert "FROM ${PIPELINE_IMAGE}" in text
    assert "uv sync --frozen" in text and "orchestration/airflow/uv.lock" in text
    uv = re.compile(r"ARG UV_VERSION=(\S+)")
    assert uv.search(text).group(1) == uv.search((DEPLOY / "Dockerfile").read_text()).group(1)
    assert "tmdb-pipeline airflow prepare" in text and "AIRFLOW_DAG_ARTIFACTS=/opt/airflow/tmdb" in text
    assert "USER 10001:10001" in text


@pytest.fixture(scope="module")
def with_airflow(k8s_copy: Path) -> list[dict[str, Any]]:
    """dev with the BI component (the endpoint the dbt tasks use) and the Airflow component."""
    overlay = k8s_copy / "overlays" / "dev-airflow"
    shutil.copytree(k8s_copy / "overlays" / "dev", overlay)
    kustomization = yaml.safe_load((overlay / "kustomization.yaml").read_text())
    kustomization["components"] = ["../../components/bi", "../../components/airflow"]
    (overlay / "kustomization.yaml").write_text(yaml.safe_dump(kustomization, sort_keys=False))
    return render(k8s_copy, "dev-airflow")


def test_given_the_airflow_component_then_the_names_the_chart_refers_to_exist_unhashed(with_airflow, values):
    names = {(doc["kind"], doc["metadata"]["name"]) for doc in with_airflow}
    pod = task_pod(values)
    referenced = {
        ("PersistentVolumeClaim", v["persistentVolumeClaim"]["claimName"]) for v in pod["spec"]["volumes"]
    }
    (container,) = pod["spec"]["containers"]
    referenced |= {("ConfigMap", e["configMapRef"]["name"]) for e in container["envFrom"]}
    secrets = {e["valueFrom"]["secretKeyRef"]["name"] for e in container["env"] if "valueFrom" in e}
    referenced |= {("Secret", name) for name in secrets - {"tmdb-mongodb-connection"}}  # the operator's
    referenced |= {
        ("Secret", values[key]) for key in ("fernetKeySecretName", "apiSecretKeySecretName", "jwtSecretName")
    }
    referenced.add(("Secret", values["data"]["metadataSecretName"]))
    assert referenced - names == set()
    # the chart's keys of tmdb-airflow are in its credentials template
    template = env_file_entries(COMPONENT / "credentials" / "airflow.env.example")
    assert {"connection", "fernet-key", "api-secret-key", "jwt-secret", "passwords.json"} <= set(template)
    one(with_airflow, "StatefulSet", "airflow-db")
    pipeline = one(with_airflow, "Deployment", "pipeline")["spec"]["template"]["spec"]["containers"][0]
    assert pipeline["args"] == ["tmdb-pipeline", "land", "--continuous"]
    # no task pod shares the landing's claim
    assert referenced & {("PersistentVolumeClaim", "pipeline-data")} == set()
    assert one(with_airflow, "Deployment", "sql-endpoint")


def test_given_the_values_then_tasks_run_the_pipeline_image_with_settings_the_dag_reads(values):
    assert values["airflowVersion"] == locked_airflow_version()
    assert image_name(values["images"]["airflow"]["repository"]) == "tmdb-airflow"
    assert values["executor"] == "LocalExecutor" and values["allowPodLaunching"] is True
    assert values["postgresql"]["enabled"] is False
    assert values["dags"]["gitSync"]["enabled"] is False and values["dags"]["persistence"]["enabled"] is False
    env = {item["name"]: item["value"] for item in values["env"]}
    assert env["AIRFLOW_DAG_TASK_RUNNER"] == "kubernetes"
    assert image_name(env["AIRFLOW_DAG_POD_IMAGE"]) == "tmdb-pipeline"
    read_by_dag = set(re.findall(r"\"(AIRFLOW_DAG_[A-Z_]+)\"", DAG_CONFIG.read_text()))
    assert {name for name in env if name.startswith("AIRFLOW_DAG_")} <= read_by_dag
    mounts = {m["name"]: m["mountPath"] for m in values["volumeMounts"]}
    assert Path(env["AIRFLOW_DAG_POD_TEMPLATE"]).parent == Path(mounts["tmdb-task-template"])
    pod = task_pod(values)
    assert pod["kind"] == "Pod" and [c["name"] for c in pod["spec"]["containers"]] == ["base"]
    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    (container,) = pod["spec"]["containers"]
    assert container["resources"]["limits"]["memory"]
    env_names = {e["name"] for e in container["env"]}
    assert {
        "MONGO_URI",
        "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
        "SQL_ENDPOINT_HOST",
        "DBT_PROFILES_DIR",
    } <= env_names


def test_given_the_task_pod_template_then_every_secret_key_it_reads_is_in_the_base_templates(values):
    (container,) = task_pod(values)["spec"]["containers"]
    templates = {
        "tmdb-secrets": env_file_entries(DEPLOY / "k8s" / "base" / "credentials" / "tmdb.env.example"),
        "tmdb-s3": env_file_entries(DEPLOY / "k8s" / "base" / "credentials" / "s3.env.example"),
    }
    for item in container["env"]:
        ref = item.get("valueFrom", {}).get("secretKeyRef")
        if ref and ref["name"] in templates and not ref.get("optional"):  # optional: the catalog's, if any
            assert ref["key"] in templates[ref["name"]], (ref["name"], ref["key"])
