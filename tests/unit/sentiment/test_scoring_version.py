"""`scoring_version`: the id Silver stores with each score changes exactly when scores could."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tmdb_pipeline.sentiment.artifact import scoring_version
from tmdb_pipeline.sentiment.model import ADAPTER_FILE
from tmdb_pipeline.sentiment.settings import ARTIFACT_DIR, SentimentSettings


@pytest.fixture
def artifact(tmp_path: Path) -> Path:
    shutil.copytree(ARTIFACT_DIR, tmp_path / "artifacts")
    return tmp_path / "artifacts"


def test_given_the_same_model_and_settings_then_the_version_is_stable(artifact: Path):
    first = scoring_version(SentimentSettings(artifact_dir=artifact))

    assert first == scoring_version(SentimentSettings(artifact_dir=artifact, batch_size=7, threads=1))
    assert first == scoring_version(SentimentSettings(artifact_dir=ARTIFACT_DIR))
    assert first.startswith("minilm-adapter@")


def test_given_a_retrained_artifact_then_the_version_changes(artifact: Path):
    before = scoring_version(SentimentSettings(artifact_dir=artifact))
    with (artifact / ADAPTER_FILE).open("ab") as adapter:
        adapter.write(b"\0")

    assert scoring_version(SentimentSettings(artifact_dir=artifact)) != before


@pytest.mark.parametrize(
    "change", [{"neutral_threshold": 0.3}, {"max_length": 128}, {"chunk_overlap": 32}, {"max_chunks": 8}]
)
def test_given_a_setting_that_changes_scores_then_the_version_changes(change: dict):
    assert scoring_version(SentimentSettings(**change)) != scoring_version(SentimentSettings())


def test_given_a_hugging_face_model_then_the_version_names_it():
    version = scoring_version(
        SentimentSettings(model="distilbert/distilbert-base-uncased-finetuned-sst-2-english")
    )

    assert version.startswith("distilbert-base-uncased-finetuned-sst-2-english@")


def test_given_no_artifact_then_it_says_how_to_make_one(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="sentiment train"):
        scoring_version(SentimentSettings(artifact_dir=tmp_path))
