"""The SQL endpoint's and Superset's settings turned into what their processes get (no servers)."""

from __future__ import annotations

from pydantic import SecretStr

from tmdb_pipeline.settings import SparkSettings, StackSettings
from tmdb_pipeline.sql_endpoint.server import thrift_conf
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.sql_endpoint import SqlEndpointService
from tmdb_pipeline.stack.superset import SupersetService
from tmdb_pipeline.superset.settings import DEFAULT_ENVIRONMENT, SupersetSettings


def test_given_endpoint_settings_then_the_thrift_server_is_single_session_on_that_address():
    conf = thrift_conf(SqlEndpointSettings(host="127.0.0.1", port=10123))

    assert conf["spark.sql.hive.thriftServer.singleSession"] == "true"
    assert conf["spark.hadoop.hive.server2.thrift.bind.host"] == "127.0.0.1"
    assert conf["spark.hadoop.hive.server2.thrift.port"] == "10123"


def test_given_a_service_object_then_its_process_gets_the_same_address(tmp_path):
    service = SqlEndpointService(
        StackSettings(home=tmp_path), SqlEndpointSettings(port=10124), SparkSettings()
    )

    env = service.environment()
    assert (env["SQL_ENDPOINT_HOST"], env["SQL_ENDPOINT_PORT"]) == ("127.0.0.1", "10124")
    assert service.command()[-1] == "sql-server"
    assert service.stack.start_timeout_s >= 240  # a JVM start is slower than the stack's default


def test_given_no_superset_secrets_then_they_are_generated_once_and_kept_private(tmp_path):
    stack = StackSettings(home=tmp_path)
    first = SupersetService(
        stack, SupersetSettings(secret_key=None, admin_password=None), SqlEndpointSettings()
    )
    keys = first.secrets()
    again = SupersetService(
        stack, SupersetSettings(secret_key=None, admin_password=None), SqlEndpointSettings()
    )

    assert again.secrets() == keys
    assert len(keys["secret_key"]) >= 32
    assert (first.root / "secrets.json").stat().st_mode & 0o777 == 0o600


def test_given_superset_secrets_in_settings_then_they_win_and_the_connection_points_at_the_endpoint(tmp_path):
    settings = SupersetSettings(secret_key=SecretStr("k" * 40), admin_password=SecretStr("p4ss-word"))
    service = SupersetService(StackSettings(home=tmp_path), settings, SqlEndpointSettings(port=10125))

    env = service.environment()
    assert env["SUPERSET_SECRET_KEY"] == "k" * 40
    assert env["TMDB_SUPERSET_ADMIN_PASSWORD"] == "p4ss-word"
    assert env["TMDB_SUPERSET_DATABASE_URI"] == "hive://superset@127.0.0.1:10125/gold"
    assert "p4ss-word" not in repr(settings)


def test_given_empty_variables_as_in_env_example_then_defaults_apply(monkeypatch):
    monkeypatch.setenv("SUPERSET_SECRET_KEY", "")
    monkeypatch.setenv("SUPERSET_ENVIRONMENT", "")

    settings = SupersetSettings()
    assert settings.secret_key is None
    assert settings.environment == DEFAULT_ENVIRONMENT
