"""Settings of the sentiment component (prefix `SENTIMENT_`), in the style of `tmdb_pipeline.settings`."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from tmdb_pipeline.settings import ENV_FILE

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"


class SentimentSettings(BaseSettings):
    """How reviews are scored: which model, how texts are batched and chunked, when to say neutral."""

    model_config = SettingsConfigDict(
        env_prefix="SENTIMENT_", env_file=ENV_FILE, env_file_encoding="utf-8", extra="ignore"
    )

    model: str | None = Field(
        None,
        description="Hugging Face sequence-classification model (name or local path); "
        "unset = the bundled all-MiniLM-L6-v2 encoder with the project's trained adapter",
    )
    artifact_dir: Path = Field(ARTIFACT_DIR, description="the trained adapter, head and calibration")
    batch_size: int = Field(32, ge=1, le=4096, description="chunks per forward pass")
    threads: int = Field(2, ge=0, le=256, description="torch CPU threads of the scorer; 0 = torch default")
    udf_threads: int = Field(
        1, ge=0, le=256, description="torch threads per Spark Python worker (Spark runs one worker per core)"
    )
    device: str = Field("cpu", description="torch device, e.g. cpu or cuda")
    max_length: int | None = Field(
        None,
        ge=16,
        le=512,
        description="tokens per chunk, special tokens included; unset = the artifact's validated value "
        "(256 for other models)",
    )
    chunk_overlap: int | None = Field(
        None, ge=0, description="tokens shared by consecutive chunks; unset = the artifact's value (64)"
    )
    max_chunks: int = Field(64, ge=1, description="longer texts keep this many evenly spaced chunks")
    max_chars: int = Field(1_000_000, ge=1000, description="longer texts are cut (head and tail kept)")
    neutral_threshold: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description="confidence below which the label is neutral; unset = the calibrated value "
        "stored with the trained artifact (0.5 for other models)",
    )

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_fits(cls, value: int | None, info: ValidationInfo) -> int | None:
        window = (info.data.get("max_length") or 256) - 2
        if value is not None and value >= window:
            raise ValueError(f"must be smaller than SENTIMENT_MAX_LENGTH - 2 ({window})")
        return value
