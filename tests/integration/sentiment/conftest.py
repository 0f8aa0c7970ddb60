"""Local Spark from the project's session factory; the sentiment UDF needs no Kafka or MongoDB."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(scope="session", autouse=True)
def onnx_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The ONNX export of this test session (read on the driver, shipped to the workers with the UDF)."""
    path = tmp_path_factory.mktemp("sentiment-onnx")
    before = os.environ.get("SENTIMENT_ONNX_CACHE_DIR")
    os.environ["SENTIMENT_ONNX_CACHE_DIR"] = str(path)
    yield path
    if before is None:
        os.environ.pop("SENTIMENT_ONNX_CACHE_DIR", None)
    else:
        os.environ["SENTIMENT_ONNX_CACHE_DIR"] = before


@pytest.fixture(scope="module")
def sentiment_spark() -> object:
    from tmdb_pipeline.stack.spark import get_spark

    # The process's shared session (getOrCreate): whoever created it stops it.
    return get_spark("tmdb-pipeline-tests")
