"""`tmdb-pipeline sentiment train | score | eval` — the review sentiment model of the Silver layer."""

from __future__ import annotations

import functools
import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from tmdb_pipeline.cli._errors import friendly_errors

app = typer.Typer(help="Review sentiment: train, score, eval.", no_args_is_help=True)
console = Console()
# Progress and diagnostics go to stderr so stdout stays parseable (eval's last line, score's rows).
err_console = Console(stderr=True)

P = ParamSpec("P")
R = TypeVar("R")


def _data_errors(func: Callable[P, R]) -> Callable[P, R]:
    """A missing or malformed input, artifact or model is a usage error: one line, exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        # imported here: torch must not load for every `tmdb-pipeline` command
        from tmdb_pipeline.sentiment.data import DataFormatError
        from tmdb_pipeline.sentiment.model import ModelLabelError

        try:
            return func(*args, **kwargs)
        except (OSError, DataFormatError, ModelLabelError) as exc:
            err_console.print(f"[bold red]Error[/] {exc}", highlight=False)
            raise typer.Exit(2) from None

    return wrapper


@contextmanager
def _progress() -> Iterator[Progress]:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[note]}"),
    )
    with Progress(*columns, console=err_console, transient=False) as progress:
        yield progress


def _load_scorer():  # type: ignore[no-untyped-def]
    from tmdb_pipeline.sentiment.scorer import SentimentScorer

    with err_console.status("Loading the sentiment model..."):
        return SentimentScorer.from_settings()


@app.command()
@friendly_errors
@_data_errors
def score(
    texts: list[str] = typer.Argument(..., help="texts to score"),
    as_json: bool = typer.Option(False, "--json", help="one JSON object per line"),
) -> None:
    """Print label, score and confidence for each text."""
    results = _load_scorer().score(texts)
    for text, result in zip(texts, results, strict=True):
        if as_json:
            row = None if result is None else asdict(result)
            typer.echo(json.dumps({"text": text, "sentiment": row}, ensure_ascii=False))
        elif result is None:
            typer.echo(f"{'null':<9} score=      -  confidence=     -  {text[:80]!r}")
        else:
            typer.echo(
                f"{result.label:<9} score={result.score:+.4f}  confidence={result.confidence:.4f}  {text[:80]!r}"
            )


@app.command(name="eval")
@friendly_errors
@_data_errors
def evaluate(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="TSV sentence<TAB>label or JSONL"),
    batch: int = typer.Option(1024, min=1, help="texts per scorer call (sorted by length inside)"),
) -> None:
    """Accuracy on a labelled file (1 = positive, 0 = negative); the last line is machine-readable.

    Accuracy is that of the score's sign: the neutral band is an abstention the labels cannot
    express, so it is reported on its own line (share of neutral, accuracy outside it).
    """
    from tmdb_pipeline.sentiment.data import read_labelled
    from tmdb_pipeline.sentiment.scorer import NEUTRAL

    data = read_labelled(file)
    scorer = _load_scorer()
    results = []
    began = time.monotonic()
    with _progress() as progress:
        task = progress.add_task(f"scoring {file.name}", total=len(data), note="")
        for start in range(0, len(data), batch):
            results.extend(scorer.score(data.texts[start : start + batch]))
            progress.update(task, advance=min(batch, len(data) - start))
    seconds = time.monotonic() - began
    predicted = [1 if r is not None and r.score > 0 else 0 for r in results]
    correct = [p == y for p, y in zip(predicted, data.labels, strict=True)]
    decided = [c for c, r in zip(correct, results, strict=True) if r is not None and r.label != NEUTRAL]
    n = len(data)
    accuracy = sum(correct) / n if n else 0.0
    table = Table(title=f"sentiment eval: {file}")
    for column in ("texts", "accuracy", "neutral share", "accuracy outside neutral", "seconds"):
        table.add_column(column)
    table.add_row(
        str(n),
        f"{accuracy:.4f}",
        f"{1 - len(decided) / n:.3f}" if n else "-",
        f"{sum(decided) / len(decided):.4f}" if decided else "-",
        f"{seconds:.1f}",
    )
    err_console.print(table)
    # plain echo: rich could wrap or style the line that scripts parse
    typer.echo(f"accuracy={accuracy:.4f} n={n} texts_per_s={n / seconds if seconds else 0.0:.1f}")


@app.command()
@friendly_errors
@_data_errors
def train(
    sst2: Path = typer.Option(
        None, help="SST-2 style TSV (default: ../shared/data/sentiment/sst2_train.tsv)"
    ),
    reviews: Path = typer.Option(
        None, help="long reviews JSONL (default: ../shared/data/sentiment/reviews_long_train.jsonl)"
    ),
    output: Path = typer.Option(None, help="artifact directory (default: the package's artifacts/)"),
    epochs: float = typer.Option(None, help="passes over the training data (default from the recipe)"),
    sentence_repeats: int = typer.Option(
        None, help="extra copies of each whole training sentence per epoch (default from the recipe)"
    ),
    learning_rate: float = typer.Option(None, help="peak learning rate of the adapters and head"),
    full_layers: int = typer.Option(
        None, help="top encoder layers trained whole (their fp16 delta is shipped) instead of LoRA"
    ),
    full_learning_rate: float = typer.Option(None, help="peak learning rate of the whole top layers"),
    seed: int = typer.Option(None, help="random seed of splits, initialisation and batch order"),
    threads: int = typer.Option(None, help="torch threads (default SENTIMENT_THREADS)"),
    limit: int = typer.Option(None, help="use only this many training rows of each file (smoke runs)"),
) -> None:
    """Fine-tune the adapter, calibrate, choose the long-text aggregation, write the artifact."""
    from tmdb_pipeline.sentiment import train as training

    config = training.TrainConfig.default()
    overrides = {
        "sst2": sst2,
        "reviews": reviews,
        "output": output,
        "epochs": epochs,
        "sentence_repeats": sentence_repeats,
        "learning_rate": learning_rate,
        "full_layers": full_layers,
        "full_learning_rate": full_learning_rate,
        "seed": seed,
        "threads": threads,
        "limit": limit,
    }
    config = config.with_overrides({k: v for k, v in overrides.items() if v is not None})
    with _progress() as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int, note: str = "") -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total, note="")
            progress.update(tasks[stage], completed=done, total=total, note=note)

        result = training.run(config, report)
    table = Table(title="sentiment training summary")
    table.add_column("figure")
    table.add_column("value")
    for key, value in result.summary().items():
        table.add_row(key, value)
    console.print(table)
    console.print(f"artifact written to {config.output} ({result.artifact_bytes / 1e6:.2f} MB)")
