"""The Spark UDF: `review_sentiment(text)` -> struct<score double, label string, confidence double>.

It is an Arrow UDF (Spark >= 4.1 `arrow_udf`): the same Arrow batches a pandas UDF receives, without
the pandas hop, and, unlike a pandas UDF (whose struct results are built without a validity mask),
it can return a null struct for a null or blank review. The model is loaded once per Python worker
and reused by every batch that worker runs; the scorer sorts each batch's chunks by length.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

import pyarrow as pa

from tmdb_pipeline.sentiment.scorer import Sentiment, SentimentScorer
from tmdb_pipeline.sentiment.settings import SentimentSettings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession
    from pyspark.sql.udf import UserDefinedFunctionLike

SQL_NAME = "review_sentiment"
RESULT_DDL = "struct<score double, label string, confidence double>"
RESULT_ARROW = pa.struct([("score", pa.float64()), ("label", pa.string()), ("confidence", pa.float64())])

log = logging.getLogger(__name__)
_lock = threading.Lock()
# One scorer per settings, per Python worker process (Spark reuses workers across tasks).
_scorers: dict[str, SentimentScorer] = {}


def worker_scorer(settings: SentimentSettings) -> SentimentScorer:
    key = settings.model_dump_json()
    with _lock:
        if key not in _scorers:
            # Spark already runs a worker per core: more torch threads each would oversubscribe them.
            _scorers[key] = SentimentScorer.from_settings(
                settings.model_copy(update={"threads": settings.udf_threads})
            )
        return _scorers[key]


def _row(result: Sentiment | None) -> dict[str, object] | None:
    if result is None:
        return None
    return {"score": result.score, "label": result.label, "confidence": result.confidence}


def score_array(texts: pa.Array, settings: SentimentSettings) -> pa.Array:
    """Score one Arrow batch; a text that makes the model fail yields null instead of failing the job."""
    values = texts.to_pylist()
    scorer = worker_scorer(settings)
    try:
        results = scorer.score(values)
    except Exception:
        log.exception("sentiment batch of %d failed; scoring its texts one by one", len(values))
        results = []
        for value in values:
            try:
                results.extend(scorer.score([value]))
            except Exception:
                log.exception("sentiment failed on one text of %d characters", len(value or ""))
                results.append(None)
    return pa.array([_row(r) for r in results], type=RESULT_ARROW)


def sentiment_udf(settings: SentimentSettings | None = None) -> UserDefinedFunctionLike:
    """The UDF, with settings read here on the driver and shipped to the workers with it."""
    from pyspark.sql.functions import arrow_udf

    from tmdb_pipeline.settings import load

    settings = settings or load(SentimentSettings)

    def review_sentiment(texts: pa.Array) -> pa.Array:
        return score_array(texts, settings)

    return arrow_udf(review_sentiment, RESULT_DDL)


def register_sentiment_udf(
    spark: SparkSession, settings: SentimentSettings | None = None, name: str = SQL_NAME
) -> UserDefinedFunctionLike:
    """Register the UDF on the session as `review_sentiment(text)` (what the dbt models call)."""
    return spark.udf.register(name, sentiment_udf(settings))
