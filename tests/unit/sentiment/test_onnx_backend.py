"""The ONNX Runtime backends: same scores as torch (fp32) or nearly (int8), a cache that is reused
until the artifact or the exporter changes, and clear errors where it cannot run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from tmdb_pipeline.sentiment import onnx_backend
from tmdb_pipeline.sentiment.artifact import scoring_version
from tmdb_pipeline.sentiment.data import read_labelled
from tmdb_pipeline.sentiment.scorer import SentimentScorer
from tmdb_pipeline.sentiment.settings import ARTIFACT_DIR, SentimentSettings
from tmdb_pipeline.sentiment.train import SHARED_DATA
from tmdb_pipeline.settings import ConfigError, load

SENTENCES = [
    "One of the best films I have seen in years: moving, funny and beautifully acted.",
    "A boring, badly written mess. I want my two hours back.",
    "the plot is nothing but boilerplate clichés from start to finish .",
    "not bad , not great",
    "It is a film.",
    "Ein großartiger Film!",
]


@pytest.fixture(scope="module")
def real_texts() -> list[str]:
    """Sentences of every length plus whole long reviews (several chunks each, padded batches)."""
    sst2, reviews = SHARED_DATA / "sst2_train.tsv", SHARED_DATA / "reviews_long_train.jsonl"
    if not (sst2.is_file() and reviews.is_file()):
        return [*SENTENCES, " ".join(SENTENCES * 40)]
    phrases = read_labelled(sst2).texts
    return SENTENCES + phrases[-150:] + phrases[:50] + read_labelled(reviews).texts[:4]


def _positive(scorer: SentimentScorer, texts: list[str]) -> np.ndarray:
    return np.concatenate([row[:, 1] for row in scorer.chunk_logits(texts)])


def test_given_real_texts_when_scored_on_onnx_then_scores_equal_torch(
    torch_scorer: SentimentScorer, real_texts: list[str]
) -> None:
    onnx = SentimentScorer.from_settings(SentimentSettings(threads=2, backend="onnx"))

    assert isinstance(onnx.model, onnx_backend.OnnxChunkModel)
    np.testing.assert_allclose(_positive(onnx, real_texts), _positive(torch_scorer, real_texts), atol=1e-3)
    for a, b in zip(onnx.score(real_texts), torch_scorer.score(real_texts), strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-4)
        assert a.label == b.label


def test_given_real_texts_when_scored_on_int8_then_polarity_agrees_with_torch(
    torch_scorer: SentimentScorer, real_texts: list[str]
) -> None:
    scorer = SentimentScorer.from_settings(SentimentSettings(threads=2, backend="onnx-int8"))
    int8, reference = scorer.score(real_texts), torch_scorer.score(real_texts)

    same_sign = np.mean([(a.score > 0) == (b.score > 0) for a, b in zip(int8, reference, strict=True)])
    gaps = np.array([abs(a.score - b.score) for a, b in zip(int8, reference, strict=True)])
    assert same_sign >= 0.97
    assert np.median(gaps) < 0.05


def test_given_int8_when_texts_scored_together_then_same_as_alone(real_texts: list[str]) -> None:
    # dynamic int8 scales activations per tensor: batched, a score would depend on its batch mates
    scorer = SentimentScorer.from_settings(SentimentSettings(threads=2, backend="onnx-int8"))
    texts = real_texts[:40] + real_texts[-2:]
    together = scorer.score(texts)
    alone = [scorer.score([text])[0] for text in texts]

    assert [a.score for a in together] == pytest.approx([b.score for b in alone], abs=1e-6)


def test_given_the_same_artifact_when_exported_twice_then_identical_bytes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = SentimentSettings(onnx_cache_dir=tmp_path / "a")
    first = onnx_backend.ensure_exported(settings)
    second = onnx_backend.ensure_exported(settings.model_copy(update={"onnx_cache_dir": tmp_path / "b"}))

    assert first.read_bytes() == second.read_bytes()
    assert json.loads((first.parent / onnx_backend.STAMP_FILE).read_text())["backend"] == "onnx-int8"
    # ONNX Runtime's advice to pre-process (the graph is fused already) stays off the terminal
    assert not [r for r in caplog.records if "pre-processing before quantization" in r.getMessage()]


@pytest.fixture
def fake_export(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Record exports instead of running them: the cache logic without the minutes of a real export."""
    calls: list[Path] = []

    def export(settings: SentimentSettings, path: Path) -> None:
        calls.append(path)
        path.write_bytes(b"onnx")
        (path.parent / onnx_backend.STAMP_FILE).write_text("{}")

    monkeypatch.setattr(onnx_backend, "export", export)
    return calls


