"""The shipped model: clear cases right, odd inputs handled, results in range and self-consistent."""

from __future__ import annotations

import math

import pytest

from tmdb_pipeline.sentiment.scorer import NEGATIVE, NEUTRAL, POSITIVE, SentimentScorer

POSITIVE_TEXTS = [
    "One of the best films I have seen in years: moving, funny and beautifully acted.",
    "An absolute masterpiece. I loved every minute of it.",
    "a gorgeous , witty , seductive movie .",
    "The cast is superb and the story kept me hooked until the very end. Highly recommended!",
]
NEGATIVE_TEXTS = [
    "A boring, badly written mess. I want my two hours back.",
    "The worst movie of the year: dull, ugly and completely pointless.",
    "the plot is nothing but boilerplate clichés from start to finish .",
    "Terrible acting, a stupid script and not a single laugh. Avoid it.",
]


def _in_range(result: object) -> bool:
    return (
        -1.0 <= result.score <= 1.0
        and 0.0 <= result.confidence <= 1.0
        and result.label in (POSITIVE, NEGATIVE, NEUTRAL)
        and math.isfinite(result.score)
    )


def test_given_clearly_positive_texts_when_scored_then_positive(scorer: SentimentScorer) -> None:
    results = scorer.score(POSITIVE_TEXTS)
    assert [r.label for r in results] == [POSITIVE] * len(POSITIVE_TEXTS)
    assert all(r.score > 0.5 for r in results)


def test_given_clearly_negative_texts_when_scored_then_negative(scorer: SentimentScorer) -> None:
    results = scorer.score(NEGATIVE_TEXTS)
    assert [r.label for r in results] == [NEGATIVE] * len(NEGATIVE_TEXTS)
    assert all(r.score < -0.5 for r in results)


def test_given_long_reviews_when_scored_then_chunked_and_polarity_found(scorer: SentimentScorer) -> None:
    plot = [
        "The film follows a family who move to a small town on the coast.",
        "The father takes a job at the harbour while the children start at a new school.",
        "Soon a storm cuts the town off from the mainland.",
    ]
    praise = ["The acting is superb.", "The script is sharp and funny.", "I was moved to tears."]
    scorn = ["The acting is wooden.", "The script is lazy and dull.", "I was bored to tears."]
    good = " ".join(f"{plot[i % 3]} {praise[i % 3]}" for i in range(30)) + " A wonderful film."
    bad = " ".join(f"{plot[i % 3]} {scorn[i % 3]}" for i in range(30)) + " A dreadful film."
    assert len(scorer.chunks([good])[0]) > 1
    good_result, bad_result = scorer.score([good, bad])
    assert good_result.label == POSITIVE
    assert bad_result.label == NEGATIVE


@pytest.mark.parametrize("text", [None, "", "   ", "\n\t", "<br/>"])
def test_given_null_or_blank_text_when_scored_then_null(scorer: SentimentScorer, text: str | None) -> None:
    assert scorer.score([text, "great film"])[0] is None


def test_given_huge_text_when_scored_then_one_bounded_result(scorer: SentimentScorer) -> None:
    huge = ("An uneven but often delightful comedy with a few dull stretches. " * 1600)[:100_000]
    assert len(huge) == 100_000
    assert len(scorer.chunks([huge])[0]) <= scorer.settings.max_chunks
    (result,) = scorer.score([huge])
    assert _in_range(result)


@pytest.mark.parametrize(
    "text",
    [
        "Una película maravillosa, me encantó de principio a fin.",
        "Ce film est d'un ennui mortel.",
        "这部电影太精彩了\uff0c演员的表演非常出色。",
        "Фильм просто потрясающий!",
        "映画は素晴らしかった 😍🎬",
        "\u200b\u200b",
    ],
)
def test_given_non_english_or_odd_text_when_scored_then_valid_result(
    scorer: SentimentScorer, text: str
) -> None:
    (result,) = scorer.score([text])
    assert result is None or _in_range(result)


def test_given_scores_when_labelled_then_label_follows_sign_and_threshold(scorer: SentimentScorer) -> None:
    texts = POSITIVE_TEXTS + NEGATIVE_TEXTS + ["It is a film.", "okay I guess", "not bad, not great"]
    for result in scorer.score(texts):
        assert _in_range(result)
        assert result.confidence == pytest.approx(abs(result.score))
        if result.confidence < scorer.neutral_threshold:
            assert result.label == NEUTRAL
        else:
            assert result.label == (POSITIVE if result.score > 0 else NEGATIVE)


def test_given_batch_when_scored_then_same_as_one_by_one(scorer: SentimentScorer) -> None:
    texts = [*POSITIVE_TEXTS, *NEGATIVE_TEXTS, "mixed feelings, but the ending works " * 60]
    together = scorer.score(texts)
    alone = [scorer.score([t])[0] for t in texts]
    for a, b in zip(together, alone, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-4)
        assert a.label == b.label
