"""The source's config built from EXTRACT_*: the discover year slices reach it only when asked for."""

from __future__ import annotations

from pydantic import SecretStr

from source_tmdb.config import TmdbConfig
from tmdb_pipeline.extract.connector import connector_config
from tmdb_pipeline.settings import ExtractSettings, TmdbSettings

TMDB = TmdbSettings(api_key=SecretStr("unit-key"))


def config_from(monkeypatch, seed_lists: str, year_from: str, year_to: str) -> dict:
    """The connector config built from EXTRACT_* with year slicing on."""
    monkeypatch.setenv("EXTRACT_SEED_LISTS", seed_lists)
    monkeypatch.setenv("EXTRACT_DISCOVER_SLICE_BY_YEAR", "true")
    monkeypatch.setenv("EXTRACT_DISCOVER_YEAR_FROM", year_from)
    monkeypatch.setenv("EXTRACT_DISCOVER_YEAR_TO", year_to)
    return connector_config(ExtractSettings(_env_file=None), TMDB)


def test_given_default_extract_settings_then_the_config_has_no_discover_slicing(monkeypatch):
    for name in ("SLICE_BY_YEAR", "YEAR_FROM", "YEAR_TO"):
        monkeypatch.delenv(f"EXTRACT_DISCOVER_{name}", raising=False)

    config = connector_config(ExtractSettings(_env_file=None), TMDB)

    assert not [key for key in config if key.startswith("discover_")]
    assert TmdbConfig.from_mapping(config).discover_years == ()


def test_given_slicing_from_the_environment_then_the_connector_reads_those_years(monkeypatch):
    config = config_from(monkeypatch, "popular,discover", "2001", "2003")

    assert TmdbConfig.from_mapping(config).discover_years == (2003, 2002, 2001)


def test_given_empty_year_variables_then_the_connector_defaults_apply(monkeypatch):
    config = config_from(monkeypatch, "discover", "", "")

    assert config["discover_slice_by_year"] is True
    assert "discover_year_from" not in config and "discover_year_to" not in config
    assert TmdbConfig.from_mapping(config).discover_years[-1] == 1900
