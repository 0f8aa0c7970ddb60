"""deploy/ cannot drift from the code: every variable it hands the pipeline's containers is a setting
of the project (and listed in .env.example), and every `tmdb-pipeline` command it runs exists."""

from __future__ import annotations

import re
from typing import Any

import pytest
from deploy_support import (
    CLI_CALL,
    DEPLOY,
    PIPELINE_IMAGE,
    ROOT,
    VARIANTS,
    by_kind,
    config_data,
    env_file_entries,
    image_name,
    one,
    pod_specs,
    secret_settings_env_names,
    settings_env_names,
)

# Variables of the image that third-party tools read, not our settings: each with its reader.
THIRD_PARTY = {
    "PATH": "the shell",
    "HOME": "everything that writes a cache under ~",
    "JAVA_HOME": "Spark's launch scripts",
    "SPARK_HOME": "pyspark and the Spark-on-Kubernetes entrypoint",
    "PYSPARK_PYTHON": "spark-submit's PythonRunner and the Python workers",
    "SPARK_LOCAL_IP": "Spark (binds loopback instead of the public interface)",
    "HF_HUB_OFFLINE": "huggingface_hub (the sentiment model is bundled)",
    "TRANSFORMERS_OFFLINE": "transformers",
    "PYTHONUNBUFFERED": "CPython (logs reach the container runtime at once)",
    "UV_LINK_MODE": "uv (build stage)",
    "UV_PYTHON_DOWNLOADS": "uv (build stage)",
    "UV_PROJECT_ENVIRONMENT": "uv (build stage)",
}


def with_bi(compose: dict[str, Any], bi_compose: dict[str, Any]) -> dict[str, Any]:
    """deploy/docker-compose.yml with the services deploy/bi/docker-compose.bi.yml adds."""
    return {"services": compose["services"] | bi_compose["services"]}


def dockerfile_env_names() -> set[str]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    names = set()
    for line in text.splitlines():
        if line.startswith("ENV "):
            names |= set(re.findall(r"([A-Z_][A-Z0-9_]*)=", line))
    return names


def deploy_env_names(rendered: dict[str, list[dict[str, Any]]], compose: dict[str, Any]) -> dict[str, str]:
    """Variable name -> where deploy/ sets it, for every container that runs the pipeline's image."""
    names: dict[str, str] = {}
    for variant, docs in rendered.items():
        for key in config_data(docs):
            names.setdefault(key, f"ConfigMap tmdb-config ({variant})")
        for workload, spec in pod_specs(docs):
            for container in spec["containers"] + spec.get("initContainers", []):
                if image_name(container["image"]) == PIPELINE_IMAGE:
                    for item in container.get("env", []):
                        names.setdefault(item["name"], f"{workload['kind']}/{workload['metadata']['name']}")
        for app in by_kind(docs, "SparkApplication"):
            for role in ("driver", "executor"):
                for item in app["spec"][role].get("env", []):
                    names.setdefault(item["name"], f"SparkApplication/{app['metadata']['name']}")
    for name, service in compose["services"].items():
        if image_name(service.get("image", "")) == PIPELINE_IMAGE:
            for key in service.get("environment", {}):
                names.setdefault(key, f"compose service {name}")
    for key in dockerfile_env_names():
        names.setdefault(key, "deploy/Dockerfile")
    return names


def test_given_deploy_then_every_variable_it_sets_for_the_pipeline_is_a_project_setting(
    rendered, compose, bi_compose
):
    used = deploy_env_names(rendered, with_bi(compose, bi_compose))
    assert len(used) >= 25
    settings = settings_env_names()
    unknown = {
        name: where for name, where in used.items() if name not in settings and name not in THIRD_PARTY
    }
    assert unknown == {}, "not read by any settings model (typo, or a setting the code lacks)"


def test_given_deploy_then_every_setting_it_sets_is_listed_in_env_example(rendered, compose, bi_compose):
    used = deploy_env_names(rendered, with_bi(compose, bi_compose))
    listed = set(env_file_entries(ROOT / ".env.example"))
    missing = {name: where for name, where in used.items() if name not in listed and name not in THIRD_PARTY}
    assert missing == {}, "add these to the repository's .env.example"


# What the pipeline needs to reach the lakehouse of issue #14 (REST catalog + S3): every process that
# opens the catalog (landing, dbt, the sync, the lineage recipes) must be handed all of it.
LAKEHOUSE = {
    "ICEBERG_CATALOG_TYPE",
    "ICEBERG_CATALOG_NAME",
    "ICEBERG_CATALOG_URI",
    "ICEBERG_CATALOG_TOKEN",
    "ICEBERG_CATALOG_CREDENTIAL",
    "ICEBERG_WAREHOUSE",
    "S3_ENDPOINT",
    "S3_REGION",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
    "S3_PATH_STYLE_ACCESS",
    "LANDING_CHECKPOINT_DIR",
}


