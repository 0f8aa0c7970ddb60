"""deploy/ on the lakehouse of issue #14: the pipeline's tables live in the Iceberg REST catalog and
SeaweedFS (S3) that deploy/ declares, in compose and in every k8s variant; pod volumes keep only
state; no ReadWriteOnce volume is shared between running pods; prod refuses to start without TMDB
credentials."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from deploy_support import (
    K8S,
    PIPELINE_IMAGE,
    VARIANTS,
    by_kind,
    config_data,
    env_file_entries,
    image_name,
    kustomize_command,
    one,
    pod_specs,
)

SEAWEEDFS_REPOSITORY = "chrislusf/seaweedfs"
S3_SECRET = "tmdb-s3"


def env_map(env: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in env}


def secret_ref(item: dict[str, Any]) -> tuple[str, str]:
    """(generator name, key) of a secretKeyRef; kustomize appends a content hash to generated names."""
    ref = item["valueFrom"]["secretKeyRef"]
    return ref["name"].rsplit("-", 1)[0], ref["key"]


def generated(docs: list[dict[str, Any]], kind: str, base: str) -> dict[str, Any]:
    found = [d for d in by_kind(docs, kind) if d["metadata"]["name"].rsplit("-", 1)[0] == base]
    assert len(found) == 1, f"expected one generated {kind} {base}"
    return found[0]


def warehouse_bucket(uri: str) -> str:
    assert uri.startswith("s3://"), uri
    return urlsplit(uri).netloc


def service_port(docs: list[dict[str, Any]], url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    service = one(docs, "Service", parts.hostname or "")
    ports = [p for p in service["spec"]["ports"] if p["port"] == parts.port]
    assert ports, f"Service/{parts.hostname} has no port {parts.port}"
    return service


def active(workload: dict[str, Any]) -> bool:
    if workload["kind"] == "Deployment":
        return workload["spec"].get("replicas", 1) > 0
    if workload["kind"] == "CronJob":
        return not workload["spec"].get("suspend", False)
    return True


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_the_catalog_and_the_store_the_pipeline_uses_are_the_ones_deployed(
    rendered, variant
):
    docs = rendered[variant]
    config = config_data(docs)
    assert config["ICEBERG_CATALOG_TYPE"] == "rest"
    assert "ICEBERG_CATALOG_DB" not in config, "no JDBC catalog file on a pod volume"
    bucket = warehouse_bucket(config["ICEBERG_WAREHOUSE"])
    assert config["S3_PATH_STYLE_ACCESS"] == "true"
    # the URIs name Services of this render, on ports they serve
    service_port(docs, config["ICEBERG_CATALOG_URI"])
    store_service = service_port(docs, config["S3_ENDPOINT"])

    catalog = one(docs, "Deployment", "iceberg-rest")["spec"]["template"]["spec"]
    (server,) = catalog["containers"]
    env = env_map(server["env"])
    assert env["CATALOG_WAREHOUSE"]["value"] == config["ICEBERG_WAREHOUSE"]
    assert env["CATALOG_IO__IMPL"]["value"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert env["CATALOG_S3_ENDPOINT"]["value"] == config["S3_ENDPOINT"]
    assert env["CATALOG_S3_PATH__STYLE__ACCESS"]["value"] == "true"
    assert env["AWS_REGION"]["value"] == config["S3_REGION"]
    assert secret_ref(env["AWS_ACCESS_KEY_ID"]) == (S3_SECRET, "S3_ACCESS_KEY_ID")
    assert secret_ref(env["AWS_SECRET_ACCESS_KEY"]) == (S3_SECRET, "S3_SECRET_ACCESS_KEY")
    # its JDBC store is a file on its own volume, not the image's in-memory default
    store_path = env["CATALOG_URI"]["value"].removeprefix("jdbc:sqlite:")
    mounts = {m["name"]: m["mountPath"] for m in server["volumeMounts"]}
    claims = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in catalog["volumes"]}
    assert any(store_path.startswith(path + "/") and claims[name] for name, path in mounts.items())

    seaweedfs = one(docs, "StatefulSet", "seaweedfs")
    assert (
        store_service["spec"]["selector"].items()
        <= seaweedfs["spec"]["template"]["metadata"]["labels"].items()
    )
    # headless and published before ready: the server's components reach each other by this name
    assert store_service["spec"]["clusterIP"] == "None"
    assert store_service["spec"]["publishNotReadyAddresses"] is True
    (store,) = seaweedfs["spec"]["template"]["spec"]["containers"]
    store_env = env_map(store["env"])
    assert store["command"][-1] == "serve"
    assert store_env["S3_BUCKET"]["value"] == bucket
    assert store_env["SEAWEEDFS_HOST"]["value"] == store_service["metadata"]["name"]
    assert secret_ref(store_env["S3_ACCESS_KEY_ID"]) == (S3_SECRET, "S3_ACCESS_KEY_ID")
    assert secret_ref(store_env["S3_SECRET_ACCESS_KEY"]) == (S3_SECRET, "S3_SECRET_ACCESS_KEY")
    # the bucket exists before the catalog starts
    (init,) = [c for c in catalog.get("initContainers", []) if c["name"] == "ensure-bucket"]
    init_env = env_map(init["env"])
    assert init["command"][-1] == "ensure-bucket"
    assert init_env["S3_BUCKET"]["value"] == bucket
    assert init_env["SEAWEEDFS_HOST"]["value"] == store_service["metadata"]["name"]
    assert init["image"] == store["image"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_minio_is_gone_and_seaweedfs_is_the_image_compose_uses(
    rendered, compose, variant
):
    images = [c["image"] for _, spec in pod_specs(rendered[variant]) for c in spec["containers"]]
    images += [c["image"] for _, spec in pod_specs(rendered[variant]) for c in spec.get("initContainers", [])]
    assert not [image for image in images if "minio" in image]
    seaweedfs = {image for image in images if image.startswith(SEAWEEDFS_REPOSITORY + ":")}
    assert seaweedfs == {compose["services"]["seaweedfs"]["image"]}, "one SeaweedFS version, local == deploy"
    assert not {d["kind"] for d in rendered[variant]} & {"Tenant"}


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_the_seaweedfs_script_is_the_file_compose_mounts(rendered, variant):
    script = (K8S / "base" / "seaweedfs" / "seaweedfs.sh").read_text()
    config_map = generated(rendered[variant], "ConfigMap", "seaweedfs-script")
    assert config_map["data"]["seaweedfs.sh"] == script
    assert "-s3.config=" in script and "s3.bucket.create" in script


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_every_pipeline_pod_writes_to_s3_with_the_store_identity(rendered, variant):
    docs = rendered[variant]
    envs = [
        (workload["metadata"]["name"], container.get("env", []))
        for workload, spec in pod_specs(docs)
        for container in spec["containers"]
        if image_name(container["image"]) == PIPELINE_IMAGE
        and "api" not in container.get("args", [])[:2]
        and "emulator" not in container.get("args", [])[:2]
    ]
    envs += [
        (f"{app['metadata']['name']} {role}", app["spec"][role].get("env", []))
        for app in by_kind(docs, "SparkApplication")
        for role in ("driver", "executor")
    ]
    assert len(envs) >= 2
    for where, env in envs:
        items = env_map(env)
        assert secret_ref(items["S3_ACCESS_KEY_ID"]) == (S3_SECRET, "S3_ACCESS_KEY_ID"), where
        assert secret_ref(items["S3_SECRET_ACCESS_KEY"]) == (S3_SECRET, "S3_SECRET_ACCESS_KEY"), where


def bronze_writer_pod(docs: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
    """(name, volume mounts, volumes) of the pod that lands Bronze (and so owns the checkpoint)."""
    for app in by_kind(docs, "SparkApplication"):
        return app["metadata"]["name"], app["spec"]["driver"].get("volumeMounts", []), app["spec"]["volumes"]
    spec = one(docs, "Deployment", "pipeline")["spec"]["template"]["spec"]
    return "pipeline", spec["containers"][0]["volumeMounts"], spec["volumes"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_the_landing_checkpoint_is_on_the_bronze_writers_own_volume(rendered, variant):
    """The tables are in S3; the writer's volume keeps Spark's checkpoint (it needs atomic renames)."""
    docs = rendered[variant]
    config = config_data(docs)
    checkpoint = config["LANDING_CHECKPOINT_DIR"]
    assert checkpoint.startswith("file:///"), "a file system with atomic renames, not the object store"
    name, mounts, volumes = bronze_writer_pod(docs)
    claims = {v["name"]: v.get("persistentVolumeClaim", {}).get("claimName") for v in volumes}
    path = checkpoint.removeprefix("file://")
    holding = [
        m for m in mounts if path.startswith(m["mountPath"].rstrip("/") + "/") and claims.get(m["name"])
    ]
    assert holding, f"{name}: {path} is on no persistent volume"
    assert config["STACK_HOME"].startswith(holding[0]["mountPath"].rstrip("/") + "/")


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_no_read_write_once_volume_is_shared_between_running_pods(rendered, variant):
    docs = rendered[variant]
    modes = {
        pvc["metadata"]["name"]: pvc["spec"]["accessModes"] for pvc in by_kind(docs, "PersistentVolumeClaim")
    }
    users: dict[str, list[str]] = {}
    for workload, spec in pod_specs(docs):
        name = f"{workload['kind']}/{workload['metadata']['name']}"
        for volume in spec.get("volumes", []):
            if "persistentVolumeClaim" in volume and active(workload):
                users.setdefault(volume["persistentVolumeClaim"]["claimName"], []).append(name)
                if workload["kind"] == "Deployment":
                    assert workload["spec"].get("replicas", 1) == 1, f"{name}: replicas would share it"
                    assert workload["spec"]["strategy"]["type"] == "Recreate", (
                        f"{name}: old and new pod overlap"
                    )
    for app in by_kind(docs, "SparkApplication"):
        mounted = {m["name"] for m in app["spec"]["driver"].get("volumeMounts", [])}
        for volume in app["spec"].get("volumes", []):
            if "persistentVolumeClaim" in volume and volume["name"] in mounted:
                users.setdefault(volume["persistentVolumeClaim"]["claimName"], []).append(
                    f"SparkApplication/{app['metadata']['name']} driver"
                )
        assert not app["spec"]["executor"].get("volumeMounts"), "executors are many pods: no volume"
    shared = {claim: who for claim, who in users.items() if len(who) > 1 and "ReadWriteOnce" in modes[claim]}
    assert shared == {}
    if "spark" in variant:
        assert users["pipeline-data"] == ["SparkApplication/bronze-landing driver"]
        assert users["pipeline-pass-data"] == ["CronJob/pipeline-pass"]


def require_tmdb_check(spec: dict[str, Any]) -> dict[str, Any] | None:
    found = [c for c in spec.get("initContainers", []) if c["name"] == "require-tmdb-credentials"]
    return found[0] if found else None


def extracting_workloads(docs: list[dict[str, Any]]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Workloads that call TMDB: `tmdb-pipeline run` or `tmdb-pipeline extract`."""
    found = []
    for workload, spec in pod_specs(docs):
        for container in spec["containers"]:
            words = " ".join([*container.get("command", []), *container.get("args", [])])
            if "tmdb-pipeline run" in words or "tmdb-pipeline extract" in words:
                found.append((workload, spec))
    return found