def test_given_a_cached_export_when_loaded_again_then_reused(tmp_path: Path, fake_export: list[Path]) -> None:
    settings = SentimentSettings(onnx_cache_dir=tmp_path)

    first = onnx_backend.ensure_exported(settings)
    second = onnx_backend.ensure_exported(settings)

    assert first == second
    assert fake_export == [first]


def test_given_an_interrupted_export_when_loaded_then_exported_again(
    tmp_path: Path, fake_export: list[Path]
) -> None:
    settings = SentimentSettings(onnx_cache_dir=tmp_path)
    path = onnx_backend.cached_model_path(settings)
    path.parent.mkdir(parents=True)
    path.write_bytes(b"half a model")  # no stamp: the exporter died before finishing

    assert onnx_backend.ensure_exported(settings) == path
    assert fake_export == [path]


def test_given_a_retrained_artifact_or_another_backend_then_a_new_cache_entry(
    tmp_path: Path, fake_export: list[Path]
) -> None:
    artifact = tmp_path / "artifacts"
    shutil.copytree(ARTIFACT_DIR, artifact)
    settings = SentimentSettings(onnx_cache_dir=tmp_path / "cache", artifact_dir=artifact)
    before = onnx_backend.ensure_exported(settings)
    with (artifact / "sentiment.json").open("a") as metadata:
        metadata.write("\n")

    retrained = onnx_backend.ensure_exported(settings)
    fp32 = onnx_backend.ensure_exported(settings.model_copy(update={"backend": "onnx"}))

    assert len({before, retrained, fp32}) == 3
    assert fake_export == [before, retrained, fp32]


def test_given_an_unwritable_cache_then_the_error_says_what_to_set(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")

    with pytest.raises(onnx_backend.OnnxBackendError, match="SENTIMENT_ONNX_CACHE_DIR"):
        onnx_backend.ensure_exported(SentimentSettings(onnx_cache_dir=blocker / "cache"))


def test_given_a_gpu_device_with_an_onnx_backend_then_the_error_says_to_use_torch() -> None:
    with pytest.raises(onnx_backend.OnnxBackendError, match="SENTIMENT_BACKEND=torch"):
        SentimentScorer.from_settings(SentimentSettings(device="cuda", backend="onnx"))


def test_given_an_unknown_backend_when_loaded_then_variable_and_choices_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SENTIMENT_BACKEND", "tensorflow")
    with pytest.raises(ConfigError, match="SENTIMENT_BACKEND") as error:
        load(SentimentSettings)
    assert "onnx-int8" in str(error.value) and "torch" in str(error.value)


def test_given_backend_in_any_case_when_loaded_then_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SENTIMENT_BACKEND", " ONNX ")
    assert load(SentimentSettings).backend == "onnx"


def test_given_int8_then_its_scoring_version_differs_and_fp32_keeps_torchs() -> None:
    torch_version = scoring_version(SentimentSettings(backend="torch"))

    assert scoring_version(SentimentSettings(backend="onnx")) == torch_version
    assert scoring_version(SentimentSettings(backend="onnx-int8")) != torch_version
    assert scoring_version(SentimentSettings(backend="onnx-int8")).startswith("minilm-adapter@")
