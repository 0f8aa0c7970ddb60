"""The extract runner against real Kafka and the TMDB emulator, with the real source-tmdb subprocess."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from confluent_kafka import Consumer, TopicPartition

from tmdb_pipeline.extract.runner import ExtractFailed, run_extract
from tmdb_pipeline.extract.sink import BrokerUnreachable
from tmdb_pipeline.settings import ExtractSettings, KafkaSettings, TmdbSettings, load
from tmdb_pipeline.stack.process import free_port
from tmdb_pipeline.testing.emulator import running_emulator

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
SOURCE = str(Path(sys.executable).parent / "source-tmdb")
STREAMS = ["genres", "movies", "movie_details", "credits", "reviews"]
PRIMARY_KEY = {"genres": "id", "movies": "id", "movie_details": "id", "credits": "credit_id", "reviews": "id"}


def read_topic(topic: str) -> list[dict]:
    """Every message of a topic: key, parsed value."""
    bootstrap = load(KafkaSettings).bootstrap_servers
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": f"probe-{uuid.uuid4()}"})
    try:
        partitions = consumer.list_topics(topic, timeout=10).topics[topic].partitions
        ends = {p: consumer.get_watermark_offsets(TopicPartition(topic, p), timeout=10) for p in partitions}
        consumer.assign([TopicPartition(topic, p, low) for p, (low, _) in ends.items()])
        remaining = sum(high - low for low, high in ends.values())
        out = []
        deadline = time.monotonic() + 60
        while remaining and time.monotonic() < deadline:
            message = consumer.poll(1.0)
            if message is None or message.error():
                continue
            out.append(
                {"key": message.key(), "value": json.loads(message.value()), "partition": message.partition()}
            )
            remaining -= 1
        return out
    finally:
        consumer.close()


def connector_records(config: dict, streams: list[str]) -> dict[str, list[dict]]:
    """What source-tmdb emits for this config when run on its own (full refresh, no state)."""
    catalog = {
        "streams": [
            {
                "stream": {"name": s, "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                "sync_mode": "full_refresh",
                "destination_sync_mode": "append",
            }
            for s in streams
        ]
    }
    folder = Path(os.environ.get("TMPDIR", "/tmp")) / f"conn-{uuid.uuid4().hex[:8]}"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(config))
    (folder / "catalog.json").write_text(json.dumps(catalog))
    result = subprocess.run(
        [SOURCE, "read", "--config", str(folder / "config.json"), "--catalog", str(folder / "catalog.json")],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    out: dict[str, list[dict]] = {s: [] for s in streams}
    for line in result.stdout.splitlines():
        message = json.loads(line)
        if message["type"] == "RECORD":
            out[message["record"]["stream"]].append(message["record"]["data"])
    return out


@pytest.fixture
def emulator():
    with running_emulator(movies=300, seed=11, api_key="extract-test-key") as emu:
        yield emu


@pytest.fixture
def isolated(local_stack, tmp_path):
    """Own topic prefix and state file per test."""
    prefix = f"x{uuid.uuid4().hex[:8]}_"
    return {
        "kafka": load(KafkaSettings).model_copy(update={"topic_prefix": prefix}),
        "extract": ExtractSettings(
            max_movies=40, max_pages=2, seed_lists=["popular"], state_file=tmp_path / "state.json"
        ),
        "prefix": prefix,
        "tmp": tmp_path,
    }


def tmdb_for(emu) -> TmdbSettings:
    return TmdbSettings(api_key=emu.api_key, base_url=emu.base_url)


def test_given_the_emulator_when_extracting_then_each_topic_holds_exactly_the_connector_records(
    emulator, isolated
):
    summary = run_extract(
        STREAMS, settings=isolated["extract"], kafka=isolated["kafka"], tmdb=tmdb_for(emulator)
    )

    config = {
        "api_key": emulator.api_key,
        "base_url": emulator.base_url,
        "max_movies": 40,
        "max_pages": 2,
        "seed_lists": ["popular"],
    }
    expected = connector_records(config, STREAMS)
    for stream in STREAMS:
        messages = read_topic(f"{isolated['prefix']}{stream}")
        key = PRIMARY_KEY[stream]
        assert summary.streams[stream].records == len(expected[stream]) == len(messages), stream
        assert sorted(m["value"]["_airbyte_data"][key] for m in messages) == sorted(
            r[key] for r in expected[stream]
        )
        for message in messages:
            value = message["value"]
            assert set(value) == {"_airbyte_ab_id", "_airbyte_stream", "_airbyte_emitted_at", "_airbyte_data"}
            assert value["_airbyte_stream"] == stream
            assert uuid.UUID(value["_airbyte_ab_id"]).version == 4
            assert isinstance(value["_airbyte_emitted_at"], int) and value["_airbyte_emitted_at"] > 1.6e12
            assert message["key"] == str(value["_airbyte_data"][key]).encode()
    assert len(expected["credits"]) > len(expected["movie_details"]) > 0
    saved = json.loads(isolated["extract"].state_file.read_text())
    assert {s["stream"]["stream_descriptor"]["name"] for s in saved if s["type"] == "STREAM"} >= {
        "movie_details"
    }


def test_given_an_unreachable_broker_when_extracting_then_it_fails_fast_naming_it(isolated, emulator):
    dead = load(KafkaSettings).model_copy(update={"bootstrap_servers": "127.0.0.1:1"})
    began = time.monotonic()
    with pytest.raises(BrokerUnreachable, match=r"127\.0\.0\.1:1\b"):
        run_extract(STREAMS, settings=isolated["extract"], kafka=dead, tmdb=tmdb_for(emulator))
    assert time.monotonic() - began < 15
    assert not isolated["extract"].state_file.exists()


def test_given_the_tmdb_api_down_when_extracting_then_the_connectors_check_fails_fast_naming_it(isolated):
    dead = free_port()
    tmdb = TmdbSettings(api_key="unused-key", base_url=f"http://127.0.0.1:{dead}/3")
    began = time.monotonic()
    with pytest.raises(
        ExtractFailed, match=rf"check` failed: Could not reach TMDB at http://127\.0\.0\.1:{dead}/3"
    ):
        run_extract(STREAMS, settings=isolated["extract"], kafka=isolated["kafka"], tmdb=tmdb)
    # the read alone would back off for up to 10 minutes per request before giving up
    assert time.monotonic() - began < 60
    assert not isolated["extract"].state_file.exists()


def test_given_mutations_when_extracting_again_then_only_changed_movies_are_produced(emulator, isolated):
    streams = ["movie_details", "reviews"]
    first = run_extract(
        streams, settings=isolated["extract"], kafka=isolated["kafka"], tmdb=tmdb_for(emulator)
    )
    first_ids = {m["value"]["_airbyte_data"]["id"] for m in read_topic(f"{isolated['prefix']}movie_details")}
    assert first.streams["movie_details"].records == len(first_ids) > 0

    changed = set(emulator.mutate(40)["movie_ids"])
    second_started_ms = int(time.time() * 1000)
    second = run_extract(
        streams, settings=isolated["extract"], kafka=isolated["kafka"], tmdb=tmdb_for(emulator)
    )

    details = read_topic(f"{isolated['prefix']}movie_details")
    assert len(details) == first.streams["movie_details"].records + second.streams["movie_details"].records
    again = [
        m["value"]["_airbyte_data"]["id"]
        for m in details
        if m["value"]["_airbyte_emitted_at"] >= second_started_ms
    ]
    assert len(again) == second.streams["movie_details"].records > 0
    assert set(again) <= changed, "an unchanged movie was extracted again"
    assert set(again) >= changed & first_ids, "a changed movie we hold was not extracted again"


def _canonical(document: dict) -> str:
    return json.dumps(document, sort_keys=True)


def test_given_a_run_killed_with_sigkill_when_rerun_then_nothing_is_lost_and_state_never_leads_kafka(
    emulator, isolated
):
    streams = ["movie_details", "credits", "reviews"]
    tap = isolated["tmp"] / "protocol.jsonl"
    env = {
        **os.environ,
        "TMDB_API_KEY": emulator.api_key,
        "TMDB_BASE_URL": emulator.base_url,
        "KAFKA_TOPIC_PREFIX": isolated["prefix"],
        "EXTRACT_STATE_FILE": str(isolated["extract"].state_file),
        "EXTRACT_PROTOCOL_TAP": str(tap),
        "EXTRACT_MAX_MOVIES": "80",
        "EXTRACT_MAX_PAGES": "4",
        "EXTRACT_SEED_LISTS": "popular",
        "EXTRACT_REQUESTS_PER_SECOND": "12",  # slow enough to be killed half-way
    }
    command = [sys.executable, "-m", "tmdb_pipeline.cli", "extract", "--json", "-s", ",".join(streams)]
    job = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (tap.exists() and tap.read_text().count('"type":"STATE"') >= 4):
        assert job.poll() is None, "the extract ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.1)
    os.killpg(job.pid, signal.SIGKILL)  # the runner and the connector, mid-run
    job.wait(30)

    saved = {_canonical(s) for s in json.loads(isolated["extract"].state_file.read_text())}
    lines = [json.loads(line) for line in tap.read_text().splitlines() if line.strip()]
    in_kafka = {
        stream: {
            m["value"]["_airbyte_data"][PRIMARY_KEY[stream]] for m in read_topic(isolated["prefix"] + stream)
        }
        for stream in streams
    }
    # every record the connector emitted before the last saved state is in Kafka
    last_saved_at = max(
        i for i, m in enumerate(lines) if m["type"] == "STATE" and _canonical(m["state"]) in saved
    )
    before = [m["record"] for m in lines[:last_saved_at] if m["type"] == "RECORD"]
    assert before, "no record was checkpointed before the kill"
    missing = [(r["stream"], r["data"][PRIMARY_KEY[r["stream"]]]) for r in before]
    missing = [(s, i) for s, i in missing if i not in in_kafka[s]]
    assert missing == [], "the saved state is ahead of Kafka"
    emitted = sum(1 for m in lines if m["type"] == "RECORD")

    resumed = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr[-2000:]

    config = {
        "api_key": emulator.api_key,
        "base_url": emulator.base_url,
        "max_movies": 80,
        "max_pages": 4,
        "seed_lists": ["popular"],
    }
    complete = connector_records(config, streams)
    for stream in streams:
        ids = {
            m["value"]["_airbyte_data"][PRIMARY_KEY[stream]] for m in read_topic(isolated["prefix"] + stream)
        }
        expected = {r[PRIMARY_KEY[stream]] for r in complete[stream]}
        assert expected <= ids, f"{stream}: {len(expected - ids)} records lost"
    assert emitted < sum(len(v) for v in complete.values()), "the kill came after the end of the run"


def test_given_a_malformed_protocol_line_when_extracting_then_it_is_counted_and_the_run_goes_on(
    emulator, isolated
):
    # the real connector behind a pipe that slips one broken line into its output
    wrapper = isolated["tmp"] / "noisy-source"
    wrapper.write_text(f"#!/bin/sh\n'{SOURCE}' \"$@\" | awk 'NR==3 {{ print \"{{not json\" }} {{ print }}'\n")
    wrapper.chmod(0o755)
    settings = isolated["extract"].model_copy(update={"connector_command": str(wrapper)})

    summary = run_extract(
        ["genres", "movies"], settings=settings, kafka=isolated["kafka"], tmdb=tmdb_for(emulator)
    )

    assert summary.malformed_lines == 1
    assert summary.streams["genres"].records == len(read_topic(f"{isolated['prefix']}genres")) == 19
    assert summary.streams["movies"].records == len(read_topic(f"{isolated['prefix']}movies")) == 40


def test_given_a_wrong_api_key_when_extracting_then_the_connector_message_is_shown_without_the_key(
    emulator, isolated
):
    wrong = TmdbSettings(api_key="not-the-right-key-0123456789", base_url=emulator.base_url)
    with pytest.raises(ExtractFailed) as failed:
        run_extract(["movies"], settings=isolated["extract"], kafka=isolated["kafka"], tmdb=wrong)

    message = str(failed.value)
    assert "key" in message.lower()
    assert "not-the-right-key-0123456789" not in message
    assert not isolated["extract"].state_file.exists()
