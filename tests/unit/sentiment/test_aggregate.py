"""Calibration maths: logistic fit, temperature, the stored calibration."""

from __future__ import annotations

import numpy as np
import pytest

from tmdb_pipeline.sentiment.aggregate import (
    FEATURES,
    Calibration,
    features,
    fit_logistic,
    fit_temperature,
    isotonic_accuracy_threshold,
    sigmoid,
)


def test_given_logistic_data_when_fitted_then_weights_recovered() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(20_000, 2))
    y = (rng.random(20_000) < sigmoid(x @ np.array([2.0, -1.0]) + 0.5)).astype(float)
    beta = fit_logistic(x, y, l2=0.0)
    assert beta == pytest.approx([2.0, -1.0, 0.5], abs=0.1)


def test_given_overconfident_logits_when_temperature_fitted_then_it_undoes_the_scaling() -> None:
    rng = np.random.default_rng(1)
    true_logit = rng.normal(scale=2.0, size=50_000)
    y = (rng.random(50_000) < sigmoid(true_logit)).astype(float)
    assert fit_temperature(true_logit * 3.0, y) == pytest.approx(3.0, rel=0.05)


def test_given_one_chunk_when_calibrated_then_temperature_applies() -> None:
    calibration = Calibration(temperature=2.0, long_method="mean", long_coef=[5.0, 0.0])
    assert calibration.positive_probability(np.array([2.0])) == pytest.approx(float(sigmoid(1.0)))
    assert calibration.positive_probability(np.array([2.0, 0.0])) == pytest.approx(float(sigmoid(5.0)))


def test_given_calibration_when_round_tripped_then_equal() -> None:
    calibration = Calibration(1.3, "mean_last", [0.5, 0.7, -0.1], 0.42)
    assert Calibration.from_dict(calibration.to_dict()) == calibration


@pytest.mark.parametrize("method", sorted(FEATURES))
def test_given_any_method_when_features_built_then_one_finite_row_per_text(method: str) -> None:
    rows = features(method, [np.array([1.0, -2.0, 3.0]), np.array([0.5, 0.5])])
    assert rows.shape[0] == 2
    assert np.isfinite(rows).all()


def test_given_accuracy_rising_with_confidence_when_thresholded_then_crossing_found() -> None:
    confidence = np.linspace(0, 1, 1000)
    correct = (np.arange(1000) % 10 < np.where(confidence < 0.3, 5, 9)).astype(float)
    assert isotonic_accuracy_threshold(confidence, correct, 0.75) == pytest.approx(0.3, abs=0.01)
