"""Extract metrics: records and bytes per stream, the connector's HTTP traffic, the saved state's time.

Labels are stream names (a dozen) and HTTP status classes: never a movie id or a URL.
"""

from __future__ import annotations

import time

from prometheus_client import CollectorRegistry, Counter, Gauge

from tmdb_pipeline.metrics.runs import run_metrics

REGISTRY = CollectorRegistry(auto_describe=True)
JOB = "tmdb_extract"

RECORDS = Counter("tmdb_extract_records", "Records produced to Kafka", ["stream"], registry=REGISTRY)
BYTES = Counter(
    "tmdb_extract_bytes", "Bytes of record envelopes produced to Kafka", ["stream"], registry=REGISTRY
)
HTTP_REQUESTS = Counter(
    "tmdb_extract_http_requests", "HTTP requests the connector made to TMDB", ["stream"], registry=REGISTRY
)
HTTP_RESPONSES = Counter(
    "tmdb_extract_http_responses",
    "TMDB answers by status class (2xx, 3xx, 4xx, 429, 5xx)",
    ["stream", "status_class"],
    registry=REGISTRY,
)
HTTP_RETRIES = Counter(
    "tmdb_extract_http_retries",
    "Requests the connector retried (429, 5xx, malformed bodies, transport errors)",
    ["stream"],
    registry=REGISTRY,
)
MALFORMED = Counter(
    "tmdb_extract_malformed_lines", "Connector protocol lines that were skipped", registry=REGISTRY
)
RUN = run_metrics("extract", REGISTRY)
STATE_SAVED = Gauge(
    "tmdb_extract_state_saved_timestamp_seconds",
    "When the connector state was last checkpointed (its age: time() minus this)",
    registry=REGISTRY,
)


class ConnectorTraffic:
    """The connector reports cumulative counts per stream in LOG lines; Prometheus wants increments."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, ...], int] = {}

    def _increase(self, key: tuple[str, ...], total: int) -> int:
        delta = total - self.seen.get(key, 0)
        self.seen[key] = total
        return max(delta, 0)

    def requests(self, stream: str, total: int) -> None:
        HTTP_REQUESTS.labels(stream).inc(self._increase(("requests", stream), total))

    def responses(self, stream: str, status_class: str, total: int) -> None:
        HTTP_RESPONSES.labels(stream, status_class).inc(
            self._increase(("status", stream, status_class), total)
        )

    def retries(self, stream: str, total: int) -> None:
        HTTP_RETRIES.labels(stream).inc(self._increase(("retries", stream), total))


_per_stream: dict[str, tuple[Counter, Counter]] = {}


def produced(stream: str, size: int) -> None:
    """Called once per record: the labelled children are looked up once per stream, not per call."""
    children = _per_stream.get(stream)
    if children is None:
        children = _per_stream[stream] = (RECORDS.labels(stream), BYTES.labels(stream))
    children[0].inc()
    children[1].inc(size)


def state_saved() -> None:
    STATE_SAVED.set(time.time())
