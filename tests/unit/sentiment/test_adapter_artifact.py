"""The adapter file: what training changed is saved, and loading it rebuilds the same network."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tmdb_pipeline.sentiment.finetune import Example, Optimisation, train
from tmdb_pipeline.sentiment.model import (
    ADAPTER_FILE,
    LoraShape,
    build_minilm,
    bundled_base_dir,
    load_minilm,
    load_tokenizer,
    save_adapter,
)

TEXTS = ["a wonderful, moving film", "dull, long and boring", "great acting", "an awful plot"]


def _briefly_trained(shape: LoraShape) -> torch.nn.Module:
    torch.manual_seed(0)
    model = build_minilm(shape)
    tokenizer = load_tokenizer(bundled_base_dir())
    ids = tokenizer(TEXTS * 4)["input_ids"]
    examples = [Example(row, float(i % 2 == 0)) for i, row in enumerate(ids)]
    optimisation = Optimisation(epochs=1, batch_size=8, learning_rate=1e-3, full_learning_rate=1e-3)
    train(model, examples, optimisation, seed=1)
    return model


def _logits(model: torch.nn.Module) -> torch.Tensor:
    batch = load_tokenizer(bundled_base_dir())(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        return model(batch["input_ids"], batch["attention_mask"])


@pytest.mark.parametrize("full_layers", [0, 1])
def test_given_a_trained_adapter_when_saved_and_loaded_then_the_network_scores_the_same(
    tmp_path: Path, full_layers: int
):
    shape = LoraShape(full_layers=full_layers)
    trained = _briefly_trained(shape)

    save_adapter(trained, tmp_path)
    loaded = load_minilm(tmp_path, shape)

    assert torch.allclose(_logits(loaded), _logits(trained), atol=1e-3)


def test_given_whole_top_layers_when_training_then_they_change_and_only_their_delta_is_stored(tmp_path: Path):
    from safetensors.torch import load_file

    trained = _briefly_trained(LoraShape(full_layers=1))
    save_adapter(trained, tmp_path)
    stored = load_file(str(tmp_path / ADAPTER_FILE))

    whole = {k: v for k, v in stored.items() if k.startswith("full.")}
    assert whole and all(k.startswith("full.5.") for k in whole)  # the top layer of six
    assert all(v.dtype == torch.float16 for v in whole.values())
    assert any(v.abs().max() > 0 for v in whole.values())
    # the other five layers are adapted by LoRA, the top one is not
    lora_layers = {k.split(".layer.")[1].split(".")[0] for k in stored if k.startswith("lora.")}
    assert lora_layers == {"0", "1", "2", "3", "4"}


def test_given_an_adapter_of_another_shape_when_loading_then_it_says_so(tmp_path: Path):
    save_adapter(build_minilm(LoraShape(full_layers=1)), tmp_path)

    with pytest.raises(ValueError, match="full_layers=0"):
        load_minilm(tmp_path, LoraShape(full_layers=0))
