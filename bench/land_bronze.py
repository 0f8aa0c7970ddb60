"""Bronze landing throughput and latency, each beside its baseline measured in the same run.

1. `land --once` over N records (default 100k) in several topics: records/s, beside Spark reading
   the same topics and writing plain Parquet with no per-table routing, no envelope parsing and no
   idempotency checks (the physical limit of this job on this machine), and beside the same copy
   with the Airbyte envelope parsed once (`from_json`, its four fields written as columns): the
   least any landing that routes records by stream must do. All are measured warm: each first runs
   once over one topic, so none pays for loading its classes.
2. `--continuous` latency: small bursts produced while the job runs; time from produce to the rows
   being visible in the Bronze table through pyiceberg (p50 / p95).

3. The metrics' overhead: the same records landed twice more into new namespaces, without then
   with the Prometheus hook (`record_batch`).

All run twice, once per lakehouse topology (local files, then REST catalog + S3 on a private store:
bench/topologies.py), and the two are printed side by side with their ratio.

Run: .venv/bin/python bench/land_bronze.py [--records 100000] [--bursts 20]
It starts the local stack if needed (its own topics and namespace; nothing else is touched).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from unittest import mock

os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")

import pyspark
from confluent_kafka import Producer
from confluent_kafka.admin import AdminClient, NewTopic
from pyspark.sql import functions as F
from topologies import print_comparison, run_per_topology

from spark_streaming import metrics as landing_metrics
from spark_streaming.envelope import parse_envelope
from spark_streaming.job import run_landing
from tmdb_pipeline.orchestrate.stack import local_stack
from tmdb_pipeline.settings import KafkaSettings, LandingSettings, SparkSettings, load
from tmdb_pipeline.stack.catalog import get_catalog
from tmdb_pipeline.stack.spark import get_spark

STREAMS = ("movies", "movie_details", "credits", "reviews")
OVERVIEW = "A retired detective returns for one last case in a city that forgot him. " * 4


def record(stream: str, i: int) -> bytes:
    data = {"id": i, "title": f"Movie {i}", "overview": OVERVIEW, "popularity": i % 997 / 7.0}
    envelope = {
        "_airbyte_ab_id": str(uuid.uuid4()),
        "_airbyte_stream": stream,
        "_airbyte_emitted_at": int(time.time() * 1000),
        "_airbyte_data": data,
    }
    return json.dumps(envelope).encode()


def produce(bootstrap: str, prefix: str, ids_by_stream: dict[str, range]) -> int:
    producer = Producer(
        {"bootstrap.servers": bootstrap, "linger.ms": 20, "compression.type": "lz4", "acks": "all"}
    )
    sent = 0
    for stream, ids in ids_by_stream.items():
        for i in ids:
            producer.produce(prefix + stream, key=str(i).encode(), value=record(stream, i))
            sent += 1
            if sent % 20_000 == 0:
                producer.flush()
    producer.flush(60)
    return sent


def plain_parquet_baseline(
    spark, kafka: KafkaSettings, pattern: str, target: Path, parse: bool = False
) -> tuple[int, float]:
    began = time.monotonic()
    frame = (
        spark.read.format("kafka")
        .options(**kafka.spark_source_options())  # the consumer options landing reads with
        .option("subscribePattern", pattern)
        .option("startingOffsets", "earliest")
        .option("endingOffsets", "latest")
        .load()
        .selectExpr("cast(key as string) key", "cast(value as string) value", "topic", "partition", "offset")
    )
    if parse:  # the envelope read once, as landing reads it, its fields beside the raw value
        frame = (
            frame.withColumn("envelope", parse_envelope(F.col("value")))
            .select("*", "envelope.*")
            .drop("envelope")
        )
    frame.write.mode("overwrite").parquet(str(target))
    seconds = time.monotonic() - began
    return spark.read.parquet(str(target)).count(), seconds


def visible_count(table: str) -> int:
    try:
        return len(get_catalog().load_table(table).scan(selected_fields=("kafka_offset",)).to_arrow())
    except Exception:  # not created before the first batch
        return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--bursts", type=int, default=20)
    parser.add_argument("--burst-size", type=int, default=50)
    parser.add_argument("--topology", help=argparse.SUPPRESS)  # set by run_per_topology
    parser.add_argument("--result-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.topology is None:
        local_stack().up()
        passthrough = ["--records", str(args.records), "--bursts", str(args.bursts)]
        results = run_per_topology(Path(__file__), [*passthrough, "--burst-size", str(args.burst_size)])
        print_comparison(
            results,
            {
                "baseline_s": "plain Parquet copy (baseline)",
                "parsed_baseline_s": "the copy, envelope parsed (from_json)",
                "landing_s": f"land --once, {args.records} records",
                "landing_bare_s": "again, without its Prometheus metrics",
                "landing_again_s": "again, with them",
                "latency_p50_s": "--continuous produce -> visible, p50",
                "latency_p95_s": "--continuous produce -> visible, p95",
            },
        )
        return
    kafka = load(KafkaSettings)
    spark = get_spark("bench-land-bronze")
    tag = uuid.uuid4().hex[:6]
    prefix, namespace = f"bench{tag}_", f"bench_bronze_{tag}"
    work = Path(tempfile.mkdtemp(prefix="bench-land-"))
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    new_topics = [
        NewTopic(prefix + s, num_partitions=kafka.partitions, replication_factor=1) for s in STREAMS
    ]
    for future in admin.create_topics(new_topics).values():
        future.result(30)

    print(
        f"python {platform.python_version()} · pyspark {pyspark.__version__} · "
        f"iceberg {load(SparkSettings).iceberg_version} · kafka {kafka.version} · {os.cpu_count()} cores"
        f" · lakehouse: {args.topology}"
    )
    per_stream = args.records // len(STREAMS)
    began = time.monotonic()
    sent = produce(kafka.bootstrap_servers, prefix, {s: range(per_stream) for s in STREAMS})
    print(
        f"produced {sent} records ({len(record('movies', 1))} bytes each) in {time.monotonic() - began:.1f}s"
    )

    settings = LandingSettings(
        topic_pattern=f"{prefix}.*",
        namespace=namespace,
        checkpoint_dir=str(work / "checkpoint"),
        metrics_file=work / "metrics.jsonl",
        trigger_interval_s=1.0,
    )
    # warm the JVM on one topic, each way, so neither measurement pays for class loading alone
    plain_parquet_baseline(spark, kafka, f"{prefix}movies", work / "warmup")
    plain_parquet_baseline(spark, kafka, f"{prefix}movies", work / "warmup-parsed", parse=True)
    warmup = settings.model_copy(
        update={
            "topic_pattern": f"{prefix}movies",
            "namespace": f"{namespace}_warmup",
            "checkpoint_dir": str(work / "checkpoint-warmup"),
        }
    )
    run_landing(spark, continuous=False, settings=warmup)

    rows, baseline_s = plain_parquet_baseline(spark, kafka, f"{prefix}.*", work / "plain")
    parsed_rows, parsed_s = plain_parquet_baseline(spark, kafka, f"{prefix}.*", work / "parsed", parse=True)
    assert parsed_rows == rows, (parsed_rows, rows)
    began = time.monotonic()
    run = run_landing(spark, continuous=False, settings=settings)
    landing_s = time.monotonic() - began
    landed = sum(run.totals().values())
    assert landed == rows == sent, (landed, rows, sent)

    # The metrics' overhead: the same records landed again, each time into a new namespace from a
    # fresh checkpoint, without then with the metric hook (a no-op in place of record_batch).
    def land_again(label: str, with_metrics: bool) -> float:
        again = settings.model_copy(
            update={
                "namespace": f"{namespace}_{label}",
                "checkpoint_dir": str(work / f"checkpoint-{label}"),
                "metrics_file": work / f"metrics-{label}.jsonl",
            }
        )
        with contextlib.ExitStack() as hooks:
            if not with_metrics:
                hooks.enter_context(mock.patch.object(landing_metrics, "record_batch", lambda *a, **k: None))
            began = time.monotonic()
            again_run = run_landing(spark, continuous=False, settings=again)
            seconds = time.monotonic() - began
        assert sum(again_run.totals().values()) == sent
        return seconds

    landing_bare_s = land_again("bare", with_metrics=False)
    landing_again_s = land_again("again", with_metrics=True)

    print()
    print(f"{'throughput, ' + str(sent) + ' records':<44}{'records/s':>12}{'seconds':>10}")
    print(f"{'plain Parquet, no routing (baseline)':<44}{rows / baseline_s:>12,.0f}{baseline_s:>10.1f}")
    print(f"{'land --once -> 4 Bronze tables (ours)':<44}{landed / landing_s:>12,.0f}{landing_s:>10.1f}")
    print(f"{'ratio ours / baseline':<44}{(landed / landing_s) / (rows / baseline_s):>12.2f}")
    print(f"{'plain Parquet, envelope parsed (from_json)':<44}{rows / parsed_s:>12,.0f}{parsed_s:>10.1f}")
    print(f"{'ratio ours / parsed copy':<44}{(landed / landing_s) / (rows / parsed_s):>12.2f}")
    for label, seconds in (
        ("again, without its Prometheus metrics", landing_bare_s),
        ("again, with them", landing_again_s),
    ):
        print(f"{label:<44}{landed / seconds:>12,.0f}{seconds:>10.1f}")
    print(f"{'metrics overhead (again: with / without)':<44}{landing_again_s / landing_bare_s:>12.2f}")

    # --- latency in continuous mode -------------------------------------------------------------
    stop = threading.Event()
    job = threading.Thread(target=run_landing, args=(spark, True, settings), kwargs={"stop_event": stop})
    job.start()
    table = f"{namespace}.movies"
    expected = visible_count(table)
    latencies = []
    next_id = 10_000_000
    for _ in range(args.bursts):
        ids = range(next_id, next_id + args.burst_size)
        next_id += args.burst_size
        produced_at = time.monotonic()
        produce(kafka.bootstrap_servers, prefix, {"movies": ids})
        expected += args.burst_size
        while visible_count(table) < expected:
            if time.monotonic() - produced_at > 120:
                raise SystemExit("a burst did not land within 120 s")
            time.sleep(0.05)
        latencies.append(time.monotonic() - produced_at)
        time.sleep(0.3)
    stop.set()
    job.join(60)
    interval = settings.trigger_interval_s
    p95 = statistics.quantiles(latencies, n=20)[18]
    print()
    print(
        f"produce -> visible in Bronze, --continuous (trigger {interval:.0f}s), {args.bursts} bursts"
        f" of {args.burst_size}: p50 {statistics.median(latencies):.2f}s · p95 {p95:.2f}s"
        f" · baseline: the trigger interval alone {interval:.2f}s"
    )
    args.result_file.write_text(
        json.dumps(
            {
                "baseline_s": baseline_s,
                "parsed_baseline_s": parsed_s,
                "landing_s": landing_s,
                "landing_bare_s": landing_bare_s,
                "landing_again_s": landing_again_s,
                "latency_p50_s": statistics.median(latencies),
                "latency_p95_s": p95,
            }
        )
    )
    shutil.rmtree(work, ignore_errors=True)
    spark.stop()
    sys.exit(0)


if __name__ == "__main__":
    main()
