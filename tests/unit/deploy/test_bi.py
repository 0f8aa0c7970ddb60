"""deploy/ for BI (issue #15): the Spark SQL endpoint and Superset, as k8s's components/bi (dev+bi,
prod+bi) and deploy/bi/docker-compose.bi.yml on top of deploy/docker-compose.yml. The generic checks
(images, resources, non-root, Services, references, settings drift) run on these variants too; here:
what joins them up, the probes, the secrets and the Superset image."""

from __future__ import annotations

import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from deploy_support import (
    BI_COMPOSE_FILE,
    COMPOSE_FILE,
    DEPLOY,
    K8S,
    ROOT,
    by_kind,
    compose_command,
    config_data,
    env_file_entries,
    one,
)

BI_VARIANTS = ("dev+bi", "prod+bi")
SUPERSET_SECRET = "tmdb-superset"
# what compose's x-pipeline-env and k8s's tmdb-config + tmdb-s3 hand the pipeline to reach the lakehouse
LAKEHOUSE = (
    "ICEBERG_CATALOG_TYPE",
    "ICEBERG_CATALOG_NAME",
    "ICEBERG_CATALOG_URI",
    "ICEBERG_WAREHOUSE",
    "S3_ENDPOINT",
    "S3_REGION",
    "S3_PATH_STYLE_ACCESS",
    "S3_ACCESS_KEY_ID",
    "S3_SECRET_ACCESS_KEY",
)
REQUIRED = re.compile(r"\$\{([A-Z][A-Z0-9_]*):\?[^}]+\}")


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in container.get("env", [])}


def secret_key(item: dict[str, Any]) -> tuple[str, str]:
    ref = item["valueFrom"]["secretKeyRef"]
    return ref["name"].rsplit("-", 1)[0], ref["key"]


