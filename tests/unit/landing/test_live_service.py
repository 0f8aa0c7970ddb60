"""The speed layer as a stack service (LIVE_STACK): opt-in, its settings handed to the job, health from
its own recent heartbeat (it opens no port)."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta

import pytest

from tmdb_pipeline.settings import LiveSettings, MongoSettings, SparkSettings, StackSettings
from tmdb_pipeline.stack.live import HEARTBEAT_MAX_AGE, LiveService


def test_given_live_stack_off_then_the_stack_has_no_live_service(stack_service_names):
    assert "live" not in stack_service_names(LIVE_STACK="false")


def test_given_live_stack_on_then_the_job_starts_after_kafka_and_mongodb(stack_service_names):
    order = stack_service_names(LIVE_STACK="true")
    assert order.count("live") == 1
    assert order.index("live") > max(order.index("kafka"), order.index("mongodb"))


@pytest.fixture
def service(tmp_path) -> LiveService:
    stack = StackSettings(home=tmp_path / "home", start_timeout_s=10)
    return LiveService(stack, LiveSettings(), MongoSettings(database="films"), SparkSettings())


def test_given_the_service_then_it_runs_the_continuous_job_with_its_files_under_the_stack_home(
    service, tmp_path
):
    assert service.command()[-3:] == ["tmdb_pipeline.cli", "live", "--continuous"]
    assert service.pid_file.parent == tmp_path / "home" / "live"
    assert service.log_file.is_relative_to(tmp_path / "home" / "live")
    env = service.environment()
    assert env["STACK_HOME"] == str(tmp_path / "home")
    assert env["MONGO_DATABASE"] == "films"
    # the job's own checkpoint, the one `tmdb-pipeline live` resumes from after the service stops
    assert env["LIVE_CHECKPOINT_DIR"] == (tmp_path / "home" / "checkpoints" / "live").as_uri()
    assert service.ports == [] and service.busy_ports() == []
    # Spark's start needs longer than the stack's default wait
    assert service.stack.start_timeout_s == LiveSettings().start_timeout_s > 10


def started_now(service: LiveService) -> None:
    service.pid_file.parent.mkdir(parents=True)
    service.pid_file.write_text(str(os.getpid()))
    past = time.time() - 120  # the process started two minutes ago
    os.utime(service.pid_file, (past, past))


@pytest.mark.parametrize(
    ("beat_age", "healthy"),
    [
        (timedelta(seconds=3), True),
        (HEARTBEAT_MAX_AGE + timedelta(seconds=5), False),  # the job stopped beating
        (timedelta(minutes=5), False),  # an earlier run's beat, older than this process
        (None, False),  # never beat: still starting, or MongoDB unreachable
    ],
)
def test_given_the_jobs_heartbeat_then_health_needs_a_recent_one_from_this_process(
    service, monkeypatch, beat_age, healthy
):
    started_now(service)
    beat = None if beat_age is None else datetime.now(UTC) - beat_age
    monkeypatch.setattr(service, "last_heartbeat", lambda: beat)

    assert service.healthy() is healthy


def test_given_no_pid_file_then_the_service_is_not_healthy_whatever_mongodb_says(service, monkeypatch):
    monkeypatch.setattr(service, "last_heartbeat", lambda: datetime.now(UTC))

    assert service.healthy() is False
    assert service.status().running is False
