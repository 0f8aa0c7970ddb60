"""Freshness at the API: a popularity jump produced to Kafka, until `GET /movies/{id}/live` shows it,
beside the batch path measured in the same run.

1. Speed layer: `tmdb-pipeline live --continuous` and the API run; each sample produces one movie
   snapshot (a new popularity) and polls the live route every 50 ms until it answers that value
   (`"source": "live"`). p50 / p95 / max over the samples.
2. Batch path, the baseline: the same kind of record through `land --once`, `transform` and
   `sync-serving` (one cycle of `run --continuous`, without its wait for the next interval) until
   `GET /movies/{id}` shows the new popularity.

Everything runs on a private stack (its own Kafka, FerretDB and lakehouse under .local/bench-live/,
own ports), so nothing of the demo's or the tests' data is touched.

Run: .venv/bin/python bench/live.py [--samples 30]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOME = ROOT / ".local" / "bench-live"
os.environ.update(
    {
        "STACK_HOME": str(HOME),
        "KAFKA_PORT": "26092",
        "KAFKA_CONTROLLER_PORT": "26093",
        "MONGO_PORT": "27717",
        "SPARK_LOCAL_IP": "127.0.0.1",
        "HF_HUB_OFFLINE": "1",
        "LIVE_TRIGGER_INTERVAL_S": "1",
        "LANDING_TRIGGER_INTERVAL_S": "1",
    }
)

import httpx  # noqa: E402
from confluent_kafka import Producer  # noqa: E402
from confluent_kafka.admin import AdminClient, NewTopic  # noqa: E402

from tmdb_pipeline.orchestrate.stack import local_stack  # noqa: E402
from tmdb_pipeline.settings import KafkaSettings, load  # noqa: E402
from tmdb_pipeline.testing.api import running_api  # noqa: E402

CLI = str(Path(sys.executable).parent / "tmdb-pipeline")
LOGS = HOME / "logs"
STREAMS = ("movies", "movie_details", "credits", "people", "reviews", "genres", "movie_changes")


def snapshot(movie_id: int, popularity: float) -> bytes:
    data = {
        "id": movie_id,
        "title": f"Bench movie {movie_id}",
        "popularity": popularity,
        "vote_average": 7.0,
        "vote_count": 100,
        "genres": [{"id": 18, "name": "Drama"}],
    }
    return json.dumps(
        {
            "_airbyte_ab_id": str(uuid.uuid4()),
            "_airbyte_stream": "movie_details",
            "_airbyte_emitted_at": int(time.time() * 1000),
            "_airbyte_data": data,
        }
    ).encode()


def produce(producer: Producer, topic: str, movie_id: int, popularity: float) -> float:
    producer.produce(topic, key=str(movie_id).encode(), value=snapshot(movie_id, popularity))
    assert producer.flush(30) == 0
    return time.monotonic()


def wait_for(http: httpx.Client, path: str, popularity: float, source: str | None, timeout_s: float) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        answer = http.get(path)
        if answer.status_code == 200:
            body = answer.json()
            if body.get("popularity") == popularity and (source is None or body.get("source") == source):
                return time.monotonic()
        time.sleep(0.05)
    raise TimeoutError(f"{path} did not show popularity {popularity} within {timeout_s:.0f} s")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def speed_layer(samples: int, topic: str, producer: Producer, http: httpx.Client) -> list[float]:
    env = {**os.environ}
    LOGS.mkdir(parents=True, exist_ok=True)
    with (LOGS / "live.log").open("w") as log:
        job = subprocess.Popen([CLI, "live", "--continuous"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        # warm-up: the job's first batches (JVM, query planning) are not what a reader waits for
        produce(producer, topic, 900_000_000, 1.0)
        wait_for(http, "/movies/900000000/live", 1.0, "live", 300)
        latencies = []
        for number in range(samples):
            movie_id, popularity = 900_000_100 + number, 10.0 + number
            sent = produce(producer, topic, movie_id, popularity)
            latencies.append(wait_for(http, f"/movies/{movie_id}/live", popularity, "live", 120) - sent)
            print(f"  live sample {number + 1}/{samples}: {latencies[-1]:.2f} s", flush=True)
        return latencies
    finally:
        job.terminate()
        job.wait(120)


def batch_path(topic: str, producer: Producer, http: httpx.Client) -> dict[str, float]:
    """One cycle: land, transform, sync, until the Gold route shows the value."""
    movie_id, popularity = 900_000_001, 123.0
    sent = produce(producer, topic, movie_id, popularity)
    stages = {}
    for name, args in (
        ("land", ["land", "--once"]),
        ("transform", ["transform"]),
        ("sync", ["sync-serving"]),
    ):
        began = time.monotonic()
        with (LOGS / f"{name}.log").open("w") as log:
            subprocess.run([CLI, *args], env=os.environ, stdout=log, stderr=subprocess.STDOUT, check=True)
        stages[name] = time.monotonic() - began
    stages["total"] = wait_for(http, f"/movies/{movie_id}", popularity, None, 60) - sent
    return stages


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=30)
    args = parser.parse_args()

    print(f"bench/live.py on {platform.node()}, {os.cpu_count()} CPUs; private stack in {HOME}", flush=True)
    stack = local_stack()
    stack.up()
    try:
        measure(args.samples)
    finally:
        stack.down()  # the private stack only; its data stays under .local/bench-live/


def measure(samples: int) -> None:
    kafka = load(KafkaSettings)
    # every stream's topic, so landing creates every Bronze table the dbt sources name
    admin = AdminClient({"bootstrap.servers": kafka.bootstrap_servers})
    wanted = [f"{kafka.topic_prefix}{stream}" for stream in STREAMS]
    missing = [t for t in wanted if t not in admin.list_topics(timeout=10).topics]
    for future in admin.create_topics([NewTopic(t, num_partitions=1) for t in missing]).values():
        future.result(timeout=30)
    topic = f"{kafka.topic_prefix}movie_details"
    producer = Producer({"bootstrap.servers": kafka.bootstrap_servers, "acks": "all", "linger.ms": 0})
    with running_api({"API_LIVE_MAX_AGE_S": "30", "API_LOG_LEVEL": "warning"}) as api:
        http = httpx.Client(base_url=api.base_url, timeout=10)
        print("speed layer: produce -> GET /movies/{id}/live", flush=True)
        live = speed_layer(samples, topic, producer, http)
        print("batch path (baseline): produce -> land -> transform -> sync -> GET /movies/{id}", flush=True)
        batch = batch_path(topic, producer, http)

    print("\n== freshness at the API (seconds from produce to the answer)")
    print(f"{'path':<34}{'n':>4}{'p50':>9}{'p95':>9}{'max':>9}")
    print(
        f"{'speed layer (live --continuous)':<34}{len(live):>4}{statistics.median(live):>9.2f}"
        f"{percentile(live, 0.95):>9.2f}{max(live):>9.2f}"
    )
    stages = ", ".join(f"{name} {seconds:.1f}" for name, seconds in batch.items() if name != "total")
    print(f"{'batch path (one run cycle)':<34}{1:>4}{batch['total']:>9.2f}{'':>9}{'':>9}  ({stages})")
    print(f"\nbatch / live p50: {batch['total'] / statistics.median(live):.0f}x; aim: live p95 < 10 s")
    result = {
        "live_s": live,
        "batch_s": batch,
        "live_p50_s": statistics.median(live),
        "live_p95_s": percentile(live, 0.95),
    }
    (HOME / "results.json").write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