def k8s_environment(docs: list[dict[str, Any]], env: list[dict[str, Any]]) -> set[str]:
    """Variables a container gets: the tmdb-config ConfigMap (envFrom) plus its own env."""
    return set(config_data(docs)) | {item["name"] for item in env}


def test_given_the_lakehouse_settings_then_each_is_a_setting_and_some_are_secrets():
    assert settings_env_names() >= LAKEHOUSE, "the settings of issue #14 (tmdb_pipeline/settings.py)"
    assert {
        "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
        "ICEBERG_CATALOG_TOKEN",
    } <= secret_settings_env_names()


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_k8s_then_every_pod_that_opens_the_catalog_gets_every_lakehouse_setting(rendered, variant):
    docs = rendered[variant]
    checked = []
    for workload, spec in pod_specs(docs):
        for container in spec["containers"]:
            words = " ".join([*container.get("command", []), *container.get("args", [])])
            if image_name(container["image"]) == PIPELINE_IMAGE and set(CLI_CALL.findall(words)) & {
                "run",
                "land",
                "transform",
                "sync-serving",
                "sql-server",
            }:
                missing = LAKEHOUSE - k8s_environment(docs, container.get("env", []))
                assert missing == set(), f"{workload['kind']}/{workload['metadata']['name']} lacks {missing}"
                checked.append(workload["metadata"]["name"])
    for app in by_kind(docs, "SparkApplication"):
        missing = LAKEHOUSE - k8s_environment(docs, app["spec"]["driver"].get("env", []))
        assert missing == set(), f"SparkApplication/{app['metadata']['name']} driver lacks {missing}"
        checked.append(app["metadata"]["name"])
    assert "pipeline-pass" in checked
    assert ("bronze-landing" if "spark" in variant else "pipeline") in checked
    assert ("sql-endpoint" in checked) == variant.endswith("+bi")


# Optional secrets of the catalog: the code takes any value, an empty one too, as a token. deploy/
# hands them over only when the user set them (k8s: optional Secret keys, commented out in the
# template; compose: not at all, the fixture catalog needs neither).
OPTIONAL_CATALOG_SECRETS = {"ICEBERG_CATALOG_TOKEN", "ICEBERG_CATALOG_CREDENTIAL"}


def test_given_compose_then_the_pipeline_gets_every_lakehouse_setting(compose):
    env = compose["services"]["pipeline"]["environment"]
    missing = LAKEHOUSE - OPTIONAL_CATALOG_SECRETS - set(env)
    assert missing == set()
    for name, service in compose["services"].items():
        for key in OPTIONAL_CATALOG_SECRETS & set(service.get("environment") or {}):
            value = str(service["environment"][key])
            assert re.fullmatch(r"\$\{" + key + r":\?[^}]+\}", value), f"{name}.{key}: never an empty default"


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_k8s_then_the_optional_catalog_secrets_are_unset_unless_given(rendered, variant):
    template = (DEPLOY / "k8s/base/credentials/tmdb.env.example").read_text()
    for key in OPTIONAL_CATALOG_SECRETS:
        assert key not in env_file_entries(DEPLOY / "k8s/base/credentials/tmdb.env.example")
        assert re.search(rf"^# {key}=$", template, re.M), (
            f"document {key} (commented out) in tmdb.env.example"
        )
    refs = []
    for _, spec in pod_specs(rendered[variant]):
        for container in spec["containers"]:
            refs += [item for item in container.get("env", []) if item["name"] in OPTIONAL_CATALOG_SECRETS]
    for app in by_kind(rendered[variant], "SparkApplication"):
        refs += [item for item in app["spec"]["driver"]["env"] if item["name"] in OPTIONAL_CATALOG_SECRETS]
    assert refs
    assert all(item["valueFrom"]["secretKeyRef"]["optional"] is True for item in refs)


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_k8s_then_every_secret_setting_comes_from_a_secret(rendered, variant):
    """Secret settings (SecretStr in the code) never sit in the ConfigMap or in a literal value."""
    docs = rendered[variant]
    secrets = secret_settings_env_names()
    assert secrets & set(config_data(docs)) == set(), "secrets in the tmdb-config ConfigMap"
    envs = [
        (f"{workload['kind']}/{workload['metadata']['name']}", container.get("env", []))
        for workload, spec in pod_specs(docs)
        for container in spec["containers"] + spec.get("initContainers", [])
    ]
    envs += [
        (f"SparkApplication/{app['metadata']['name']}", app["spec"][role].get("env", []))
        for app in by_kind(docs, "SparkApplication")
        for role in ("driver", "executor")
    ]
    seen = set()
    for where, env in envs:
        for item in env:
            if item["name"] in secrets:
                assert "secretKeyRef" in item.get("valueFrom", {}), (
                    f"{where}: {item['name']} is not a Secret ref"
                )
                seen.add(item["name"])
    assert {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "ICEBERG_CATALOG_TOKEN", "TMDB_API_KEY"} <= seen


