"""Settings of the sentiment component (prefix `SENTIMENT_`), in the style of `tmdb_pipeline.settings`."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

from tmdb_pipeline.settings import PROJECT_ROOT, PipelineSettings, settings_config

ARTIFACT_DIR = Path(__file__).resolve().parent / "artifacts"
ONNX_CACHE_DIR = PROJECT_ROOT / ".local" / "sentiment-onnx"
# torch: the trained network as it is (training always uses it); onnx: the same network exported to ONNX
# Runtime, equal scores; onnx-int8: that export with int8 weights, faster and slightly different scores.
Backend = Literal["onnx-int8", "onnx", "torch"]
BACKENDS: tuple[str, ...] = ("onnx-int8", "onnx", "torch")


class SentimentSettings(PipelineSettings):
    """How reviews are scored: which model, how texts are batched and chunked, when to say neutral."""

    model_config = settings_config("SENTIMENT_")

    model: str | None = Field(
        None,
        description="Hugging Face sequence-classification model (name or local path); "
        "unset = the bundled all-MiniLM-L6-v2 encoder with the project's trained adapter",
    )
    artifact_dir: Path = Field(ARTIFACT_DIR, description="the trained adapter, head and calibration")
    backend: Backend = Field(
        "onnx-int8",
        description="inference engine of the bundled model: onnx-int8 | onnx | torch "
        "(SENTIMENT_MODEL models always run on torch)",
    )
    onnx_cache_dir: Path = Field(
        ONNX_CACHE_DIR, description="where the ONNX export of the artifact is written on first use and reused"
    )
    batch_size: int = Field(32, ge=1, le=4096, description="chunks per forward pass")
    threads: int = Field(
        2, ge=0, le=256, description="CPU threads of the scorer (torch or ONNX Runtime); 0 = library default"
    )
    udf_threads: int = Field(
        1, ge=0, le=256, description="threads per Spark Python worker (Spark runs one worker per core)"
    )
    device: str = Field("cpu", description="torch device, e.g. cpu or cuda (the onnx backends run on CPU)")
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

    @field_validator("backend", mode="before")
    @classmethod
    def _known_backend(cls, value: object) -> object:
        # pydantic's own Literal message does not say what each choice means
        if isinstance(value, str) and value.strip().lower() not in BACKENDS:
            raise ValueError(
                f"unknown backend {value!r}: use onnx-int8 (fastest), onnx (ONNX Runtime, same scores as "
                "torch) or torch"
            )
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("chunk_overlap")
    @classmethod
    def _overlap_fits(cls, value: int | None, info: ValidationInfo) -> int | None:
        window = (info.data.get("max_length") or 256) - 2
        if value is not None and value >= window:
            raise ValueError(f"must be smaller than SENTIMENT_MAX_LENGTH - 2 ({window})")
        return value