def spec_of(docs: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return one(docs, kind, name)["spec"]["template"]["spec"]


def service_port(docs: list[dict[str, Any]], host: str, port: int) -> dict[str, Any]:
    service = one(docs, "Service", host)
    (match,) = [p for p in service["spec"]["ports"] if p["port"] == port]
    assert service["spec"].get("type", "ClusterIP") == "ClusterIP", f"Service/{host} is exposed"
    return match


def probe_code(command: list[str]) -> str:
    assert command[:2] == ["python", "-c"], command
    return command[2]


# --- Kubernetes ------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", BI_VARIANTS)
def test_given_the_bi_component_then_the_endpoint_serves_thrift_on_its_service_with_the_pipelines_catalog(
    rendered, variant
):
    docs = rendered[variant]
    (container,) = spec_of(docs, "Deployment", "sql-endpoint")["containers"]
    assert container["args"] == ["tmdb-pipeline", "sql-server"]
    env = env_of(container)
    assert env["SQL_ENDPOINT_HOST"]["value"] == "0.0.0.0", "the default 127.0.0.1 is unreachable"
    port = int(env["SQL_ENDPOINT_PORT"]["value"])
    assert {p["name"]: p["containerPort"] for p in container["ports"]} == {"thrift": port}
    assert service_port(docs, "sql-endpoint", port)["targetPort"] == "thrift"
    # the same catalog and store as the Bronze writer, from the same ConfigMap and Secret
    pipeline = env_of(spec_of(docs, "Deployment", "pipeline")["containers"][0])
    assert container["envFrom"] == [{"configMapRef": {"name": config_map_name(docs)}}]
    for key in (
        "S3_ACCESS_KEY_ID",
        "S3_SECRET_ACCESS_KEY",
        "ICEBERG_CATALOG_TOKEN",
        "ICEBERG_CATALOG_CREDENTIAL",
    ):
        assert env[key] == pipeline[key], key
    assert secret_key(env["S3_ACCESS_KEY_ID"]) == ("tmdb-s3", "S3_ACCESS_KEY_ID")
    assert config_data(docs)["ICEBERG_CATALOG_TYPE"] == "rest"
    # it reads the tables; it must never land Bronze
    assert not {"run", "land"} & set(container["args"])


def config_map_name(docs: list[dict[str, Any]]) -> str:
    (name,) = [
        d["metadata"]["name"]
        for d in by_kind(docs, "ConfigMap")
        if d["metadata"]["name"].startswith("tmdb-config")
    ]
    return name


@pytest.mark.parametrize("variant", BI_VARIANTS)
def test_given_the_endpoint_then_its_probes_and_memory_fit_a_spark_driver(rendered, variant):
    docs = rendered[variant]
    spec = spec_of(docs, "Deployment", "sql-endpoint")
    (container,) = spec["containers"]
    assert container["startupProbe"]["tcpSocket"]["port"] == "thrift"
    startup = container["startupProbe"]["periodSeconds"] * container["startupProbe"]["failureThreshold"]
    from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings

    assert startup >= SqlEndpointSettings.model_fields["start_timeout_s"].default
    assert "select 1" in probe_code(container["readinessProbe"]["exec"]["command"])
    assert container["livenessProbe"]["tcpSocket"]["port"] == "thrift"
    # the driver heap it gets (its own env wins over tmdb-config) fits under the memory limit
    driver = env_of(container)["SPARK_DRIVER_MEMORY"]["value"]
    limit = container["resources"]["limits"]["memory"]
    assert int(limit.removesuffix("Gi")) > int(driver.removesuffix("g"))
    # Derby's log goes to the working directory, which must be the pod's writable volume
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts.get(container["workingDir"]) in {v["name"] for v in spec["volumes"] if "emptyDir" in v}
    assert config_data(docs)["STACK_HOME"].startswith(container["workingDir"] + "/")


@pytest.mark.parametrize("variant", BI_VARIANTS)
def test_given_superset_then_it_reaches_the_endpoint_and_its_metadata_database_through_their_services(
    rendered, variant
):
    docs = rendered[variant]
    spec = spec_of(docs, "Deployment", "superset")
    (init,) = spec["initContainers"]
    (web,) = spec["containers"]
    assert (init["args"], web["args"]) == (["init"], ["serve"])
    assert init["image"] == web["image"]
    assert init["env"] == web["env"], "the init job and the web server share every setting"
    env = env_of(web)
    # the dashboard's database: the endpoint's Service and port, the Gold schema
    hive = urlsplit(env["TMDB_SUPERSET_DATABASE_URI"]["value"])
    endpoint = env_of(spec_of(docs, "Deployment", "sql-endpoint")["containers"][0])
    assert hive.scheme == "hive" and hive.path == "/gold"
    assert hive.port == int(endpoint["SQL_ENDPOINT_PORT"]["value"])
    service_port(docs, hive.hostname or "", hive.port)
    # the metadata: superset-db's Service, user and database, the password from the same Secret key
    # that PostgreSQL starts with, expanded by Kubernetes from a variable defined before the URI
    names = [item["name"] for item in web["env"]]
    uri = env["SUPERSET_METADATA_DB_URI"]["value"]
    match = re.fullmatch(r"postgresql\+psycopg2://(\w+):\$\((\w+)\)@([\w-]+):(\d+)/(\w+)", uri)
    assert match, uri
    user, variable, host, port, database = match.groups()
    assert names.index(variable) < names.index("SUPERSET_METADATA_DB_URI")
    (postgres,) = one(docs, "StatefulSet", "superset-db")["spec"]["template"]["spec"]["containers"]
    db_env = env_of(postgres)
    assert (
        secret_key(env[variable])
        == secret_key(db_env["POSTGRES_PASSWORD"])
        == (SUPERSET_SECRET, "SUPERSET_DB_PASSWORD")
    )
    assert (user, database) == (db_env["POSTGRES_USER"]["value"], db_env["POSTGRES_DB"]["value"])
    assert service_port(docs, host, int(port))["targetPort"] == "postgres"
    assert db_env["PGDATA"]["value"].startswith(postgres["volumeMounts"][0]["mountPath"] + "/")
    # web: /health for startup, readiness and liveness, on the Service's port
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert web[probe]["httpGet"] == {"path": "/health", "port": "http"}, probe
    assert {p["name"]: p["containerPort"] for p in web["ports"]} == {"http": 8088}
    assert service_port(docs, "superset", 8088)["targetPort"] == "http"


@pytest.mark.parametrize("variant", BI_VARIANTS)
def test_given_superset_then_every_secret_it_reads_comes_from_the_tmdb_superset_secret(rendered, variant):
    docs = rendered[variant]
    template = set(env_file_entries(K8S / "components/bi/credentials/superset.env.example"))
    assert template == {"SUPERSET_SECRET_KEY", "SUPERSET_ADMIN_PASSWORD", "SUPERSET_DB_PASSWORD"}
    web = env_of(spec_of(docs, "Deployment", "superset")["containers"][0])
    expected = {
        "SUPERSET_SECRET_KEY": "SUPERSET_SECRET_KEY",
        "TMDB_SUPERSET_ADMIN_PASSWORD": "SUPERSET_ADMIN_PASSWORD",
        "SUPERSET_DB_PASSWORD": "SUPERSET_DB_PASSWORD",
    }
    for name, key in expected.items():
        assert secret_key(web[name]) == (SUPERSET_SECRET, key)
    assert [d for d in by_kind(docs, "Secret") if d["metadata"]["name"].startswith(SUPERSET_SECRET + "-")]
    for name, item in web.items():
        if re.search(r"PASSWORD|SECRET", name):
            assert "valueFrom" in item, f"{name} is a literal"


def test_given_the_overlays_without_the_component_then_no_bi_workload_is_rendered(rendered):
    for variant in ("dev", "prod"):
        names = {d["metadata"]["name"] for d in rendered[variant]}
        assert not names & {"sql-endpoint", "superset", "superset-db"}


# --- Docker Compose ----------------------------------------------------------------------------------


def test_given_the_bi_compose_file_then_the_endpoint_has_the_pipelines_lakehouse_settings(
    compose, bi_compose
):
    pipeline = compose["services"]["pipeline"]["environment"]
    endpoint = bi_compose["services"]["sql-endpoint"]
    env = endpoint["environment"]
    # anchors do not cross files: the repeated settings must stay equal to x-pipeline-env's
    assert {key: env.get(key) for key in LAKEHOUSE} == {key: pipeline[key] for key in LAKEHOUSE}
    assert env["STACK_HOME"] == pipeline["STACK_HOME"]
    assert endpoint["working_dir"] == "/data" and env["STACK_HOME"].startswith("/data/")
    assert endpoint["command"] == ["tmdb-pipeline", "sql-server"]
    assert env["SQL_ENDPOINT_HOST"] == "0.0.0.0"
    # the host port is loopback only (no authentication), the container port the setting's
    assert endpoint["ports"] == [f"127.0.0.1:{env['SQL_ENDPOINT_PORT']}:{env['SQL_ENDPOINT_PORT']}"]
    assert endpoint["depends_on"] == {"iceberg-rest": {"condition": "service_healthy"}}
    assert endpoint["image"] == compose["services"]["pipeline"]["image"]
    assert endpoint["build"] == compose["services"]["pipeline"]["build"]
    assert "select 1" in probe_code(endpoint["healthcheck"]["test"][1:])


def test_given_the_bi_compose_file_then_superset_is_wired_to_the_endpoint_and_postgresql(bi_compose):
    services = bi_compose["services"]
    endpoint_port = services["sql-endpoint"]["environment"]["SQL_ENDPOINT_PORT"]
    init, web, db = services["superset-init"], services["superset"], services["superset-db"]
    assert init["environment"] == web["environment"]
    assert (init["command"], web["command"], init["restart"]) == (["init"], ["serve"], "no")
    assert init["image"] == web["image"] and image_tag_free(web["image"]) == "tmdb-superset"
    assert web["build"] == {"context": "..", "dockerfile": "deploy/bi/superset.Dockerfile"}
    env = web["environment"]
    assert env["TMDB_SUPERSET_DATABASE_URI"] == f"hive://superset@sql-endpoint:{endpoint_port}/gold"
    # the password is the one PostgreSQL starts with: the same required variable
    (password,) = REQUIRED.findall(env["SUPERSET_METADATA_DB_URI"])
    assert REQUIRED.fullmatch(db["environment"]["POSTGRES_PASSWORD"]).group(1) == password
    uri = urlsplit(REQUIRED.sub("password", env["SUPERSET_METADATA_DB_URI"]))
    assert (uri.scheme, uri.hostname, uri.port) == ("postgresql+psycopg2", "superset-db", 5432)
    assert (uri.username, uri.path[1:]) == (
        db["environment"]["POSTGRES_USER"],
        db["environment"]["POSTGRES_DB"],
    )
    assert web["depends_on"] == {
        "superset-db": {"condition": "service_healthy"},
        "superset-init": {"condition": "service_completed_successfully"},
    }
    assert init["depends_on"] == {"superset-db": {"condition": "service_healthy"}}
    assert "superset-db:/var/lib/postgresql/data" in db["volumes"]
    assert set(bi_compose["volumes"]) == {"superset-db"}
    assert db["image"].startswith("postgres:") and ":latest" not in db["image"]
    for name, service in services.items():
        assert service["networks"] == ["tmdb"], name
        if service.get("restart") != "no":
            assert service["healthcheck"]["test"][0] in ("CMD", "CMD-SHELL"), name
    # secrets: required references, never a default or a literal
    for name, service in services.items():
        for key, value in service.get("environment", {}).items():
            if re.search(r"PASSWORD|SECRET", key):
                assert REQUIRED.fullmatch(str(value)), f"{name}.{key} must be ${{VAR:?…}}"
    assert REQUIRED.search(env["SUPERSET_METADATA_DB_URI"])


def image_tag_free(image: str) -> str:
    return image.split(":", 1)[0]


def test_given_the_bi_compose_file_then_its_variables_are_in_the_env_template(bi_compose):
    example = env_file_entries(DEPLOY / ".env.example")
    text = "\n".join(
        line for line in BI_COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#")
    )
    referenced = set(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", text))
    assert {"SUPERSET_SECRET_KEY", "SUPERSET_ADMIN_PASSWORD", "SUPERSET_DB_PASSWORD"} <= referenced
    assert referenced - set(example) == set(), "document these in deploy/.env.example"
    assert all(example[key] == "" for key in referenced if re.search(r"PASSWORD|SECRET|USERNAME", key))


@pytest.fixture(scope="module")
def compose_cli() -> list[str]:
    command = compose_command()
    if command is None:
        pytest.skip("no Docker Compose CLI; deploy/scripts/install-compose.sh builds one without an engine")
    return command


def _render(command: list[str], env_file: Path) -> subprocess.CompletedProcess[str]:
    files = ["-f", str(COMPOSE_FILE), "-f", str(BI_COMPOSE_FILE), "--env-file", str(env_file)]
    return subprocess.run(
        [*command, *files, "--profile", "emulator", "config", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_given_both_compose_files_when_rendered_then_compose_accepts_them_and_refuses_a_missing_secret(
    compose_cli, tmp_path
):
    entries = env_file_entries(DEPLOY / ".env.example")
    filled = tmp_path / "filled.env"
    # every variable filled in, but the admin's name: empty means "admin"
    filled.write_text(
        "".join(
            f"{k}={v or ('' if k == 'SUPERSET_ADMIN_USERNAME' else 'placeholder-' + k.lower())}\n"
            for k, v in entries.items()
        )
    )
    done = _render(compose_cli, filled)
    assert done.returncode == 0, done.stderr
    services = json.loads(done.stdout)["services"]
    assert {"sql-endpoint", "superset-db", "superset-init", "superset", "pipeline", "api"} <= set(services)
    assert services["superset"]["environment"]["TMDB_SUPERSET_ADMIN"] == "admin"  # empty -> the default
    assert (
        "placeholder-superset_db_password@" in services["superset"]["environment"]["SUPERSET_METADATA_DB_URI"]
    )
    assert [p["published"] for p in services["superset"]["ports"]] == ["8088"]
    for key in ("SUPERSET_SECRET_KEY", "SUPERSET_ADMIN_PASSWORD", "SUPERSET_DB_PASSWORD"):
        empty = tmp_path / f"no-{key}.env"
        empty.write_text(filled.read_text().replace(f"{key}=placeholder-{key.lower()}", f"{key}="))
        refused = _render(compose_cli, empty)
        assert refused.returncode != 0 and key in refused.stderr, key


# --- what both share --------------------------------------------------------------------------------


def test_given_the_endpoint_probe_when_nothing_listens_then_it_fails_on_the_connection_not_an_import(
    bi_compose,
):
    """The probe's code runs against a free port: it must import, build the settings and fail only
    because no endpoint answers (a typo would fail the same way forever, and silently)."""
    code = probe_code(bi_compose["services"]["sql-endpoint"]["healthcheck"]["test"][1:])
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free = probe.getsockname()[1]
    env = {**os.environ, "SQL_ENDPOINT_HOST": "0.0.0.0", "SQL_ENDPOINT_PORT": str(free)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT
    )
    assert done.returncode != 0
    assert "EndpointDownError" in done.stderr and f"127.0.0.1:{free}" in done.stderr, done.stderr


def test_given_k8s_and_compose_then_the_endpoint_probe_is_the_same_query(rendered, bi_compose):
    k8s = spec_of(rendered["dev+bi"], "Deployment", "sql-endpoint")["containers"][0]["readinessProbe"]
    compose_code = probe_code(bi_compose["services"]["sql-endpoint"]["healthcheck"]["test"][1:])
    assert probe_code(k8s["exec"]["command"]) == compose_code


# --- the Superset image and its configuration ---------------------------------------------------------


def test_given_the_superset_dockerfile_then_it_installs_the_locked_environment_with_the_repos_bundle():
    text = (DEPLOY / "bi" / "superset.Dockerfile").read_text()
    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim-bookworm$", text, re.M)
    assert text.count("FROM ${PYTHON_IMAGE}") == 2
    setup_uv = re.search(r'^UV_VERSION="([^"]+)"', (ROOT / "scripts/setup.sh").read_text(), re.M)
    assert setup_uv and f"ARG UV_VERSION={setup_uv.group(1)}" in text, "same uv as scripts/setup.sh"
    assert "COPY bi/superset/pyproject.toml bi/superset/uv.lock ./" in text
    assert "uv sync --frozen --no-default-groups --group deploy" in text
    # the lock's deploy group holds the PostgreSQL driver; the default install (setup.sh) stays as it was
    import tomllib

    project = tomllib.loads((ROOT / "bi/superset/pyproject.toml").read_text())
    assert any(dep.startswith("psycopg2-binary") for dep in project["dependency-groups"]["deploy"])
    lock = tomllib.loads((ROOT / "bi/superset/uv.lock").read_text())
    assert "psycopg2-binary" in {package["name"] for package in lock["package"]}
    python = project["project"]["requires-python"]
    assert ">=3.11" in python and "<3.12" in python
    for source in (
        "bi/superset/superset_config.py",
        "bi/superset/bootstrap.py",
        "bi/superset/assets/",
        "deploy/bi/superset.sh",
    ):
        assert source in text and (ROOT / source).exists(), source
    entrypoint = re.search(r"^ENTRYPOINT (\[.*\])$", text, re.M)
    assert entrypoint and json.loads(entrypoint.group(1))[-1] == "/app/superset.sh"
    assert re.search(r"^USER 10002:10002$", text, re.M)
    # the context is the repository root: the ignore file lets in only what the image copies
    ignore = [
        line
        for line in (DEPLOY / "bi" / "superset.Dockerfile.dockerignore").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert ignore[0] == "*", "an allowlist: everything else (.venv, .local, .env, .git) stays out"
    included = {line[1:].rstrip("/") for line in ignore[1:]}
    copied = re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M)
    assert {path.rstrip("/") for line in copied for path in line.split()} == included


def test_given_the_superset_script_then_init_runs_the_local_stacks_steps_and_serve_binds_all_interfaces():
    text = (DEPLOY / "bi" / "superset.sh").read_text()
    subprocess.run(["sh", "-n", str(DEPLOY / "bi" / "superset.sh")], check=True)
    init = text[text.index("init)") : text.index(";;")]
    assert [shlex.split(line) for line in init.splitlines()[1:] if line.strip()] == [
        ["superset", "db", "upgrade"],
        ["superset", "init"],
        ["exec", "python", "/app/bootstrap.py"],
    ]
    # the web server as the local stack runs it (tmdb_pipeline/stack/superset.py), on all interfaces
    from tmdb_pipeline.settings import StackSettings
    from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
    from tmdb_pipeline.stack.superset import SupersetService
    from tmdb_pipeline.superset.settings import SupersetSettings

    local = SupersetService(StackSettings(), SupersetSettings(), SqlEndpointSettings()).command()
    serve = text[text.index("serve)") :].splitlines()[1]
    words = shlex.split(serve)
    assert words[:2] == ["exec", "gunicorn"]
    assert [w for w in words[2:] if not w.startswith("--bind=")] == [
        w for w in local[1:] if not w.startswith("--bind=")
    ]
    assert "--bind=0.0.0.0:8088" in words


@pytest.mark.parametrize(
    ("metadata_uri", "expected"),
    [
        (None, "sqlite:///{home}/superset.db"),
        ("", "sqlite:///{home}/superset.db"),
        (
            "postgresql+psycopg2://superset:pw@superset-db:5432/superset",
            "postgresql+psycopg2://superset:pw@superset-db:5432/superset",
        ),
    ],
)
def test_given_superset_config_then_the_metadata_is_sqlite_locally_and_the_given_uri_in_deploy(
    monkeypatch, tmp_path, metadata_uri, expected
):
    monkeypatch.setenv("SUPERSET_SECRET_KEY", "unit")
    monkeypatch.setenv("SUPERSET_HOME", str(tmp_path))
    if metadata_uri is None:
        monkeypatch.delenv("SUPERSET_METADATA_DB_URI", raising=False)
    else:
        monkeypatch.setenv("SUPERSET_METADATA_DB_URI", metadata_uri)
    # in Superset's own environment, where the config runs (it imports superset's error types)
    read = (
        "import json, runpy; c = runpy.run_path({!r}); "
        "print(json.dumps([c['SQLALCHEMY_DATABASE_URI'], c['SECRET_KEY']]))"
    ).format(str(ROOT / "bi/superset/superset_config.py"))
    python = ROOT / "bi" / "superset" / ".venv" / "bin" / "python"
    done = subprocess.run([str(python), "-c", read], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(done.stdout.splitlines()[-1]) == [expected.format(home=tmp_path), "unit"]
