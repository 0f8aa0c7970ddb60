"""The speed layer as an opt-in stack service (LIVE_STACK=true): `tmdb-pipeline live --continuous`
as a detached process, its pid and log under `<stack home>/live/`, its checkpoint the job's own
(LIVE_CHECKPOINT_DIR, default `<stack home>/checkpoints/live`), so `stack down` then `live --once`
resumes where the service stopped.

It opens no port: it is healthy while the job's heartbeat (`live_status.job.heartbeat_at`, written
every few seconds by the running job, the one the API trusts) is recent and newer than this process.
`python -m tmdb_pipeline.stack.live` is the same check for deploy/'s probes: exit 0 on a recent beat.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import time
from datetime import UTC, datetime, timedelta

from pymongo import MongoClient
from pymongo.errors import PyMongoError

from tmdb_pipeline.settings import LiveSettings, MongoSettings, SparkSettings, StackSettings, load
from tmdb_pipeline.stack.process import LocalService, pid_alive
from tmdb_pipeline.stack.spark import spark_jars

# the job beats every 5 s (spark_streaming.live.HEARTBEAT_EVERY_S); a few missed beats mean stuck
HEARTBEAT_MAX_AGE = timedelta(seconds=30)


def last_heartbeat(mongo: MongoSettings) -> datetime | None:
    """When the speed layer last said it was running; None when it never did or MongoDB is down."""
    try:
        with MongoClient(
            mongo.uri.get_secret_value(),
            serverSelectionTimeoutMS=mongo.server_selection_timeout_ms,
            tz_aware=True,
        ) as client:
            status = client[mongo.database]["live_status"].find_one({"_id": "job"})
    except PyMongoError:
        return None
    beat = status.get("heartbeat_at") if status else None
    return beat.astimezone(UTC) if isinstance(beat, datetime) else None


def beats_recently(beat: datetime | None, since: datetime | None = None) -> bool:
    return (
        beat is not None
        and (since is None or beat >= since)
        and datetime.now(UTC) - beat <= HEARTBEAT_MAX_AGE
    )


class LiveService(LocalService):
    name = "live"

    def __init__(
        self, stack: StackSettings, settings: LiveSettings, mongo: MongoSettings, spark: SparkSettings
    ) -> None:
        # a Spark driver and three streaming queries start slower than the stack's other services
        super().__init__(
            stack.model_copy(update={"start_timeout_s": max(stack.start_timeout_s, settings.start_timeout_s)})
        )
        self.settings = settings
        self.mongo = mongo
        self.spark = spark

    @property
    def ports(self) -> list[int]:
        return []

    @property
    def address(self) -> str:
        return f"MongoDB {self.mongo.database}.live_*"

    @property
    def checkpoint(self) -> str:
        return self.settings.checkpoint(self.stack)

    def install(self) -> None:
        """The Kafka source's jars, shared with landing; the job itself is part of the package."""
        spark_jars(self.stack, self.spark)

    def command(self) -> list[str]:
        return [sys.executable, "-m", "tmdb_pipeline.cli", "live", "--continuous"]

    def environment(self) -> dict[str, str]:
        # the job reads its settings from the environment: pass the ones this object holds
        return super().environment() | {
            "STACK_HOME": str(self.stack.home),
            "LIVE_CHECKPOINT_DIR": self.checkpoint,
            "MONGO_DATABASE": self.mongo.database,
        }

    def last_heartbeat(self) -> datetime | None:
        return last_heartbeat(self.mongo)

    def healthy(self) -> bool:
        """A recent heartbeat written after this process started: a stale one from an earlier run, or
        one the job stopped writing, is not health."""
        try:
            started = datetime.fromtimestamp(self.pid_file.stat().st_mtime, UTC)
        except OSError:
            return False
        return beats_recently(self.last_heartbeat(), since=started)

    def version(self) -> str:
        beat = self.last_heartbeat()
        age = f", heartbeat {(datetime.now(UTC) - beat).total_seconds():.0f}s ago" if beat else ""
        return f"Spark Structured Streaming, Kafka -> live_*{age}; checkpoint {self.checkpoint}"

    def stop(self, timeout: float = 60.0) -> bool:
        """SIGTERM to the job alone first: it stops its queries between batches and closes Spark
        (SIGTERM to the whole group would reach the JVM before the job could); then the base's stop."""
        pid = self.pid()
        if pid is None:
            return super().stop()
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        super().stop(timeout=10.0)  # still running: the group, SIGTERM then SIGKILL
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # a JVM left behind by its exited parent
        self.pid_file.unlink(missing_ok=True)
        return True


if __name__ == "__main__":  # deploy/'s liveness probe: the running job beat within HEARTBEAT_MAX_AGE
    beat = last_heartbeat(load(MongoSettings))
    if not beats_recently(beat):
        sys.exit(f"no speed-layer heartbeat within {HEARTBEAT_MAX_AGE.total_seconds():.0f}s (last: {beat})")
