"""The LoRA fine-tuning loop: length-bucketed batches, AdamW, linear warm-up and decay, CPU friendly."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import torch

from tmdb_pipeline.sentiment.model import MeanPooledClassifier

# progress(done_steps, total_steps, running_loss)
Progress = Callable[[int, int, float], None]


@dataclass(frozen=True)
class Example:
    ids: list[int]  # special tokens included
    label: float


@dataclass(frozen=True)
class Optimisation:
    epochs: float = 2.0
    batch_size: int = 32
    learning_rate: float = 5e-4
    full_learning_rate: float = 1e-4  # parameters of whole trained layers: far more than an adapter's
    weight_decay: float = 0.01
    warmup: float = 0.06


def bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar-length examples: little padding, still random order."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    pool = batch_size * 50
    batches: list[list[int]] = []
    for start in range(0, len(order), pool):
        part = sorted(order[start : start + pool], key=lambda i: lengths[i])
        batches.extend(part[i : i + batch_size] for i in range(0, len(part), batch_size))
    rng.shuffle(batches)
    return batches


def _collate(examples: Sequence[Example], pad: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    width = max(len(e.ids) for e in examples)
    ids = torch.full((len(examples), width), pad, dtype=torch.long)
    mask = torch.zeros((len(examples), width), dtype=torch.long)
    for i, example in enumerate(examples):
        ids[i, : len(example.ids)] = torch.tensor(example.ids)
        mask[i, : len(example.ids)] = 1
    labels = torch.tensor([e.label for e in examples], dtype=torch.float32)
    return ids, mask, labels


def train(
    model: MeanPooledClassifier,
    examples: Sequence[Example],
    optimisation: Optimisation,
    seed: int,
    pad_id: int = 0,
    progress: Progress | None = None,
) -> dict[str, float]:
    """Fine-tune the trainable parameters (adapter + head) in place; returns loss and timing."""
    rng = random.Random(seed)
    torch.manual_seed(seed)
    lengths = [len(e.ids) for e in examples]
    whole_epochs = int(optimisation.epochs) + (1 if optimisation.epochs % 1 else 0)
    plan: list[list[int]] = []
    for epoch in range(whole_epochs):
        batches = bucketed_batches(lengths, optimisation.batch_size, rng)
        if epoch + 1 > optimisation.epochs:  # a fractional last epoch
            batches = batches[: round(len(batches) * (optimisation.epochs - epoch))]
        plan.extend(batches)
    params = [p for p in model.parameters() if p.requires_grad]
    whole = {id(p) for p in model.full_layer_parameters()}
    groups = []
    for lr, members in (
        (optimisation.learning_rate, [p for p in params if id(p) not in whole]),
        (optimisation.full_learning_rate, [p for p in params if id(p) in whole]),
    ):
        groups.append({"params": [p for p in members if p.ndim > 1], "lr": lr})
        groups.append({"params": [p for p in members if p.ndim <= 1], "lr": lr, "weight_decay": 0.0})
    optimiser = torch.optim.AdamW(
        [g for g in groups if g["params"]],
        lr=optimisation.learning_rate,
        weight_decay=optimisation.weight_decay,
    )
    total = len(plan)
    warmup = max(1, round(total * optimisation.warmup))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / (total - warmup + 1)))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    model.train()
    running, started = 0.0, time.monotonic()
    for step, batch in enumerate(plan, start=1):
        ids, mask, labels = _collate([examples[i] for i in batch], pad_id)
        loss = loss_fn(model(ids, mask), labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimiser.step()
        schedule.step()
        optimiser.zero_grad(set_to_none=True)
        running = loss.item() if step == 1 else 0.98 * running + 0.02 * loss.item()
        if progress:
            progress(step, total, running)
    model.eval()
    return {"steps": float(total), "final_loss": running, "seconds": time.monotonic() - started}