def run_check(check: dict[str, Any], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        check["command"],
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        capture_output=True,
        text=True,
        timeout=10,
        check=False,
    )


@pytest.mark.parametrize("variant", [v for v in VARIANTS if v.startswith("prod")])
def test_given_prod_without_tmdb_credentials_then_every_pod_that_calls_tmdb_refuses_to_start(
    rendered, variant
):
    workloads = extracting_workloads(rendered[variant])
    assert {w["metadata"]["name"] for w, _ in workloads} >= {"pipeline-pass"}
    for workload, spec in workloads:
        where = f"{workload['kind']}/{workload['metadata']['name']}"
        check = require_tmdb_check(spec)
        assert check is not None, f"{where} starts without TMDB credentials"
        env = env_map(check["env"])
        for key in ("TMDB_API_KEY", "TMDB_READ_ACCESS_TOKEN"):
            assert secret_ref(env[key]) == ("tmdb-secrets", key), where
        # the check itself, run as the pod would: no key (absent from tmdb.env, so unset) or empty keys
        # (as the template has) -> refused
        for missing in ({}, {"TMDB_API_KEY": "", "TMDB_READ_ACCESS_TOKEN": ""}):
            refused = run_check(check, missing)
            assert refused.returncode != 0, where
            assert "TMDB_API_KEY" in refused.stderr and "tmdb.env" in refused.stderr
        for given in ({"TMDB_API_KEY": "k"}, {"TMDB_READ_ACCESS_TOKEN": "t", "TMDB_API_KEY": ""}):
            accepted = run_check(check, given)
            assert accepted.returncode == 0, (where, accepted.stderr)


