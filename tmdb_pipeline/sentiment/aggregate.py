"""From chunk logits to one calibrated probability per text.

Short texts (one chunk) use temperature scaling. Long texts reduce their chunk logits to a few
features and a logistic model turns those into a probability; which features, and the weights, are
chosen by cross-validation on the long-review training split (`train.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


def sigmoid(x: np.ndarray | float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50.0, 50.0)))


def _logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return float(np.log(p / (1 - p)))


def _position_weighted(z: np.ndarray) -> float:
    # later chunks count more: reviews tend to give the verdict at the end
    return float(np.average(z, weights=np.arange(1, len(z) + 1)))


# Each method maps the chunk logits of one text to a small feature vector.
FEATURES: dict[str, Callable[[np.ndarray], list[float]]] = {
    "mean": lambda z: [float(z.mean())],
    "mean_prob": lambda z: [_logit(float(sigmoid(z).mean()))],
    "position_weighted": lambda z: [_position_weighted(z)],
    "mean_last": lambda z: [float(z.mean()), float(z[-1])],
    "stats": lambda z: [
        float(z.mean()),
        float(z[0]),
        float(z[-1]),
        float(z.max()),
        float(z.min()),
        float(z.std()),
    ],
}


def features(method: str, chunk_logits: list[np.ndarray]) -> np.ndarray:
    return np.array([FEATURES[method](np.asarray(z, dtype=float)) for z in chunk_logits])


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1e-2, iterations: int = 50) -> np.ndarray:
    """L2-regularised logistic regression by Newton's method; returns [weights..., bias]."""
    design = np.hstack([x, np.ones((len(x), 1))])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2 * len(x)
    penalty[-1, -1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        p = sigmoid(design @ beta)
        gradient = design.T @ (p - y) + penalty @ beta
        hessian = design.T @ (design * (p * (1 - p))[:, None]) + penalty + 1e-9 * np.eye(len(beta))
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return beta


def fit_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The temperature T minimising the log-loss of sigmoid(z / T) (golden-section search)."""

    def loss(t: float) -> float:
        p = np.clip(sigmoid(z / t), 1e-9, 1 - 1e-9)
        return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))

    low, high = 0.05, 20.0
    ratio = (np.sqrt(5) - 1) / 2
    for _ in range(80):
        a, b = high - ratio * (high - low), low + ratio * (high - low)
        if loss(a) < loss(b):
            high = b
        else:
            low = a
    return (low + high) / 2


@dataclass
class Calibration:
    """Everything that turns chunk logits into score / label / confidence, stored in the artifact."""

    temperature: float = 1.0
    long_method: str = "mean"
    long_coef: list[float] = field(default_factory=lambda: [1.0, 0.0])
    neutral_threshold: float = 0.5

    def positive_probability(self, chunk_logits: np.ndarray) -> float:
        """P(positive) of one text from the positive-class logits of its chunks."""
        if len(chunk_logits) == 1:
            return float(sigmoid(chunk_logits[0] / self.temperature))
        x = np.array(FEATURES[self.long_method](np.asarray(chunk_logits, dtype=float)))
        return float(sigmoid(x @ np.array(self.long_coef[:-1]) + self.long_coef[-1]))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        return cls(**{k: data[k] for k in ("temperature", "long_method", "long_coef", "neutral_threshold")})


def isotonic_accuracy_threshold(
    confidence: np.ndarray, correct: np.ndarray, target: float, weight: np.ndarray | None = None
) -> float:
    """Lowest confidence from which held-out accuracy, fitted as non-decreasing, reaches `target`.

    Pool-adjacent-violators on (confidence, correct): neighbouring blocks are merged until their
    (weighted) accuracy rises with confidence; the answer is where the first block at `target` begins.
    """
    order = np.argsort(confidence, kind="stable")
    xs = np.asarray(confidence, dtype=float)[order]
    ys = np.asarray(correct, dtype=float)[order]
    ws = np.ones(len(xs)) if weight is None else np.asarray(weight, dtype=float)[order]
    blocks: list[list[float]] = []  # [weighted correct, weight, first confidence]
    for x, y, w in zip(xs, ys, ws, strict=True):
        blocks.append([y * w, w, x])
        while len(blocks) > 1 and blocks[-2][0] / blocks[-2][1] > blocks[-1][0] / blocks[-1][1]:
            total, mass, _ = blocks.pop()
            blocks[-1][0] += total
            blocks[-1][1] += mass
    for total, mass, start in blocks:
        if total / mass >= target:
            return float(start)
    return 1.0
