"""Metrics never fail a stage: a taken port or a dead Pushgateway is one warning naming the setting."""

from __future__ import annotations

import logging
import socket

from prometheus_client import CollectorRegistry, Counter

from tmdb_pipeline.metrics.export import push, serve
from tmdb_pipeline.metrics.settings import MetricsSettings
from tmdb_pipeline.stack.process import free_port


def test_given_a_taken_port_when_serving_then_one_warning_names_the_setting(caplog):
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with caplog.at_level(logging.WARNING, "tmdb_pipeline.metrics"):
            served = serve([CollectorRegistry()], port, "METRICS_LANDING_PORT", host="127.0.0.1")
    assert served is False
    assert [r.getMessage() for r in caplog.records if "METRICS_LANDING_PORT" in r.getMessage()]
    assert len(caplog.records) == 1


def test_given_an_unreachable_pushgateway_when_pushing_then_a_warning_without_credentials(caplog):
    registry = CollectorRegistry()
    Counter("tmdb_test_things", "things", registry=registry).inc()
    url = f"http://user:s3cret@127.0.0.1:{free_port()}"
    with caplog.at_level(logging.WARNING, "tmdb_pipeline.metrics"):
        pushed = push("tmdb_test", registry, MetricsSettings(pushgateway_url=url, push_timeout_s=2))
    assert pushed is False
    (record,) = caplog.records
    assert "METRICS_PUSHGATEWAY_URL" in record.getMessage()
    assert "s3cret" not in record.getMessage() and "user" not in record.getMessage()


def test_given_no_pushgateway_when_pushing_then_nothing_happens(caplog):
    with caplog.at_level(logging.WARNING):
        assert (
            push("tmdb_test", CollectorRegistry(), MetricsSettings(pushgateway_url="", stack=False)) is False
        )
    assert not caplog.records
