"""API and sync settings: lists from env vars, secrets hidden, errors naming the variable."""

from __future__ import annotations

import pytest

from serving_api.settings import ApiSettings, SyncSettings
from tmdb_pipeline.settings import ConfigError, load


def test_given_comma_separated_keys_when_loading_then_each_is_a_secret(monkeypatch):
    monkeypatch.setenv("API_API_KEYS", "k-one-123, k-two-456 ,")
    monkeypatch.setenv("API_CORS_ORIGINS", "https://a.example,https://b.example")
    settings = load(ApiSettings)
    assert settings.key_values() == ["k-one-123", "k-two-456"]
    assert settings.cors_origins == ["https://a.example", "https://b.example"]
    assert "k-one-123" not in repr(settings)
    assert "k-one-123" not in str(settings.model_dump())


def test_given_a_bad_page_size_when_loading_then_the_error_names_the_variable(monkeypatch):
    monkeypatch.setenv("API_MAX_PAGE_SIZE", "lots")
    with pytest.raises(ConfigError, match="API_MAX_PAGE_SIZE"):
        load(ApiSettings)


def test_given_a_default_page_size_above_the_cap_then_loading_fails(monkeypatch):
    monkeypatch.setenv("API_MAX_PAGE_SIZE", "10")
    monkeypatch.setenv("API_DEFAULT_PAGE_SIZE", "50")
    with pytest.raises(ConfigError, match="API_DEFAULT_PAGE_SIZE"):
        load(ApiSettings)


def test_given_the_namespace_variable_when_loading_then_the_sync_reads_it(monkeypatch):
    monkeypatch.setenv("SERVING_GOLD_NAMESPACE", "gold_test_ns")
    assert load(SyncSettings).gold_namespace == "gold_test_ns"
    monkeypatch.setenv("SERVING_GOLD_NAMESPACE", "Bad-Name")
    load.cache_clear()
    with pytest.raises(ConfigError, match="SERVING_GOLD_NAMESPACE"):
        load(SyncSettings)
