"""One streaming job per checkpoint: a second is refused with the holder's pid and what to do; the
lock dies with its process, however it ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from spark_streaming.checkpoint_lock import CheckpointInUse, checkpoint_lock, local_path

HOLD = """
import sys, time
from spark_streaming.checkpoint_lock import checkpoint_lock
with checkpoint_lock(sys.argv[1], "live", "free it"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_given_a_held_checkpoint_when_a_second_job_starts_then_it_is_refused_naming_the_holder(
    tmp_path: Path,
):
    checkpoint = (tmp_path / "checkpoints" / "live").as_uri()
    with (
        checkpoint_lock(checkpoint, "live", "Stop the other job."),
        pytest.raises(CheckpointInUse) as refused,
        checkpoint_lock(checkpoint, "live", "Stop the other job."),
    ):
        pass
    message = str(refused.value)
    assert f"pid {os.getpid()}" in message
    assert str(tmp_path / "checkpoints" / "live") in message
    assert message.endswith("Stop the other job.")
    # released on exit: the next job gets it
    with checkpoint_lock(checkpoint, "live", ""):
        pass


def test_given_the_holder_killed_with_sigkill_then_the_checkpoint_is_free(tmp_path: Path):
    checkpoint = str(tmp_path / "live")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, checkpoint], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(CheckpointInUse, match=f"pid {holder.pid}"),
            checkpoint_lock(checkpoint, "live", ""),
        ):
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    deadline = time.monotonic() + 5
    with checkpoint_lock(checkpoint, "live", ""):
        assert time.monotonic() < deadline


@pytest.mark.parametrize(
    ("checkpoint", "expected"),
    [("file:///data/ck/live", Path("/data/ck/live")), ("/data/ck", Path("/data/ck")), ("s3a://b/ck", None)],
)
def test_given_a_checkpoint_uri_then_only_local_ones_are_locked(checkpoint: str, expected: Path | None):
    assert local_path(checkpoint) == expected


def test_given_a_held_checkpoint_when_the_live_command_starts_then_it_stops_before_spark(tmp_path: Path):
    checkpoint = str(tmp_path / "live")
    holder = subprocess.Popen([sys.executable, "-c", HOLD, checkpoint], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        cli = Path(sys.executable).with_name("tmdb-pipeline")
        env = {**os.environ, "LIVE_CHECKPOINT_DIR": checkpoint, "COLUMNS": "200", "NO_COLOR": "1"}
        done = subprocess.run(
            [str(cli), "live", "--once"], env=env, capture_output=True, text=True, timeout=120
        )
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait()
    assert done.returncode == 1
    assert "Live aggregates not started" in done.stderr and f"pid {holder.pid}" in done.stderr
    # refused before Spark started: the line printed once Spark is up never came
    assert "Live aggregates Kafka -> MongoDB" not in done.stdout
