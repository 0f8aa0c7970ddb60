"""Local Spark from the project's session factory; the sentiment UDF needs no Kafka or MongoDB."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def sentiment_spark() -> object:
    from tmdb_pipeline.stack.spark import get_spark

    # The process's shared session (getOrCreate): whoever created it stops it.
    return get_spark("tmdb-pipeline-tests")
