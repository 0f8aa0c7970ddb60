"""Mapping a Hugging Face classifier's labels to sentiment valence."""

from __future__ import annotations

import numpy as np
import pytest

from tmdb_pipeline.sentiment.model import label_valence


@pytest.mark.parametrize(
    ("id2label", "expected"),
    [
        ({0: "NEGATIVE", 1: "POSITIVE"}, [-1, 1]),
        ({0: "positive", 1: "negative"}, [1, -1]),
        ({0: "negative", 1: "neutral", 2: "positive"}, [-1, 0, 1]),
        ({0: "LABEL_0", 1: "LABEL_1"}, [-1, 1]),
        ({0: "LABEL_0", 1: "LABEL_1", 2: "LABEL_2"}, [-1, 0, 1]),
        ({0: "1 star", 1: "2 stars", 2: "3 stars", 3: "4 stars", 4: "5 stars"}, [-1, -0.5, 0, 0.5, 1]),
    ],
)
def test_given_known_label_names_when_mapped_then_valence(id2label: dict[int, str], expected: list) -> None:
    np.testing.assert_allclose(label_valence(id2label), expected)


def test_given_unrelated_labels_when_mapped_then_clear_error() -> None:
    with pytest.raises(ValueError, match="cannot map"):
        label_valence({0: "sports", 1: "politics"})