def test_given_compose_then_every_secret_setting_is_a_variable_reference(compose, bi_compose):
    secrets = secret_settings_env_names()
    seen = set()
    for name, service in with_bi(compose, bi_compose)["services"].items():
        env = service.get("environment") or {}
        for key, value in env.items():
            if key in secrets:
                assert re.search(r"\$\{[A-Z][A-Z0-9_]*:?[-?]", str(value)), (
                    f"{name}.{key} is not a ${{VAR}} reference"
                )
                seen.add(key)
    assert {"S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY", "MONGO_URI", "SUPERSET_SECRET_KEY"} <= seen


def test_given_the_spark_operator_component_then_its_driver_is_not_told_to_run_spark_locally(rendered):
    """spark_conf() sets master, driver host and jars only for a local master; under spark-submit
    the operator's values must stay, so the driver's SPARK_MASTER is not local[...]."""
    for variant in (v for v in VARIANTS if "spark" in v):
        docs = rendered[variant]
        app = one(docs, "SparkApplication", "bronze-landing")
        driver = {item["name"]: item for item in app["spec"]["driver"]["env"]}
        assert not driver["SPARK_MASTER"]["value"].startswith("local")
        assert driver["SPARK_MASTER"]["value"].startswith("k8s://")
        # in-process Spark elsewhere (dbt in the CronJob) stays local
        assert config_data(docs)["SPARK_MASTER"].startswith("local")
        assert not {"spark.master", "spark.driver.host", "spark.driver.bindAddress"} & set(
            app["spec"]["sparkConf"]
        )


def test_given_the_third_party_allowlist_then_none_of_it_is_a_setting():
    assert set(THIRD_PARTY) & settings_env_names() == set()


def cli_commands() -> set[str]:
    from tmdb_pipeline.cli import app

    return {c.name for c in app.registered_commands} | {g.name for g in app.registered_groups}


def deploy_cli_calls(rendered: dict[str, list[dict[str, Any]]], compose: dict[str, Any]) -> dict[str, str]:
    calls: dict[str, str] = {}
    for docs in rendered.values():
        for workload, spec in pod_specs(docs):
            for container in spec["containers"]:
                text = " ".join([*container.get("command", []), *container.get("args", [])])
                for command in CLI_CALL.findall(text):
                    calls.setdefault(command, f"{workload['kind']}/{workload['metadata']['name']}")
        for app in by_kind(docs, "SparkApplication"):
            assert app["spec"]["mainApplicationFile"] == "local:///app/deploy/docker/spark_main.py"
            calls.setdefault(app["spec"]["arguments"][0], f"SparkApplication/{app['metadata']['name']}")
    for name, service in compose["services"].items():
        if image_name(service.get("image", "")) == PIPELINE_IMAGE:
            for command in CLI_CALL.findall(" ".join(service["command"])):
                calls.setdefault(command, f"compose service {name}")
    return calls


def test_given_deploy_then_every_tmdb_pipeline_command_it_runs_exists(rendered, compose, bi_compose):
    calls = deploy_cli_calls(rendered, with_bi(compose, bi_compose))
    assert {"run", "land", "api", "emulator", "sql-server"} <= set(calls)
    missing = {command: where for command, where in calls.items() if command not in cli_commands()}
    assert missing == {}, "deploy/ runs commands the CLI does not have"


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_the_spark_jar_folder_named_in_deploy_then_it_is_the_one_spark_jars_resolves(rendered, variant):
    from tmdb_pipeline.settings import SparkSettings

    spark = SparkSettings.model_fields
    folder = f"/opt/tmdb/downloads/spark-jars-{spark['version'].default}-iceberg-{spark['iceberg_version'].default}/*"
    for app in by_kind(rendered[variant], "SparkApplication"):
        assert app["spec"]["sparkVersion"] == spark["version"].default
        assert app["spec"]["sparkConf"]["spark.driver.extraClassPath"] == folder
