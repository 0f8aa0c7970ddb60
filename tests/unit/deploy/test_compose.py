"""deploy/docker-compose.yml and deploy/Dockerfile: parsed and checked without a Docker engine, and
validated by `docker compose config` where a Compose CLI is available."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
from deploy_support import (
    COMPOSE_FILE,
    DEPLOY,
    PIPELINE_IMAGE,
    ROOT,
    compose_command,
    env_file_entries,
    image_name,
)

STATEFUL = ("kafka", "mongo", "seaweedfs", "iceberg-rest")
SEAWEEDFS_IMAGE = "chrislusf/seaweedfs:"
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|CREDENTIAL|API_KEY|ACCESS_KEY|_KEYS$|ROOT_USER|USERNAME")
# ${VAR}, ${VAR:-default}, ${VAR:?message}; `$${...}` is a literal `${` for the container's shell
REFERENCE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?\}")
URI_WITH_PASSWORD = re.compile(r"^[a-z][a-z0-9+.-]*://[^:/@\s]+:([^@\s]+)@")
ENV_EXAMPLE = DEPLOY / ".env.example"


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def ours(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {n: s for n, s in services(compose).items() if image_name(s.get("image", "")) == PIPELINE_IMAGE}


def one_shot(service: dict[str, Any]) -> bool:
    return service.get("restart") == "no"


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def test_given_the_compose_file_then_every_service_has_a_pinned_image_or_the_pipeline_build(compose):
    assert set(services(compose)) >= {*STATEFUL, "seaweedfs-init", "emulator", "pipeline", "api"}
    for name, service in services(compose).items():
        assert "image" in service or "build" in service, name
        image = service["image"]
        if image_name(image) == PIPELINE_IMAGE:
            build = service["build"]
            assert (ROOT / build["context"].removeprefix("..").lstrip("/")).resolve() == ROOT
            assert build["dockerfile"] == "deploy/Dockerfile"
        else:
            tag = image.rsplit(":", 1)[1] if ":" in image.rsplit("/", 1)[-1] else ""
            assert tag and tag != "latest", f"{name}: pin {image}"
    assert services(compose)["kafka"]["image"].startswith("apache/kafka:4.1.")
    assert services(compose)["iceberg-rest"]["image"].startswith("apache/iceberg-rest-fixture:")
    assert services(compose)["mongo"]["image"].startswith("mongo:")
    # the Docker Hub minio/minio and minio/mc repositories are gone (September 2026)
    assert not any("minio" in service["image"] for service in services(compose).values())
    assert services(compose)["seaweedfs"]["image"] == services(compose)["seaweedfs-init"]["image"]
    assert services(compose)["seaweedfs"]["image"].startswith(SEAWEEDFS_IMAGE)


def test_given_the_compose_file_then_kafka_runs_in_kraft_mode(compose):
    env = environment(services(compose)["kafka"])
    assert set(env["KAFKA_PROCESS_ROLES"].split(",")) == {"broker", "controller"}
    assert "KAFKA_CONTROLLER_QUORUM_VOTERS" in env
    assert not any("ZOOKEEPER" in key for key in env)
    assert env["KAFKA_ADVERTISED_LISTENERS"].split(",")[0].endswith("//kafka:9092")
    assert environment(services(compose)["pipeline"])["KAFKA_BOOTSTRAP_SERVERS"] == "kafka:9092"


def test_given_the_compose_file_then_long_running_services_have_healthchecks(compose):
    for name in STATEFUL:
        assert services(compose)[name]["healthcheck"]["test"], name
    for name, service in services(compose).items():
        if not one_shot(service):
            test = service.get("healthcheck", {}).get("test")
            assert test and test[0] in ("CMD", "CMD-SHELL"), f"{name} has no healthcheck"


def test_given_the_compose_file_then_depends_on_targets_exist_and_wait_for_the_right_state(compose):
    all_services = services(compose)
    waits = 0
    for name, service in all_services.items():
        for target, condition in (service.get("depends_on") or {}).items():
            assert target in all_services, f"{name} depends on unknown {target}"
            state = condition["condition"]
            if state == "service_healthy":
                assert "healthcheck" in all_services[target], f"{name} waits for {target}'s health"
            elif state == "service_completed_successfully":
                assert one_shot(all_services[target]), f"{target} is not a one-shot"
            else:
                pytest.fail(f"{name} -> {target}: use a health or completion condition, not {state}")
            waits += 1
    assert waits >= 6
    store_init = all_services["seaweedfs-init"]["depends_on"]
    assert store_init == {"seaweedfs": {"condition": "service_healthy"}}
    assert (
        all_services["iceberg-rest"]["depends_on"]["seaweedfs-init"]["condition"]
        == "service_completed_successfully"
    )
    assert all_services["pipeline"]["depends_on"]["iceberg-rest"]["condition"] == "service_healthy"
    # the emulator is an optional profile: the pipeline waits for it only when it is enabled
    assert all_services["emulator"]["profiles"] == ["emulator"]
    assert all_services["pipeline"]["depends_on"]["emulator"]["required"] is False


def test_given_the_compose_file_then_no_secret_is_written_inline(compose):
    checked = 0
    for name, service in services(compose).items():
        for key, value in environment(service).items():
            if SECRET_NAME.search(key):
                assert REFERENCE.search(value), f"{name}.{key} must be a ${{VAR}} reference"
                checked += 1
            if match := URI_WITH_PASSWORD.match(value):
                assert REFERENCE.fullmatch(match.group(1)), f"{name}.{key}: password in the URI is inline"
                checked += 1
    assert checked >= 12
    # and nowhere else in the file (commands, healthchecks): no password-like literal assignment
    text = COMPOSE_FILE.read_text()
    assert not re.search(r"(?i)(password|secret)[A-Z_]*\s*[:=]\s*(?![\"']?\$\{)[\"']?\w", text)


def test_given_the_stateful_services_then_their_credentials_are_required_not_defaulted(compose):
    for name in (*STATEFUL, "seaweedfs-init"):
        for key, value in environment(services(compose)[name]).items():
            if SECRET_NAME.search(key):
                (reference,) = REFERENCE.finditer(value)
                assert reference.group(2) == ":?", f"{name}.{key}: use ${{VAR:?message}}, not a default"


def test_given_the_pipeline_then_it_uses_the_rest_catalog_and_the_object_store_not_its_volume(compose):
    """Tables live in the REST catalog and SeaweedFS; the volume keeps the extract state and checkpoints."""
    env = environment(services(compose)["pipeline"])
    assert env["ICEBERG_CATALOG_TYPE"] == "rest"
    assert env["ICEBERG_CATALOG_URI"] == "http://iceberg-rest:8181"
    assert env["ICEBERG_WAREHOUSE"].startswith("s3://warehouse")
    assert env["S3_ENDPOINT"] == "http://seaweedfs:8333"
    assert env["S3_PATH_STYLE_ACCESS"] == "true"
    assert "ICEBERG_CATALOG_DB" not in env, "no JDBC catalog file on the pipeline's volume"
    for key in ("S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"):
        (reference,) = REFERENCE.finditer(env[key])
        assert reference.group(2) == ":?", f"pipeline.{key} must be required"
    # the same identity for the store, the catalog and the pipeline
    store, catalog = (environment(services(compose)[name]) for name in ("seaweedfs", "iceberg-rest"))
    assert store["S3_ACCESS_KEY_ID"] == catalog["AWS_ACCESS_KEY_ID"] == env["S3_ACCESS_KEY_ID"]
    assert store["S3_SECRET_ACCESS_KEY"] == catalog["AWS_SECRET_ACCESS_KEY"] == env["S3_SECRET_ACCESS_KEY"]
    assert catalog["CATALOG_WAREHOUSE"] == env["ICEBERG_WAREHOUSE"]
    assert catalog["CATALOG_S3_ENDPOINT"] == env["S3_ENDPOINT"]
    assert catalog["CATALOG_IO__IMPL"] == "org.apache.iceberg.aws.s3.S3FileIO"
    assert catalog["CATALOG_S3_PATH__STYLE__ACCESS"] == "true"
    assert catalog["AWS_REGION"] == env["S3_REGION"]
    assert catalog["CATALOG_URI"].startswith("jdbc:sqlite:/home/iceberg/")
    assert "iceberg-catalog:/home/iceberg" in services(compose)["iceberg-rest"]["volumes"]
    # Spark's checkpoints stay on the pipeline's own volume (a file system with atomic renames)
    assert env["LANDING_CHECKPOINT_DIR"].startswith("file:///data/")


def test_given_seaweedfs_then_store_and_init_run_the_shared_script_with_the_bucket_of_the_warehouse(compose):
    store, init = services(compose)["seaweedfs"], services(compose)["seaweedfs-init"]
    script = "./k8s/base/seaweedfs/seaweedfs.sh:/opt/tmdb/seaweedfs.sh:ro"
    assert script in store["volumes"] and script in init["volumes"]
    assert store["entrypoint"] == init["entrypoint"] == ["/bin/sh", "/opt/tmdb/seaweedfs.sh"]
    assert (store["command"], init["command"]) == (["serve"], ["ensure-bucket"])
    bucket = (
        environment(services(compose)["pipeline"])["ICEBERG_WAREHOUSE"].removeprefix("s3://").split("/")[0]
    )
    assert environment(store)["S3_BUCKET"] == environment(init)["S3_BUCKET"] == bucket
    assert environment(store)["SEAWEEDFS_HOST"] == environment(init)["SEAWEEDFS_HOST"] == "seaweedfs"
    # the image's user owns /data; never root
    assert store["user"] == init["user"] == "1000:1000"


def strings(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [text for key, value in node.items() for text in (*strings(key), *strings(value))]
    if isinstance(node, list):
        return [text for value in node for text in strings(value)]
    return [str(node)]


def test_given_the_env_template_then_it_lists_every_reference_and_no_secret_value(compose):
    example = env_file_entries(ENV_EXAMPLE)
    referenced = {m.group(1) for text in strings(compose) for m in REFERENCE.finditer(text)}
    assert len(referenced) >= 20
    assert referenced - set(example) == set(), "document these in deploy/.env.example"
    for key, value in example.items():
        if SECRET_NAME.search(key):
            assert value == "", f"deploy/.env.example carries a value for {key}"


def test_given_the_api_then_its_port_is_published_and_it_listens_on_all_interfaces(compose):
    api = services(compose)["api"]
    env = environment(api)
    assert env["API_HOST"] == "0.0.0.0"
    published = [str(port).rsplit(":", 1) for port in api["ports"]]
    assert any(container == env["API_PORT"] == "8000" for _, container in published)
    assert api["command"] == ["tmdb-pipeline", "api"]


def test_given_the_compose_file_then_volumes_are_named_and_one_network_joins_every_service(compose):
    declared = set(compose["volumes"])
    used = set()
    for name, service in services(compose).items():
        assert service["networks"] == ["tmdb"], name
        for volume in service.get("volumes", []):
            source = volume.split(":", 1)[0]
            if not source.startswith((".", "/")):
                used.add(source)
            else:
                assert (DEPLOY / source).exists(), f"{name} mounts missing {source}"
    assert used == declared
    assert set(compose["networks"]) == {"tmdb"}
    assert "pipeline-data:/data" in services(compose)["pipeline"]["volumes"]


def test_given_the_dockerfile_then_it_installs_from_the_lock_with_java_17_and_the_spark_jars():
    from tmdb_pipeline.settings import SparkSettings

    text = (DEPLOY / "Dockerfile").read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim-bookworm$", text, re.M)
    assert text.count("FROM ${PYTHON_IMAGE}") == 2
    assert "openjdk-17-jre-headless maven" in text
    # the local stack's S3 server (group local-stack) stays out of the image
    assert "uv sync --frozen --no-dev --no-group local-stack --no-install-project" in text
    assert "uv sync --frozen --no-dev --no-group local-stack\n" in text
    assert "spark_jars(" in text
    # S3FileIO comes with the stack's own jar set (one resolution for the local stack and the image)
    from tmdb_pipeline.stack.spark import SPARK_EXTRA_ARTIFACTS

    assert "iceberg-aws-bundle" in SPARK_EXTRA_ARTIFACTS
    assert "iceberg-aws-bundle-*.jar" in text
    setup_uv = re.search(r'^UV_VERSION="([^"]+)"', (ROOT / "scripts/setup.sh").read_text(), re.M)
    assert setup_uv and f"ARG UV_VERSION={setup_uv.group(1)}" in text, "same uv as scripts/setup.sh"
    spark = SparkSettings.model_fields
    assert f"ARG SPARK_VERSION={spark['version'].default}" in text
    assert f"ARG SPARK_ICEBERG_VERSION={spark['iceberg_version'].default}" in text
    entrypoint = re.search(r'ENTRYPOINT \[.*"(/app/[^"]+)"\]', text)
    assert entrypoint and (ROOT / entrypoint.group(1).removeprefix("/app/")).exists()
    ignore = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert {"**/.env", ".venv", ".local", ".git"} <= set(ignore)


def _env_with_dummy_secrets(tmp_path: Path) -> Path:
    lines = []
    for key, value in env_file_entries(ENV_EXAMPLE).items():
        lines.append(f"{key}={value or 'placeholder-' + key.lower()}")
    path = tmp_path / "compose.env"
    path.write_text("\n".join(lines) + "\n")
    return path


def _compose_config(command: list[str], env_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command, "-f", str(COMPOSE_FILE), "--env-file", str(env_file), *args, "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def compose_cli() -> list[str]:
    command = compose_command()
    if command is None:
        pytest.skip("no Docker Compose CLI; deploy/scripts/install-compose.sh builds one without an engine")
    return command


def test_given_the_filled_template_when_compose_renders_then_it_accepts_the_file(compose_cli, tmp_path):
    import json

    env_file = _env_with_dummy_secrets(tmp_path)
    plain = _compose_config(compose_cli, env_file)
    assert plain.returncode == 0, plain.stderr
    assert "emulator" not in json.loads(plain.stdout)["services"]
    full = _compose_config(compose_cli, env_file, "--profile", "emulator")
    assert full.returncode == 0, full.stderr
    resolved = json.loads(full.stdout)["services"]
    assert set(resolved) == set(services_from_file())
    assert len(resolved) == 9
    assert resolved["pipeline"]["environment"]["MONGO_URI"].startswith("mongodb://tmdb:placeholder-")


def test_given_an_empty_secret_when_compose_renders_then_it_refuses_and_names_the_variable(
    compose_cli, tmp_path
):
    refused = _compose_config(compose_cli, ENV_EXAMPLE)
    assert refused.returncode != 0
    assert re.search(r"required variable \w+ is missing", refused.stderr), refused.stderr


def services_from_file() -> dict[str, Any]:
    import yaml

    return yaml.safe_load(COMPOSE_FILE.read_text())["services"]
