"""SENTIMENT_MODEL: any local Hugging Face sequence-classification model, labels read from its config."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch

from tmdb_pipeline.sentiment.model import bundled_base_dir, load_tokenizer
from tmdb_pipeline.sentiment.scorer import NEUTRAL, SentimentScorer
from tmdb_pipeline.sentiment.settings import SentimentSettings


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small random 3-class BERT classifier saved locally (no network), labels in a shuffled order."""
    from transformers import BertConfig, BertForSequenceClassification

    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=30522,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        id2label={0: "positive", 1: "negative", 2: "neutral"},
        label2id={"positive": 0, "negative": 1, "neutral": 2},
    )
    path = tmp_path_factory.mktemp("tiny-classifier")
    BertForSequenceClassification(config).save_pretrained(path)
    load_tokenizer(bundled_base_dir()).save_pretrained(path)
    return path


def test_given_local_hf_model_when_scored_then_score_is_expected_valence(tiny_model: Path) -> None:
    scorer = SentimentScorer.from_settings(SentimentSettings(model=str(tiny_model), threads=1))
    assert scorer.max_length == 128  # bounded by the model's positions, not the default 256
    text = "an ordinary film"
    (result,) = scorer.score([text])

    network, tokenizer = scorer.model.network, scorer.model.tokenizer
    with torch.no_grad():
        logits = network(**tokenizer([text], return_tensors="pt")).logits[0].numpy()
    p = np.exp(logits - logits.max())
    p /= p.sum()
    assert result.score == pytest.approx(p[0] - p[1], abs=1e-5)
    assert result.confidence == pytest.approx(abs(result.score))
    assert scorer.neutral_threshold == 0.5  # uncalibrated model: documented default
    if result.confidence < 0.5:
        assert result.label == NEUTRAL


def test_given_local_hf_model_when_long_text_then_chunked_within_its_positions(tiny_model: Path) -> None:
    scorer = SentimentScorer.from_settings(SentimentSettings(model=str(tiny_model), threads=1))
    chunks = scorer.chunks(["word " * 1000])[0]
    assert len(chunks) > 1
    assert max(len(c) for c in chunks) <= 128
    (result,) = scorer.score(["word " * 1000])
    assert -1.0 <= result.score <= 1.0
