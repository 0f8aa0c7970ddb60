"""Bronze landing against real Kafka, Spark and Iceberg: exactly once, quarantine, new fields."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spark_streaming.job import run_landing
from tmdb_pipeline.stack.catalog import get_catalog

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "tmdb_pipeline.cli"]


def bronze_rows(namespace: str, table: str, columns: tuple[str, ...]) -> list[dict]:
    scan = get_catalog().load_table(f"{namespace}.{table}").scan(selected_fields=columns)
    return scan.to_arrow().to_pylist()


def landed_coordinates(namespace: str, tables: list[str]) -> list[tuple[str, int, int]]:
    out = []
    for table in tables:
        for row in bronze_rows(namespace, table, ("kafka_topic", "kafka_partition", "kafka_offset")):
            out.append((row["kafka_topic"], row["kafka_partition"], row["kafka_offset"]))
    return out


def test_given_records_in_three_topics_when_landing_once_then_each_table_holds_exactly_its_topic(
    spark, topics
):
    topics.create("movies", "credits", "reviews")
    topics.produce_records("movies", range(300))
    topics.produce_records("credits", range(1000, 1500))
    topics.produce_records("reviews", range(50))

    run = run_landing(spark, continuous=False, settings=topics.settings())

    assert run.totals() == {
        f"{topics.namespace}.movies": 300,
        f"{topics.namespace}.credits": 500,
        f"{topics.namespace}.reviews": 50,
    }
    movies = bronze_rows(topics.namespace, "movies", ("_airbyte_data", "kafka_key", "_airbyte_stream"))
    assert sorted(json.loads(r["_airbyte_data"])["id"] for r in movies) == list(range(300))
    assert {r["_airbyte_stream"] for r in movies} == {"movies"}
    assert all(r["kafka_key"] == str(json.loads(r["_airbyte_data"])["id"]) for r in movies)
    credits = bronze_rows(topics.namespace, "credits", ("_airbyte_data",))
    assert sorted(json.loads(r["_airbyte_data"])["id"] for r in credits) == list(range(1000, 1500))

    # a second run finds nothing new and lands nothing twice
    again = run_landing(spark, continuous=False, settings=topics.settings())
    assert sum(again.totals().values()) == 0
    coordinates = landed_coordinates(topics.namespace, ["movies", "credits", "reviews"])
    assert len(coordinates) == len(set(coordinates)) == 850
    assert set(coordinates) == topics.kafka_coordinates("movies", "credits", "reviews")


def test_given_malformed_messages_when_landing_then_they_are_quarantined_with_offsets_and_reasons(
    spark, topics
):
    topics.create("movies", partitions=1)
    topics.produce_records("movies", range(3))
    bad = [
        (b"k1", b"this is not json"),
        (b"k2", b'{"_airbyte_ab_id": "x", "_airbyte_stream": "movies", "_airbyte_emitted_at": 1, '),
        (b"k3", json.dumps({"id": 5, "title": "no envelope"}).encode()),
        (b"k4", b"\xff\xfe\x00garbage"),
        (b"k5", None),
        (b"k6", b"[1, 2, 3]"),
    ]
    topics.produce("movies", bad)
    topics.produce_records("movies", range(3, 6))

    run_landing(spark, continuous=False, settings=topics.settings())

    quarantined = bronze_rows(
        topics.namespace, "quarantine", ("kafka_key", "kafka_offset", "error", "value_bytes")
    )
    by_key = {row["kafka_key"]: row for row in quarantined}
    assert sorted(by_key) == ["k1", "k2", "k3", "k4", "k5", "k6"]
    assert [by_key[k]["kafka_offset"] for k in ["k1", "k2", "k3", "k4", "k5", "k6"]] == [3, 4, 5, 6, 7, 8]
    assert by_key["k1"]["error"] == "value is not valid JSON"
    assert by_key["k2"]["error"] == "value is not valid JSON"
    assert by_key["k3"]["error"] == "envelope lacks _airbyte_ab_id"
    assert by_key["k5"]["error"] == "empty message value"
    assert by_key["k6"]["error"] == "value is not a JSON object"
    assert by_key["k4"]["value_bytes"] == b"\xff\xfe\x00garbage"  # the exact bytes are kept
    good = bronze_rows(topics.namespace, "movies", ("kafka_offset",))
    assert sorted(r["kafka_offset"] for r in good) == [0, 1, 2, 9, 10, 11]


def test_given_a_new_field_in_source_records_when_landing_then_it_is_kept_in_the_raw_json(spark, topics):
    topics.create("movies", partitions=1)
    topics.produce_records("movies", range(2))
    run_landing(spark, continuous=False, settings=topics.settings())
    topics.produce_records("movies", range(2, 4), box_office_rank=7)

    run = run_landing(spark, continuous=False, settings=topics.settings())

    assert run.totals() == {f"{topics.namespace}.movies": 2}
    rows = [
        json.loads(r["_airbyte_data"]) for r in bronze_rows(topics.namespace, "movies", ("_airbyte_data",))
    ]
    assert sorted((r["id"], r.get("box_office_rank")) for r in rows) == [(0, None), (1, None), (2, 7), (3, 7)]


def test_given_a_job_killed_with_sigkill_mid_batch_when_restarted_then_bronze_equals_kafka_exactly(topics):
    streams = ["movies", "credits", "reviews"]
    topics.create(*streams)
    for number, stream in enumerate(streams):
        topics.produce_records(stream, range(number * 10_000, number * 10_000 + 2000))
    env = {**os.environ, **topics.env(max_offsets_per_trigger=1500)}

    # SIGKILL right after the 5th table commit: batch 1 has committed some of its tables, not all
    crashed = subprocess.run(
        [*CLI, "land", "--once"],
        cwd=ROOT,
        env={**env, "LANDING_FAULT_KILL_AFTER_COMMITS": "5"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    partial = landed_coordinates(topics.namespace, streams)
    assert 0 < len(partial) < 6000

    finished = subprocess.run(
        [*CLI, "land", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr

    coordinates = landed_coordinates(topics.namespace, streams)
    assert len(coordinates) == len(set(coordinates)), "a record was landed twice"
    assert set(coordinates) == topics.kafka_coordinates(*streams)
    metrics = [json.loads(line) for line in (topics.workdir / "metrics.jsonl").read_text().splitlines()]
    assert any(m["skipped_tables"] for m in metrics), "the replayed batch should have skipped tables"


def test_given_continuous_mode_when_records_arrive_then_they_land_within_a_bounded_time(topics):
    topics.create("movies", partitions=1)
    topics.produce_records("movies", range(10))
    env = {**os.environ, **topics.env(trigger_interval_s=1.0)}
    job = subprocess.Popen(
        [*CLI, "land", "--continuous"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while _count(topics, "movies") != 10:
            assert time.monotonic() < deadline, "the first records never landed"
            assert job.poll() is None, job.stdout.read()
            time.sleep(0.5)

        produced_at = time.monotonic()
        topics.produce_records("movies", range(10, 60))
        while _count(topics, "movies") < 60:
            assert time.monotonic() - produced_at < 30, "records produced while running did not land in 30s"
            time.sleep(0.25)
    finally:
        job.send_signal(signal.SIGTERM)
        output, _ = job.communicate(timeout=60)
    assert job.returncode == 0, output
    assert "batches" in output  # the summary printed after a clean stop
    assert _count(topics, "movies") == 60


def _count(topics, table: str) -> int:
    try:
        return len(bronze_rows(topics.namespace, table, ("kafka_offset",)))
    except Exception:  # the table does not exist before the first batch
        return 0


def test_given_the_shortest_retention_when_maintaining_then_the_newest_batch_stays_replay_safe(spark, topics):
    from datetime import timedelta

    from spark_streaming.commit import already_committed
    from spark_streaming.maintenance import maintain
    from tmdb_pipeline.settings import IcebergSettings, StackSettings, load

    topics.create("movies", partitions=1)
    topics.produce_records("movies", range(150))
    settings = topics.settings(max_offsets_per_trigger=50)
    run = run_landing(spark, continuous=False, settings=settings)
    table, checkpoint = (
        f"{topics.namespace}.movies",
        settings.checkpoint(load(IcebergSettings), load(StackSettings)),
    )
    first, last = run.batches[0].batch_id, run.batches[-1].batch_id
    assert last > first and already_committed(spark, table, checkpoint, first)

    maintain(spark, settings, older_than=timedelta(0), retain_last=1)

    # the older batches' snapshots are expired; the newest batch's is kept for a replay to find
    assert not already_committed(spark, table, checkpoint, first)
    assert already_committed(spark, table, checkpoint, last)
    # the job dies after the newest batch's table commit, before the checkpoint's: Spark replays it
    commits = Path(checkpoint.removeprefix("file://")) / "commits"
    for name in (str(last), f".{last}.crc"):
        (commits / name).unlink(missing_ok=True)
    replay = run_landing(spark, continuous=False, settings=settings)
    assert [b.skipped_tables for b in replay.batches] == [[table]]
    landed = landed_coordinates(topics.namespace, ["movies"])
    assert len(landed) == len(set(landed)) == 150


def test_given_many_small_batches_when_maintaining_then_files_are_compacted_and_rows_unchanged(spark, topics):
    from spark_streaming.maintenance import maintain

    topics.create("movies", partitions=1)
    topics.produce_records("movies", range(400))
    settings = topics.settings(max_offsets_per_trigger=50)
    run_landing(spark, continuous=False, settings=settings)
    before = sorted(landed_coordinates(topics.namespace, ["movies"]))
    files_before = spark.sql(f"select count(*) c from {topics.namespace}.movies.files").collect()[0].c

    report = maintain(spark, settings, retain_last=5)

    figures = report.tables[f"{topics.namespace}.movies"]
    assert figures["data_files_rewritten"] == files_before >= 8
    assert spark.sql(f"select count(*) c from {topics.namespace}.movies.files").collect()[0].c < files_before
    assert sorted(landed_coordinates(topics.namespace, ["movies"])) == before
    # landing goes on exactly once after maintenance
    topics.produce_records("movies", range(400, 450))
    run_landing(spark, continuous=False, settings=settings)
    after = landed_coordinates(topics.namespace, ["movies"])
    assert len(after) == len(set(after)) == 450
