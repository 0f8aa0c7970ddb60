"""The shipped artifact's JSON: how to rebuild the adapter, chunk, calibrate, and where it came from."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tmdb_pipeline.sentiment.aggregate import Calibration
from tmdb_pipeline.sentiment.model import ADAPTER_FILE, BASE_MODEL_NAME, LoraShape
from tmdb_pipeline.sentiment.settings import SentimentSettings

METADATA_FILE = "sentiment.json"
FORMAT_VERSION = 1
# settings that change what a text is scored; batch size, threads and device do not
SCORE_SETTINGS = ("max_length", "chunk_overlap", "max_chunks", "max_chars", "neutral_threshold")


@dataclass
class ArtifactInfo:
    lora: LoraShape
    calibration: Calibration
    max_length: int = 256
    chunk_overlap: int = 64
    base_model: str = BASE_MODEL_NAME
    # provenance: data hashes, seeds, hyper-parameters, validation figures (free-form, for people)
    training: dict[str, Any] = field(default_factory=dict)

    def write(self, directory: Path) -> Path:
        directory.mkdir(parents=True, exist_ok=True)
        body = {
            "format": FORMAT_VERSION,
            "base_model": self.base_model,
            "lora": asdict(self.lora),
            "max_length": self.max_length,
            "chunk_overlap": self.chunk_overlap,
            "calibration": self.calibration.to_dict(),
            "training": self.training,
        }
        path = directory / METADATA_FILE
        path.write_text(json.dumps(body, indent=2, sort_keys=False) + "\n", encoding="utf-8")
        return path

    @classmethod
    def read(cls, directory: Path) -> ArtifactInfo:
        path = directory / METADATA_FILE
        if not path.is_file():
            raise FileNotFoundError(f"no {METADATA_FILE} in {directory}: run `tmdb-pipeline sentiment train`")
        body = json.loads(path.read_text(encoding="utf-8"))
        if body.get("format") != FORMAT_VERSION:
            raise ValueError(f"{path}: format {body.get('format')!r}, this code reads {FORMAT_VERSION}")
        return cls(
            lora=LoraShape(**body["lora"]),
            calibration=Calibration.from_dict(body["calibration"]),
            max_length=int(body["max_length"]),
            chunk_overlap=int(body["chunk_overlap"]),
            base_model=str(body["base_model"]),
            training=dict(body.get("training", {})),
        )


def artifact_digest(directory: Path) -> str:
    """SHA-256 of the shipped adapter and metadata: what identifies a trained artifact."""
    digest = hashlib.sha256()
    for name in (ADAPTER_FILE, METADATA_FILE):
        path = directory / name
        if not path.is_file():
            raise FileNotFoundError(f"no {name} in {directory}: run `tmdb-pipeline sentiment train`")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def scoring_version(settings: SentimentSettings) -> str:
    """A short id of everything a stored score depends on: the model (the shipped artifact's bytes, or
    the Hugging Face model's name or path), the inference backend where it changes scores, and the
    settings that change results. Silver keeps it with each score, so a retrained artifact, an int8
    backend or a new threshold gets every review scored again."""
    digest = hashlib.sha256()
    if settings.model:
        label = settings.model.rstrip("/").rsplit("/", 1)[-1]
        digest.update(settings.model.encode())
    else:
        label = "minilm-adapter"
        artifact_digest(settings.artifact_dir)  # says how to make a missing artifact
        # the files' bytes, not artifact_digest: keeps the versions Silver already stores for torch
        for name in (ADAPTER_FILE, METADATA_FILE):
            digest.update((settings.artifact_dir / name).read_bytes())
        if settings.backend == "onnx-int8":
            # int8 weights move scores (a few hundredths); torch and fp32 ONNX agree to ~1e-5
            digest.update(b"backend=onnx-int8;")
    for name in SCORE_SETTINGS:
        digest.update(f"{name}={getattr(settings, name)!r};".encode())
    return f"{label}@{digest.hexdigest()[:12]}"
