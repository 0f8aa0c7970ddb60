"""Every settings model reads the environment the same way: its prefix, `.env`, unknown names ignored."""

from __future__ import annotations

import importlib
import os
import pkgutil

import pytest
from pydantic_settings import BaseSettings

import serving_api
import tmdb_pipeline
from tmdb_pipeline.settings import PROJECT_ROOT, PipelineSettings, settings_config


def settings_models() -> list[type[BaseSettings]]:
    for package in (tmdb_pipeline, serving_api):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if module.name.endswith(".settings"):
                importlib.import_module(module.name)
    found, pending = [], list(BaseSettings.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith(("tmdb_pipeline.", "serving_api.")) and model is not PipelineSettings:
            found.append(model)
    return found


@pytest.mark.parametrize("model", settings_models(), ids=lambda model: model.__name__)
def test_given_a_settings_model_then_its_config_is_the_shared_one(model):
    prefix = model.model_config.get("env_prefix")
    assert prefix, f"{model.__name__} has no env prefix"
    shared = settings_config(prefix)
    assert {key: model.model_config.get(key) for key in shared} == shared


@pytest.mark.parametrize("model", settings_models(), ids=lambda model: model.__name__)
def test_given_env_example_copied_to_env_then_every_model_loads_with_its_defaults(model, monkeypatch):
    # `cp .env.example .env` is the first thing a user does: its empty lines mean "the default"
    for name in list(os.environ):
        if name.startswith(model.model_config["env_prefix"]):
            monkeypatch.delenv(name)
    loaded = model(_env_file=ENV_EXAMPLE)
    assert loaded.model_dump() == model(_env_file=None).model_dump() | {
        field: value for field, value in loaded.model_dump().items() if field in _set_in(model)
    }


ENV_EXAMPLE = PROJECT_ROOT / ".env.example"


def _set_in(model: type[BaseSettings]) -> set[str]:
    """The model's fields that .env.example gives a (non-empty) value."""
    prefix = model.model_config["env_prefix"]
    given = {
        line.split("=", 1)[0].removeprefix(prefix).lower()
        for line in ENV_EXAMPLE.read_text().splitlines()
        if line.startswith(prefix) and "=" in line and line.split("=", 1)[1].strip()
    }
    return given & set(model.model_fields)


def test_given_an_empty_variable_in_the_environment_then_it_still_overrides_env_file(tmp_path, monkeypatch):
    from tmdb_pipeline.settings import KafkaSettings

    env_file = tmp_path / ".env"
    env_file.write_text("KAFKA_BOOTSTRAP_SERVERS=broker.example:9092\nKAFKA_PORT=19092\n")
    monkeypatch.delenv("KAFKA_PORT", raising=False)
    monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", "")

    kafka = KafkaSettings(_env_file=env_file)

    assert kafka.bootstrap_servers == "127.0.0.1:19092"  # the default: the local broker on the port
