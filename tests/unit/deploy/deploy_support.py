"""Constants and helpers shared by the deploy/ tests.

The suite runs with --import-mode=importlib, so conftest.py puts this folder on sys.path and the
test modules import this file by name.
"""

from __future__ import annotations

import importlib
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
COMPOSE_FILE = DEPLOY / "docker-compose.yml"
CRD_SCHEMAS = ROOT.parent / "shared" / "data" / "k8s-crd-schemas"
DOWNLOADS = Path(os.environ.get("STACK_DOWNLOADS") or ROOT / ".local" / "downloads")
PIPELINE_IMAGE = "tmdb-pipeline"

# What `kustomize build` runs on: both overlays, and each with an opt-in component: the Spark operator
# landing and the BI one (dev lists it; prod is wrapped: prod's patches target the Deployment the
# Spark component removes, and deploy/README.md shows both components that way).
VARIANTS = ("dev", "prod", "dev+spark-operator", "prod+spark-operator", "dev+bi", "prod+bi")
SPARK_COMPONENT = "../../components/spark-operator-landing"
BI_COMPONENT = "../../components/bi"
COMPONENTS = {"spark-operator": SPARK_COMPONENT, "bi": BI_COMPONENT}
BI_COMPOSE_FILE = DEPLOY / "bi" / "docker-compose.bi.yml"
SUPERSET_IMAGE = "tmdb-superset"

CLI_CALL = re.compile(r"\btmdb-pipeline\s+([a-z][a-z-]*)")


def kustomize_command() -> list[str]:
    """The pinned kustomize if built, else one on PATH, else kubectl's; built from source as a last resort."""
    local = DOWNLOADS / "bin" / "kustomize"
    if local.exists():
        return [str(local), "build"]
    if found := shutil.which("kustomize"):
        return [found, "build"]
    if kubectl := shutil.which("kubectl"):
        return [kubectl, "kustomize"]
    if shutil.which("go"):
        subprocess.run([str(DEPLOY / "scripts" / "install-kustomize.sh")], check=True, capture_output=True)
        return [str(local), "build"]
    pytest.fail(
        "No kustomize: install Go and run deploy/scripts/install-kustomize.sh, or put kustomize or "
        "kubectl on PATH. Rendering the manifests any other way would not test what kubectl applies."
    )


def compose_command() -> list[str] | None:
    """A Docker Compose CLI that can run `config` (no engine needed), or None."""
    local = DOWNLOADS / "bin" / "docker-compose"
    if local.exists():
        return [str(local)]
    if found := shutil.which("docker-compose"):
        return [found]
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
        if probe.returncode == 0:
            return ["docker", "compose"]
    return None


def render(k8s_dir: Path, variant: str) -> list[dict[str, Any]]:
    overlay = k8s_dir / "overlays" / variant.replace("+", "-")
    result = subprocess.run(
        [*kustomize_command(), str(overlay)], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, f"kustomize build {variant} failed:\n{result.stderr}"
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


def by_kind(docs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [doc for doc in docs if doc["kind"] == kind]


def one(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    found = [doc for doc in by_kind(docs, kind) if doc["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind}/{name}, found {len(found)}"
    return found[0]


def pod_specs(docs: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """(workload, pod spec) for every Deployment, StatefulSet, Job and CronJob."""
    for doc in docs:
        kind = doc["kind"]
        if kind in ("Deployment", "StatefulSet", "Job"):
            yield doc, doc["spec"]["template"]["spec"]
        elif kind == "CronJob":
            yield doc, doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]


def config_data(docs: list[dict[str, Any]]) -> dict[str, str]:
    maps = [doc for doc in by_kind(docs, "ConfigMap") if doc["metadata"]["name"].startswith("tmdb-config")]
    assert len(maps) == 1, "expected exactly one tmdb-config ConfigMap"
    return maps[0]["data"]


def image_name(image: str) -> str:
    """`registry/path/name:tag` -> `name`."""
    return image.rsplit("/", 1)[-1].split("@")[0].split(":")[0]


def env_file_entries(path: Path) -> dict[str, str]:
    """KEY -> value of an env file (comments and blank lines skipped; `export ` accepted)."""
    entries = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.removeprefix("export ").split("=", 1)
        entries[key.strip()] = value.strip()
    return entries


def _settings_fields() -> Iterator[tuple[str, Any]]:
    """(environment variable, pydantic field) for every field of every settings model of the project."""
    from pydantic_settings import BaseSettings

    paths = [*ROOT.glob("tmdb_pipeline/**/settings.py"), *ROOT.glob("serving_api/**/settings.py")]
    for path in sorted(paths):
        module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
        for obj in vars(module).values():
            if (
                isinstance(obj, type)
                and issubclass(obj, BaseSettings)
                and obj is not BaseSettings
                and obj.__module__ == module.__name__
            ):
                prefix = str(obj.model_config.get("env_prefix", ""))
                for field, info in obj.model_fields.items():
                    yield f"{prefix}{field}".upper(), info


def settings_env_names() -> set[str]:
    """Every environment variable a settings model of the project reads (prefix + field name)."""
    return {name for name, _ in _settings_fields()}


def secret_settings_env_names() -> set[str]:
    """The settings the code holds as secrets (SecretStr, alone or in a union such as SecretStr | None)."""
    from pydantic import SecretStr

    def is_secret(annotation: Any) -> bool:
        return annotation is SecretStr or any(is_secret(arg) for arg in getattr(annotation, "__args__", ()))

    return {name for name, info in _settings_fields() if is_secret(info.annotation)}
