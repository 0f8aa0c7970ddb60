"""`review_sentiment(text)` in local Spark gives the scorer's results, and nulls for blank reviews."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from tmdb_pipeline.sentiment.scorer import SentimentScorer
from tmdb_pipeline.sentiment.settings import SentimentSettings
from tmdb_pipeline.sentiment.udf import SQL_NAME, register_sentiment_udf

pytestmark = pytest.mark.integration

REVIEWS = (
    Path(__file__).resolve().parents[3].parent / "shared" / "data" / "sentiment" / "reviews_long_train.jsonl"
)


def _reviews(n: int, seed: int = 7) -> list[str | None]:
    """n short-ish reviews (10-150 words cut from real ones), with a few null and blank rows."""
    if REVIEWS.is_file():
        with REVIEWS.open(encoding="utf-8") as handle:
            sources = [json.loads(line)["text"].split() for line in handle]
    else:  # without the shared data, synthetic but varied texts
        sources = [
            f"review {i} {'good great' if i % 2 else 'bad awful'} movie plot".split() * 30 for i in range(50)
        ]
    rng = random.Random(seed)
    texts: list[str | None] = []
    for i in range(n):
        if i % 97 == 0:
            texts.append(None if i % 2 else "  ")
            continue
        words = sources[i % len(sources)]
        start = rng.randrange(max(1, len(words) - 150))
        texts.append(" ".join(words[start : start + rng.randint(10, 150)]))
    return texts


def test_given_300_reviews_in_three_partitions_when_udf_runs_in_spark_then_equals_scorer(
    sentiment_spark: object,
) -> None:
    spark = sentiment_spark
    settings = SentimentSettings(threads=1, batch_size=32)
    register_sentiment_udf(spark, settings)
    texts = _reviews(300)  # 100 a partition: several batches of 32 each, a short last one
    frame = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "id int, text string").repartition(3)
    frame.createOrReplaceTempView("sentiment_reviews")
    rows = spark.sql(f"select id, {SQL_NAME}(text) as s from sentiment_reviews").collect()
    by_id = {row["id"]: row["s"] for row in rows}
    assert len(by_id) == 300

    expected = SentimentScorer.from_settings(settings).score(texts)
    for i, want in enumerate(expected):
        got = by_id[i]
        if want is None:
            assert got is None, (i, texts[i])
            continue
        assert got is not None, (i, texts[i])
        assert got["label"] == want.label, (i, texts[i])
        assert got["score"] == pytest.approx(want.score, abs=1e-4)
        assert got["confidence"] == pytest.approx(want.confidence, abs=1e-4)
    assert sum(e is None for e in expected) == 4  # rows 0, 97, 194 and 291: null or blank


def test_given_odd_texts_when_udf_runs_then_no_error_and_nulls_for_blank(sentiment_spark: object) -> None:
    spark = sentiment_spark
    register_sentiment_udf(spark, SentimentSettings(threads=1))
    texts = [None, "", "   ", "Ein großartiger Film!", "映画は素晴らしかった", "great " * 20_000, "Awful."]
    frame = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "id int, text string")
    frame.createOrReplaceTempView("sentiment_odd")
    rows = spark.sql(
        f"select id, {SQL_NAME}(text) as s, {SQL_NAME}(text).label as label from sentiment_odd order by id"
    ).collect()
    assert [r["s"] is None for r in rows] == [True, True, True, False, False, False, False]
    assert rows[5]["label"] == "positive"
    assert rows[6]["label"] == "negative"
