"""The shipped scorer, loaded once for the sentiment tests (offline: HF_HUB_OFFLINE=1 in tests/conftest).

The ONNX export goes to a cache of this test session, so every session exercises the export itself
and none reads or fills the developer's `.local/sentiment-onnx`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tmdb_pipeline.sentiment.scorer import SentimentScorer
from tmdb_pipeline.sentiment.settings import SentimentSettings


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("sentiment-onnx")
    before = os.environ.get("SENTIMENT_ONNX_CACHE_DIR")
    os.environ["SENTIMENT_ONNX_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("SENTIMENT_ONNX_CACHE_DIR", None)
    else:
        os.environ["SENTIMENT_ONNX_CACHE_DIR"] = before


@pytest.fixture(scope="session")
def scorer(onnx_cache: Path) -> SentimentScorer:
    """The default backend, as users and the UDF get it."""
    return SentimentScorer.from_settings(SentimentSettings(threads=2))


@pytest.fixture(scope="session")
def torch_scorer() -> SentimentScorer:
    """The trained network on torch: the reference the ONNX backends are compared with."""
    return SentimentScorer.from_settings(SentimentSettings(threads=2, backend="torch"))
