"""LineageSettings: DataHub address and token from DATAHUB_*, files by default."""

from __future__ import annotations

import pytest

from tmdb_pipeline.lineage.settings import LineageSettings
from tmdb_pipeline.settings import ConfigError, load


def test_given_no_address_when_loading_then_lineage_goes_to_files_under_local(monkeypatch):
    monkeypatch.delenv("DATAHUB_GMS_URL", raising=False)
    monkeypatch.delenv("DATAHUB_OUTPUT_DIR", raising=False)
    settings = load(LineageSettings)
    assert not settings.uses_server
    assert settings.output_dir.parts[-2:] == (".local", "datahub")
    assert settings.env == "PROD"


def test_given_an_address_and_token_when_loading_then_the_token_stays_secret(monkeypatch):
    monkeypatch.setenv("DATAHUB_GMS_URL", "http://datahub:8080/")
    monkeypatch.setenv("DATAHUB_GMS_TOKEN", "eyJ-secret")
    settings = load(LineageSettings)
    assert settings.uses_server
    assert settings.gms_url == "http://datahub:8080"
    assert "eyJ-secret" not in repr(settings)
    assert settings.gms_token is not None and settings.gms_token.get_secret_value() == "eyJ-secret"


def test_given_an_address_without_scheme_when_loading_then_the_error_names_the_variable(monkeypatch):
    monkeypatch.setenv("DATAHUB_GMS_URL", "datahub:8080")
    with pytest.raises(ConfigError) as caught:
        load(LineageSettings)
    assert "DATAHUB_GMS_URL" in str(caught.value)
    assert "http://" in str(caught.value)