def test_given_dev_then_the_emulator_stands_in_and_no_pod_requires_tmdb_credentials(rendered):
    for variant in (v for v in VARIANTS if v.startswith("dev")):
        docs = rendered[variant]
        assert all(require_tmdb_check(spec) is None for _, spec in pod_specs(docs))
        emulator = one(docs, "Service", config_data(docs)["EMULATOR_HOST"])
        assert [p["port"] for p in emulator["spec"]["ports"]] == [int(config_data(docs)["EMULATOR_PORT"])]
        for workload, spec in extracting_workloads(docs):
            (container,) = spec["containers"]
            tmdb = env_map(container["env"])["TMDB_API_KEY"]["valueFrom"]["secretKeyRef"]
            assert tmdb["optional"] is True, workload["metadata"]["name"]


def secret_generators() -> list[tuple[Path, dict[str, Any]]]:
    """(folder, secretGenerator entry) of the base and of every component."""
    folders = [K8S / "base", *sorted(p.parent for p in (K8S / "components").glob("*/kustomization.yaml"))]
    return [
        (folder, generator)
        for folder in folders
        for generator in yaml.safe_load((folder / "kustomization.yaml").read_text()).get(
            "secretGenerator", []
        )
    ]


def secret_templates() -> dict[str, set[str]]:
    """Generated Secret -> the keys its credentials template lists (from the kustomization that makes it)."""
    templates = {}
    for folder, generator in secret_generators():
        keys: set[str] = set()
        for env in generator.get("envs", []):
            path = folder / (env + ".example")
            keys |= set(env_file_entries(path))
            # optional keys, documented commented out (`# KEY=`)
            keys |= set(re.findall(r"^# ([A-Z][A-Z0-9_]*)=$", path.read_text(), re.M))
        # a component's `behavior: merge` generator (no envs) adds to the base's Secret, not replaces it
        templates.setdefault(generator["name"], set()).update(keys)
    return templates


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_every_key_read_from_a_generated_secret_is_in_its_template(rendered, variant):
    templates = secret_templates()
    assert set(templates) == {"tmdb-secrets", S3_SECRET, "tmdb-superset", "tmdb-airflow"}
    read: set[tuple[str, str]] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if "secretKeyRef" in node:
                name, key = node["secretKeyRef"]["name"].rsplit("-", 1)[0], node["secretKeyRef"]["key"]
                if name in templates:
                    read.add((name, key))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for doc in rendered[variant]:
        walk(doc.get("spec", {}))
    missing = {(name, key) for name, key in read if key not in templates[name]}
    assert missing == set(), "add these keys to the credentials/*.env.example of their kustomization"
    assert (S3_SECRET, "S3_ACCESS_KEY_ID") in read
    if variant.endswith("+bi"):
        assert {key for name, key in read if name == "tmdb-superset"} == templates["tmdb-superset"]


