"""Every settings model reads the environment the same way: its prefix, `.env`, unknown names ignored."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from pydantic_settings import BaseSettings

import serving_api
import tmdb_pipeline
from tmdb_pipeline.settings import settings_config


def settings_models() -> list[type[BaseSettings]]:
    for package in (tmdb_pipeline, serving_api):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if module.name.endswith(".settings"):
                importlib.import_module(module.name)
    found, pending = [], list(BaseSettings.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if model.__module__.startswith(("tmdb_pipeline.", "serving_api.")):
            found.append(model)
    return found


@pytest.mark.parametrize("model", settings_models(), ids=lambda model: model.__name__)
def test_given_a_settings_model_then_its_config_is_the_shared_one(model):
    prefix = model.model_config.get("env_prefix")
    assert prefix, f"{model.__name__} has no env prefix"
    shared = settings_config(prefix)
    assert {key: model.model_config.get(key) for key in shared} == shared
