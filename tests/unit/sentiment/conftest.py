"""The shipped scorer, loaded once for the sentiment tests (offline: HF_HUB_OFFLINE=1 in tests/conftest)."""

from __future__ import annotations

import pytest

from tmdb_pipeline.sentiment.scorer import SentimentScorer
from tmdb_pipeline.sentiment.settings import SentimentSettings


@pytest.fixture(scope="session")
def scorer() -> SentimentScorer:
    return SentimentScorer.from_settings(SentimentSettings(threads=2))
