"""The local Airflow's configuration: secrets generated once (mode 600) and never hard-coded, the
settings' password winning, lineage going to a file or to DataHub, every setting in .env.example."""

from __future__ import annotations

import json
import os
import stat

from pydantic import SecretStr

from tmdb_pipeline.airflow.settings import DEFAULT_ENVIRONMENT, AirflowSettings
from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.settings import PROJECT_ROOT, StackSettings
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.airflow import AIRFLOW_FILE, AirflowService


def _service(tmp_path, settings: AirflowSettings | None = None, gms_url: str = "") -> AirflowService:
    return AirflowService(
        StackSettings(home=tmp_path / "stack"),
        settings or AirflowSettings(),
        SqlEndpointSettings(port=20001),
        LineageSettings(gms_url=gms_url, output_dir=tmp_path / "datahub"),
    )


def test_given_no_password_when_starting_then_one_is_generated_once_with_mode_600(tmp_path):
    service = _service(tmp_path)

    first, second = service.secrets(), service.secrets()

    assert first == second
    assert len(first["admin_password"]) >= 16
    path = service.root / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    passwords = service._passwords_file(first["admin_password"])
    assert stat.S_IMODE(passwords.stat().st_mode) == 0o600
    assert json.loads(passwords.read_text()) == {"admin": first["admin_password"]}


def test_given_a_password_in_the_settings_when_starting_then_it_wins_and_stays_out_of_the_env(tmp_path):
    service = _service(tmp_path, AirflowSettings(admin_password=SecretStr("s3cret-from-env")))

    env = service.environment()

    assert service.secrets()["admin_password"] == "s3cret-from-env"
    assert not any("s3cret-from-env" in value for value in env.values())
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS"] == "admin:admin"
    assert env["AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE"] == str(service.root / "passwords.json")


def test_given_the_test_stack_when_building_the_env_then_airflow_lives_under_its_home(tmp_path):
    env = _service(tmp_path, AirflowSettings(port=18085, log_server_port=18793)).environment()

    home = tmp_path / "stack" / "airflow"
    assert env["AIRFLOW_HOME"] == str(home)
    assert env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"] == f"sqlite:///{home / 'airflow.db'}"
    assert env["AIRFLOW__API__PORT"] == "18085"
    assert env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"] == "http://127.0.0.1:18085/execution/"
    assert env["AIRFLOW__LOGGING__WORKER_LOG_SERVER_PORT"] == "18793"
    assert env["AIRFLOW__CORE__DAGS_FOLDER"] == str(PROJECT_ROOT / "orchestration" / "airflow" / "dags")
    assert env["AIRFLOW_DAG_ARTIFACTS"] == str(home / "tmdb")
    assert env["SQL_ENDPOINT_PORT"] == "20001"  # plain dbt reads it from the environment
    # `airflow standalone` starts its components by name: Airflow's own environment comes first
    assert env["PATH"].split(os.pathsep)[0] == str(DEFAULT_ENVIRONMENT / "bin")
    # nothing leaves the machine
    assert env["AIRFLOW__COSMOS__ENABLE_TELEMETRY"] == "False"
    assert env["AIRFLOW__USAGE_DATA_COLLECTION__ENABLED"] == "False"


def test_given_no_datahub_server_when_building_the_env_then_the_plugin_writes_a_file(tmp_path):
    env = _service(tmp_path).environment()

    assert env["AIRFLOW__DATAHUB__CONN_ID"] == "datahub_file_default"
    connection = json.loads(env["AIRFLOW_CONN_DATAHUB_FILE_DEFAULT"])
    assert connection == {"conn_type": "datahub-file", "host": str(tmp_path / "datahub" / AIRFLOW_FILE)}
    assert env["DATAHUB_OUTPUT_DIR"] == str(tmp_path / "datahub")


def test_given_a_datahub_server_when_building_the_env_then_the_plugin_sends_to_it(tmp_path):
    env = _service(tmp_path, gms_url="http://datahub:8080").environment()

    assert env["AIRFLOW__DATAHUB__CONN_ID"] == "datahub_rest_default"
    assert json.loads(env["AIRFLOW_CONN_DATAHUB_REST_DEFAULT"])["host"] == "http://datahub:8080"


def test_given_empty_values_in_env_example_when_loading_then_the_defaults_apply(monkeypatch):
    for name in ("AIRFLOW_ENVIRONMENT", "AIRFLOW_ADMIN_PASSWORD", "AIRFLOW_PIPELINE_CLI"):
        monkeypatch.setenv(name, "")

    settings = AirflowSettings()

    assert settings.environment == DEFAULT_ENVIRONMENT
    assert settings.admin_password is None
    assert settings.pipeline_cli == PROJECT_ROOT / ".venv" / "bin" / "tmdb-pipeline"


def test_given_the_airflow_settings_then_env_example_lists_each_variable():
    example = (PROJECT_ROOT / ".env.example").read_text()
    listed = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line and line[0] != "#"}

    expected = {f"AIRFLOW_{field}".upper() for field in AirflowSettings.model_fields}

    assert expected - listed == set()
