"""SentimentSettings: environment prefix and messages that name the variable."""

from __future__ import annotations

import pytest

from tmdb_pipeline.sentiment.settings import SentimentSettings
from tmdb_pipeline.settings import ConfigError, load


def test_given_environment_when_loaded_then_prefixed_variables_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTIMENT_BATCH_SIZE", "8")
    monkeypatch.setenv("SENTIMENT_NEUTRAL_THRESHOLD", "0.3")
    settings = load(SentimentSettings)
    assert (settings.batch_size, settings.neutral_threshold) == (8, 0.3)


def test_given_overlap_not_below_window_when_loaded_then_variable_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENTIMENT_MAX_LENGTH", "64")
    monkeypatch.setenv("SENTIMENT_CHUNK_OVERLAP", "62")
    with pytest.raises(ConfigError, match="SENTIMENT_CHUNK_OVERLAP"):
        load(SentimentSettings)


def test_given_bad_threshold_when_loaded_then_variable_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTIMENT_NEUTRAL_THRESHOLD", "1.5")
    with pytest.raises(ConfigError, match="SENTIMENT_NEUTRAL_THRESHOLD"):
        load(SentimentSettings)