def test_given_the_credential_folders_then_no_template_is_left_for_a_removed_secret():
    used = {(folder / env).resolve() for folder, g in secret_generators() for env in g.get("envs", [])}
    present = {p.with_suffix("").resolve() for p in K8S.glob("**/credentials/*.env.example")}
    assert present == used


def test_given_prod_without_the_tmdb_credentials_file_then_kustomize_refuses_to_render(k8s_copy, tmp_path):
    """The first line of refusal: no credentials/tmdb.env, no manifests (the init check covers empty keys)."""
    copy = tmp_path / "k8s"
    shutil.copytree(k8s_copy, copy)
    (copy / "base" / "credentials" / "tmdb.env").unlink()
    result = subprocess.run(
        [*kustomize_command(), str(copy / "overlays" / "prod")], capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0
    assert "credentials/tmdb.env" in result.stderr


@pytest.mark.parametrize("variant", VARIANTS)
def test_given_an_overlay_then_lakehouse_maintenance_runs_daily_a_command_the_cli_has(rendered, variant):
    from typer.testing import CliRunner

    from tmdb_pipeline.cli import app

    job = one(rendered[variant], "CronJob", "lakehouse-maintenance")
    assert active(job)
    minute, hour, *every_day = job["spec"]["schedule"].split()
    assert every_day == ["*", "*", "*"] and minute.isdigit() and hour.isdigit()
    (container,) = job["spec"]["jobTemplate"]["spec"]["template"]["spec"]["containers"]
    program, *arguments = container["args"]
    assert program == "tmdb-pipeline"
    result = CliRunner().invoke(app, [*arguments, "--help"])
    assert result.exit_code == 0, result.output
    assert "expire" in result.output
