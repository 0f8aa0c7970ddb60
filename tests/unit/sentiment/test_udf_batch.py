"""The UDF's batch function without Spark: null structs for blank text, nulls instead of errors."""

from __future__ import annotations

import pyarrow as pa
import pytest

from tmdb_pipeline.sentiment import udf
from tmdb_pipeline.sentiment.scorer import Sentiment
from tmdb_pipeline.sentiment.settings import SentimentSettings


class FlakyScorer:
    """Scores by text length; fails on any batch holding the word 'boom'."""

    def score(self, texts: list[str | None]) -> list[Sentiment | None]:
        if any(t and "boom" in t for t in texts):
            raise RuntimeError("model failure")
        return [
            None if not t or not t.strip() else Sentiment(len(t) / 100, "neutral", len(t) / 100)
            for t in texts
        ]


@pytest.fixture
def flaky(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(udf, "worker_scorer", lambda settings: FlakyScorer())


def test_given_nulls_and_blanks_when_batch_scored_then_null_structs(flaky: None) -> None:
    out = udf.score_array(pa.array(["abc", None, "  ", "abcdef"]), SentimentSettings())
    assert out.type == udf.RESULT_ARROW
    assert out.to_pylist() == [
        {"score": 0.03, "label": "neutral", "confidence": 0.03},
        None,
        None,
        {"score": 0.06, "label": "neutral", "confidence": 0.06},
    ]


def test_given_a_text_that_breaks_the_model_when_batch_scored_then_only_it_is_null(flaky: None) -> None:
    out = udf.score_array(pa.array(["abc", "boom", "abcd"]), SentimentSettings()).to_pylist()
    assert out[1] is None
    assert out[0]["score"] == 0.03
    assert out[2]["score"] == 0.04
