"""The speed layer as a stack service (LIVE_STACK=true): `stack up` starts the job through the stack
code, a produced record reaches its live_* document within seconds, and the service stops cleanly."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pymongo import MongoClient

from tests.integration.landing.conftest import envelope
from tmdb_pipeline.settings import MongoSettings, StackSettings, load
from tmdb_pipeline.stack.process import pid_alive

pytestmark = pytest.mark.integration


def wait_for(find, timeout_s: float):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if found := find():
            return found
        time.sleep(0.5)
    return find()


def test_given_live_stack_when_the_stack_is_up_then_a_produced_review_reaches_live_and_the_job_stops_cleanly(
    topics, tmp_path, monkeypatch
):
    from tmdb_pipeline.orchestrate.stack import local_stack

    topics.create("reviews", "movie_details")
    database = f"live_svc_{uuid.uuid4().hex[:8]}"
    checkpoint = tmp_path / "checkpoint"
    with monkeypatch.context() as env:
        for key, value in {
            "LIVE_STACK": "true",
            "KAFKA_TOPIC_PREFIX": topics.prefix,
            "MONGO_DATABASE": database,
            "LIVE_CHECKPOINT_DIR": checkpoint.as_uri(),
            "LIVE_TRIGGER_INTERVAL_S": "1",
        }.items():
            env.setenv(key, value)
        load.cache_clear()  # settings are read once per process; this test changes them
        stack = local_stack()
        live = next(service for service in stack.services if service.name == "live")
        live.stop()  # a service left by an interrupted run would not read this test's settings
        log_start = live.log_file.stat().st_size if live.log_file.exists() else 0
        try:
            report = stack.up()
            assert report.started == ["live"], report  # everything else is the session's, reused
            status = next(item for item in stack.status() if item.name == "live")
            assert status.healthy and status.pid == live.pid(), status
            assert live.pid_file.parent == load(StackSettings).home / "live"

            now = datetime.now(UTC).replace(microsecond=0)
            record = {"id": "svc-1", "movie_id": 42, "created_at": now.isoformat()}
            produced = time.monotonic()
            topics.produce("reviews", [(b"svc-1", envelope("reviews", record, now))])
            reviews = MongoClient(load(MongoSettings).uri.get_secret_value())[database]["live_movie_reviews"]
            key = f"42|{now.replace(minute=0, second=0):%Y-%m-%dT%H:%M}Z"
            document = wait_for(lambda: reviews.find_one({"_id": key}), timeout_s=60)
            latency = time.monotonic() - produced
            assert document is not None, live.tail_log(40)
            assert document["reviews"] == 1 and document["movie_id"] == 42
            assert latency < 30, f"{latency:.1f}s from produce to live_movie_reviews"
            assert (checkpoint / "reviews" / "commits").is_dir()  # its own checkpoint, as configured

            pid = live.pid()
            assert pid is not None
            # a second job on the service's checkpoint is refused, naming the service and the way out
            second = subprocess.run(
                [str(Path(sys.executable).parent / "tmdb-pipeline"), "live", "--once"],
                capture_output=True, text=True, timeout=300, check=False,
            )  # fmt: skip
            assert second.returncode == 1, second.stdout[-2000:] + second.stderr[-2000:]
            assert f"Another live job (pid {pid}) is running on the checkpoint {checkpoint}" in second.stderr
            assert "tmdb-pipeline stack down" in second.stderr
            assert live.stop() is True
        finally:
            live.stop()
    load.cache_clear()

    assert not pid_alive(pid) and live.pid() is None and not live.pid_file.exists()
    assert live.status().running is False
    # SIGTERM let the job stop its queries and print its summary, rather than die mid-batch
    this_run = live.log_file.read_bytes()[log_start:].decode(errors="replace")
    assert "done in" in this_run, this_run[-3000:]
