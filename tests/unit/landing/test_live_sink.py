"""The speed layer's MongoDB sink when the server is gone: it retries, then stops with a message
that names the server (never the URI's credentials) and how to resume."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from spark_streaming.live import QUERIES, LiveSinkError, MongoSink
from tmdb_pipeline.settings import LiveSettings, MongoSettings
from tmdb_pipeline.stack.process import free_port


def test_given_mongodb_unreachable_when_a_batch_is_written_then_it_retries_and_stops_clearly():
    port = free_port()
    mongo = MongoSettings(
        uri=SecretStr(f"mongodb://reader:s3cret@127.0.0.1:{port}/"), server_selection_timeout_ms=200
    )
    sink = MongoSink(mongo, LiveSettings(mongo_attempts=3))
    waits: list[float] = []
    sink.backoff = waits.append  # the backoff, without waiting for it

    with pytest.raises(LiveSinkError) as raised:
        sink.write(QUERIES[0], batch_id=7, docs=[{"_id": "1|2026-12-02T17:00Z", "reviews": 1}])

    message = str(raised.value)
    assert f"127.0.0.1:{port}" in message and "batch 7" in message and "after 3 tries" in message
    assert "tmdb-pipeline live" in message and "s3cret" not in message
    assert waits == [2, 4]  # two retries, backing off
    assert sink.failure is raised.value
