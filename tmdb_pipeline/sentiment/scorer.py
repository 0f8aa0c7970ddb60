"""Score texts: clean, chunk by tokens, run length-sorted batches, aggregate, calibrate, label."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from tmdb_pipeline.sentiment.aggregate import Calibration
from tmdb_pipeline.sentiment.chunking import clean_text, token_windows
from tmdb_pipeline.sentiment.model import ChunkModel
from tmdb_pipeline.sentiment.settings import SentimentSettings

POSITIVE, NEGATIVE, NEUTRAL = "positive", "negative", "neutral"
DEFAULT_MAX_LENGTH, DEFAULT_OVERLAP, DEFAULT_THRESHOLD = 256, 64, 0.5


@dataclass(frozen=True, slots=True)
class Sentiment:
    score: float  # -1 (negative) .. +1 (positive)
    label: str  # positive | negative | neutral
    confidence: float  # 0 .. 1; below the neutral threshold the label is neutral


def special_tokens(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The ids a tokenizer puts before and after one sequence ([CLS] / [SEP], <s> / </s>, ...)."""
    bare = tokenizer("sentiment", add_special_tokens=False)["input_ids"]
    full = tokenizer("sentiment", add_special_tokens=True)["input_ids"]
    for start in range(len(full) - len(bare) + 1):
        if full[start : start + len(bare)] == bare:
            return full[:start], full[start + len(bare) :]
    raise ValueError("the tokenizer's special tokens could not be located")


class SentimentScorer:
    """A loaded model plus the rules that turn its chunk logits into one `Sentiment` per text."""

    def __init__(
        self,
        model: ChunkModel,
        settings: SentimentSettings,
        calibration: Calibration | None = None,
        max_length: int = DEFAULT_MAX_LENGTH,
        chunk_overlap: int = DEFAULT_OVERLAP,
    ) -> None:
        self.model = model
        self.settings = settings
        # None: a model we did not train; its own probabilities are used as they are.
        self.calibration = calibration
        self.max_length = min(settings.max_length or max_length, model.max_positions)
        overlap = settings.chunk_overlap if settings.chunk_overlap is not None else chunk_overlap
        self.prefix, self.suffix = special_tokens(model.tokenizer)
        self.window = self.max_length - len(self.prefix) - len(self.suffix)
        self.overlap = min(overlap, self.window - 1)
        default = calibration.neutral_threshold if calibration else DEFAULT_THRESHOLD
        self.neutral_threshold = (
            settings.neutral_threshold if settings.neutral_threshold is not None else default
        )
        if settings.threads:
            torch.set_num_threads(settings.threads)

    @classmethod
    def from_settings(cls, settings: SentimentSettings | None = None) -> SentimentScorer:
        """The bundled MiniLM + artifact, or the Hugging Face model named by SENTIMENT_MODEL."""
        from tmdb_pipeline.settings import load

        settings = settings or load(SentimentSettings)
        if settings.threads:
            torch.set_num_threads(settings.threads)
        if settings.model:
            from tmdb_pipeline.sentiment.model import HuggingFaceChunkModel

            return cls(HuggingFaceChunkModel(settings.model, settings.device), settings)
        from tmdb_pipeline.sentiment.artifact import ArtifactInfo

        info = ArtifactInfo.read(settings.artifact_dir)
        model: ChunkModel
        if settings.backend == "torch":
            from tmdb_pipeline.sentiment.model import MiniLMChunkModel, load_minilm

            model = MiniLMChunkModel(load_minilm(settings.artifact_dir, info.lora), settings.device)
        else:
            from tmdb_pipeline.sentiment.onnx_backend import OnnxChunkModel

            model = OnnxChunkModel.from_settings(settings)
        return cls(
            model,
            settings,
            info.calibration,
            info.max_length,
            info.chunk_overlap,
        )

    def chunks(self, texts: Sequence[str]) -> list[list[list[int]]]:
        """Token-id chunks (special tokens added) of each text."""
        tokenizer = self.model.tokenizer
        cleaned = [clean_text(t, self.settings.max_chars) for t in texts]
        ids = tokenizer(cleaned, add_special_tokens=False)["input_ids"] if cleaned else []
        return [
            [
                self.prefix + window + self.suffix
                for window in token_windows(row, self.window, self.overlap, self.settings.max_chunks)
            ]
            for row in ids
        ]

    def chunk_logits(self, texts: Sequence[str]) -> list[np.ndarray]:
        """Class logits of every chunk of each text, shape (chunks, classes) per text."""
        per_text = self.chunks(texts)
        flat = [(t, c) for t, chunks in enumerate(per_text) for c in range(len(chunks))]
        # Sorting by length keeps padding (wasted compute) low inside each batch.
        flat.sort(key=lambda tc: len(per_text[tc[0]][tc[1]]))
        out: list[list[np.ndarray | None]] = [[None] * len(chunks) for chunks in per_text]
        pad = self.model.tokenizer.pad_token_id or 0
        size = self.settings.batch_size
        for start in range(0, len(flat), size):
            batch = flat[start : start + size]
            rows = [per_text[t][c] for t, c in batch]
            width = max(len(r) for r in rows)
            ids = np.full((len(rows), width), pad, dtype=np.int64)
            mask = np.zeros((len(rows), width), dtype=np.int64)
            for i, row in enumerate(rows):
                ids[i, : len(row)] = row
                mask[i, : len(row)] = 1
            logits = np.asarray(self.model.logits(ids, mask), dtype=np.float32)
            for (t, c), row_logits in zip(batch, logits, strict=True):
                out[t][c] = row_logits
        return [np.stack(chunks) for chunks in out]  # type: ignore[arg-type]

    def score_logits(self, logits: np.ndarray) -> Sentiment:
        """One text's chunk logits -> score, label, confidence."""
        if self.calibration is not None:
            p = self.calibration.positive_probability(logits[:, 1] - logits[:, 0])
            score = 2.0 * p - 1.0
        else:
            exp = np.exp(logits - logits.max(axis=1, keepdims=True))
            probabilities = (exp / exp.sum(axis=1, keepdims=True)).mean(axis=0)
            score = float(probabilities @ self.model.valence)
        score = max(-1.0, min(1.0, score)) if math.isfinite(score) else 0.0
        confidence = abs(score)
        label = NEUTRAL if confidence < self.neutral_threshold else POSITIVE if score > 0 else NEGATIVE
        return Sentiment(score=score, label=label, confidence=confidence)

    def score(self, texts: Sequence[str | None]) -> list[Sentiment | None]:
        """One result per text; None where the text is null or blank."""
        present = [i for i, t in enumerate(texts) if isinstance(t, str) and clean_text(t, 2000)]
        logits = self.chunk_logits([texts[i] for i in present])  # type: ignore[misc]
        results: list[Sentiment | None] = [None] * len(texts)
        for i, row in zip(present, logits, strict=True):
            results[i] = self.score_logits(row)
        return results
