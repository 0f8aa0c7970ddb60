"""Extract throughput, emulator -> Kafka, beside its two baselines measured in the same run.

  ours          tmdb-pipeline's runner: source-tmdb subprocess -> envelope -> idempotent producer,
                state saved after each flush
  (a) connector source-tmdb alone, its stdout to /dev/null (the ceiling set by the source)
  (b) producer  confluent-kafka's bare producer sending the same envelopes, already in memory
                (the ceiling set by Kafka)

Ours also runs with its Prometheus hooks replaced by no-ops (interleaved rounds): the metrics'
overhead as a ratio.

Run: .venv/bin/python bench/extract_kafka.py [--movies 400] [--rounds 3]
Uses its own emulator (no rate limit) and its own topics; starts the local stack if needed.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from unittest import mock

import confluent_kafka
from confluent_kafka import Producer

from tmdb_pipeline.extract.connector import configured_catalog, connector_config, discover
from tmdb_pipeline.extract.envelope import envelope, message_key
from tmdb_pipeline.extract.runner import run_extract
from tmdb_pipeline.metrics import extract as extract_metrics
from tmdb_pipeline.orchestrate.stack import local_stack
from tmdb_pipeline.settings import ExtractSettings, KafkaSettings, TmdbSettings, load
from tmdb_pipeline.testing.emulator import running_emulator


class _NoTraffic:
    def requests(self, *args: object) -> None: ...
    def responses(self, *args: object) -> None: ...
    def retries(self, *args: object) -> None: ...


SOURCE = str(Path(sys.executable).parent / "source-tmdb")
STREAMS = ["genres", "movies", "movie_details", "credits", "reviews", "people"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--movies", type=int, default=400, help="movies extracted (catalogue is 5x)")
    parser.add_argument("--rounds", type=int, default=3, help="runs of ours with and without metrics")
    args = parser.parse_args()
    local_stack().up()
    kafka = load(KafkaSettings)
    work = Path(tempfile.mkdtemp(prefix="bench-extract-"))
    extract = ExtractSettings(
        max_movies=args.movies,
        max_pages=500,
        seed_lists=["popular"],
        requests_per_second=10_000,  # no client-side throttle: measure the machinery
        state_file=work / "state.json",
    )
    print(
        f"python {platform.python_version()} · confluent-kafka {confluent_kafka.__version__} "
        f"(librdkafka {confluent_kafka.libversion()[0]}) · kafka {kafka.version}"
    )
    with running_emulator(movies=args.movies * 5, seed=3, api_key="bench-key") as emu:
        tmdb = TmdbSettings(api_key=emu.api_key, base_url=emu.base_url)
        config = connector_config(extract, tmdb)
        streams = [s for s in discover(SOURCE, config) if s.name in STREAMS]
        catalog = configured_catalog(streams, full_refresh=True)
        (work / "config.json").write_text(json.dumps(config))
        (work / "catalog.json").write_text(json.dumps(catalog))
        read = [
            SOURCE,
            "read",
            "--config",
            str(work / "config.json"),
            "--catalog",
            str(work / "catalog.json"),
        ]

        # warm-up: fills the emulator's caches so every contender sees the same server
        subprocess.run(read, stdout=subprocess.DEVNULL, check=True)

        began = time.monotonic()
        subprocess.run(read, stdout=subprocess.DEVNULL, check=True)
        connector_s = time.monotonic() - began

        # capture the same records once, as envelopes, for the bare producer
        captured = subprocess.run(read, capture_output=True, check=True).stdout.decode().splitlines()
        keys = {s.name: s.primary_key for s in streams}
        messages = []
        for line in captured:
            message = json.loads(line)
            if message["type"] == "RECORD":
                record = message["record"]
                messages.append(
                    (
                        record["stream"],
                        message_key(record["data"], keys[record["stream"]]),
                        envelope(record["stream"], record["data"], record["emitted_at"]),
                    )
                )
        records = len(messages)
        raw_prefix = f"benchraw{uuid.uuid4().hex[:6]}_"
        producer = Producer(
            {
                "bootstrap.servers": kafka.bootstrap_servers,
                "enable.idempotence": True,
                "acks": "all",
                "compression.type": "zstd",
                "linger.ms": 50,
                "batch.size": 1_000_000,
            }
        )
        from confluent_kafka.admin import AdminClient, NewTopic

        admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
        for future in admin.create_topics(
            [NewTopic(raw_prefix + s.name, kafka.partitions, 1) for s in streams]
        ).values():
            future.result(30)
        began = time.monotonic()
        for stream, key, value in messages:
            while True:
                try:
                    producer.produce(raw_prefix + stream, key=key, value=value)
                    break
                except BufferError:
                    producer.poll(0.1)
        producer.flush(120)
        producer_s = time.monotonic() - began

        def ours(with_metrics: bool) -> float:
            ours_kafka = kafka.model_copy(update={"topic_prefix": f"benchrun{uuid.uuid4().hex[:6]}_"})
            with contextlib.ExitStack() as hooks:
                if not with_metrics:  # the runner's Prometheus hooks replaced by no-ops
                    hooks.enter_context(mock.patch.object(extract_metrics, "produced", lambda *a: None))
                    hooks.enter_context(mock.patch.object(extract_metrics, "state_saved", lambda: None))
                    hooks.enter_context(mock.patch.object(extract_metrics, "ConnectorTraffic", _NoTraffic))
                    hooks.enter_context(mock.patch.object(extract_metrics.MALFORMED, "inc", lambda *a: None))
                summary = run_extract(
                    [s.name for s in streams],
                    full_refresh=True,
                    settings=extract,
                    kafka=ours_kafka,
                    tmdb=tmdb,
                )
            assert summary.records == records, (summary.records, records)
            return summary.elapsed_s

        timings: dict[bool, list[float]] = {True: [], False: []}
        for _ in range(args.rounds):  # interleaved, so drift in the machine's load hits both alike
            for with_metrics in (True, False):
                timings[with_metrics].append(ours(with_metrics))
        ours_s, bare_s = statistics.median(timings[True]), statistics.median(timings[False])
        requests = emu.stats()["requests"]

    per_movie = requests / (3 + 2 * args.rounds) / args.movies  # every read of the sync hits the emulator
    print(f"{records:,} records from {args.movies} movies ({per_movie:.2f} HTTP requests per movie)\n")
    print(f"{'':<46}{'records/s':>12}{'seconds':>10}")
    print(f"{'(a) source-tmdb alone -> /dev/null':<46}{records / connector_s:>12,.0f}{connector_s:>10.1f}")
    print(
        f"{'(b) bare producer, same envelopes in memory':<46}{records / producer_s:>12,.0f}{producer_s:>10.1f}"
    )
    print(f"{'ours: extract runner -> Kafka (end to end)':<46}{records / ours_s:>12,.0f}{ours_s:>10.1f}")
    print(f"{'ours without its Prometheus metrics':<46}{records / bare_s:>12,.0f}{bare_s:>10.1f}")
    print(
        f"\nmetrics overhead: {ours_s / bare_s:.3f}x the time without them "
        f"(median of {args.rounds} interleaved runs each; "
        f"with {', '.join(f'{t:.1f}' for t in timings[True])} s, without {', '.join(f'{t:.1f}' for t in timings[False])} s)"
    )
    print(f"{'ours / (a): runner overhead over the source':<46}{connector_s / ours_s:>12.2f}")


if __name__ == "__main__":
    main()
