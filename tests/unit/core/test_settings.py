"""Settings: defaults, derived addresses, and errors that name the variable and the fix."""

from __future__ import annotations

import pytest

from tmdb_pipeline.settings import ConfigError, KafkaSettings, MongoSettings, TmdbSettings, load


def test_given_a_port_when_no_bootstrap_is_set_then_the_local_broker_is_used(monkeypatch):
    monkeypatch.delenv("KAFKA_BOOTSTRAP_SERVERS", raising=False)
    monkeypatch.setenv("KAFKA_PORT", "29092")
    assert load(KafkaSettings).bootstrap_servers == "127.0.0.1:29092"


def test_given_a_bad_integer_when_loading_then_the_error_names_the_variable_and_the_fix(monkeypatch):
    monkeypatch.setenv("KAFKA_PARTITIONS", "three")
    with pytest.raises(ConfigError) as caught:
        load(KafkaSettings)
    message = str(caught.value)
    assert "KAFKA_PARTITIONS" in message
    assert "'three'" in message
    assert ".env.example" in message


def test_given_a_bad_mongo_uri_port_when_loading_then_the_uri_value_is_not_echoed(monkeypatch):
    monkeypatch.setenv("MONGO_PORT", "70000")
    with pytest.raises(ConfigError, match="MONGO_PORT"):
        load(MongoSettings)


def test_given_a_tmdb_key_when_printing_settings_then_the_key_is_hidden(monkeypatch):
    monkeypatch.setenv("TMDB_API_KEY", "abcdef0123456789")
    settings = load(TmdbSettings)
    assert settings.has_credentials
    assert "abcdef0123456789" not in repr(settings)
    assert "abcdef0123456789" not in str(settings.model_dump())


def test_given_every_settings_model_then_env_example_lists_each_variable():
    from pathlib import Path

    from pydantic_settings import BaseSettings

    import tmdb_pipeline.settings as settings_module

    example = (Path(settings_module.PROJECT_ROOT) / ".env.example").read_text()
    listed = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line and line[0] != "#"}
    from serving_api.settings import ApiSettings, SyncSettings
    from tmdb_pipeline.emulator.settings import EmulatorSettings
    from tmdb_pipeline.lineage.settings import LineageSettings
    from tmdb_pipeline.metrics.settings import MetricsSettings
    from tmdb_pipeline.sentiment.settings import SentimentSettings
    from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
    from tmdb_pipeline.superset.settings import SupersetSettings

    models = [
        obj
        for obj in vars(settings_module).values()
        if isinstance(obj, type) and issubclass(obj, BaseSettings) and obj is not BaseSettings
    ] + [
        EmulatorSettings,
        ApiSettings,
        SyncSettings,
        SentimentSettings,
        LineageSettings,
        MetricsSettings,
        SqlEndpointSettings,
        SupersetSettings,
    ]
    expected = {
        f"{model.model_config['env_prefix']}{field}".upper()
        for model in models
        for field in model.model_fields
    }
    assert len(models) >= 12
    assert expected - listed == set()
