"""Prometheus metrics: requests and latencies by route, and MongoDB command timings.

Each app owns its registry (two apps in one process, as in tests, do not collide). With several
uvicorn workers each worker exposes its own numbers; scrape them per pod or run one worker.
"""

from __future__ import annotations

import time

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from pymongo import monitoring

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
MONGO_BUCKETS = (0.0002, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0)
# command names we label individually; anything else is "other" (bounded label cardinality)
MONGO_COMMANDS = frozenset(
    {"find", "aggregate", "count", "getMore", "ping", "hello", "isMaster", "listIndexes", "endSessions"}
)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "tmdb_api_requests",
            "HTTP requests answered, by route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "tmdb_api_request_duration_seconds",
            "HTTP request latency, by route template",
            ["method", "route"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.in_progress = Gauge(
            "tmdb_api_requests_in_progress", "HTTP requests being answered", registry=self.registry
        )
        self.mongo = Histogram(
            "tmdb_api_mongo_command_duration_seconds",
            "MongoDB command round trips, by command and outcome",
            ["command", "outcome"],
            buckets=MONGO_BUCKETS,
            registry=self.registry,
        )
        self.mongo_listener = MongoCommandTimer(self.mongo)


class MongoCommandTimer(monitoring.CommandListener):
    """PyMongo calls these synchronously on the event loop thread: keep them cheap."""

    def __init__(self, histogram: Histogram) -> None:
        self.histogram = histogram

    def _label(self, name: str) -> str:
        return name if name in MONGO_COMMANDS else "other"

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        pass

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        self.histogram.labels(self._label(event.command_name), "ok").observe(event.duration_micros / 1e6)

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        self.histogram.labels(self._label(event.command_name), "error").observe(event.duration_micros / 1e6)


class MetricsMiddleware(ASGIMiddleware):
    """Times every routed HTTP request; the label is the route template, never the raw path."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        route = scope.get("path_template") or "unmatched"
        method = scope.get("method", "GET")
        status = 500  # what an exception escaping the stack amounts to

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        began = time.perf_counter()
        self.metrics.in_progress.inc()
        try:
            await next_app(scope, receive, send_wrapper)
        finally:
            self.metrics.in_progress.dec()
            self.metrics.latency.labels(method, route).observe(time.perf_counter() - began)
            self.metrics.requests.labels(method, route, str(status)).inc()
