"""One extract: source-tmdb read -> Kafka, with the state checkpointed only after the producer's flush.

Ordering guarantee: a STATE message is saved only when every RECORD before it is acknowledged by
Kafka (idempotent producer, acks=all). A crash at any point leaves the saved state at or behind what
Kafka holds, so a rerun re-reads at most the records after the last checkpoint (at least once;
Silver deduplicates by primary key).
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from tmdb_pipeline.extract import connector
from tmdb_pipeline.extract.envelope import envelope, message_key
from tmdb_pipeline.extract.sink import KafkaSink, topic_for
from tmdb_pipeline.extract.state import StateStore
from tmdb_pipeline.metrics import extract as metrics
from tmdb_pipeline.settings import (
    ConfigError,
    ExtractSettings,
    KafkaSettings,
    StackSettings,
    TmdbSettings,
    load,
)

log = logging.getLogger("tmdb_pipeline.extract")
LOG_LEVELS = {
    "FATAL": logging.CRITICAL,
    "ERROR": logging.ERROR,
    "WARN": logging.WARNING,
    "INFO": logging.INFO,
}
# the connector reports its HTTP requests per stream in a LOG line: "http_requests stream=<s> count=<n>"
REQUESTS_LINE = re.compile(r"http_requests stream=(\S+) count=(\d+)")
# ... and its answers by status class and its retries, for the metrics
RESPONSES_LINE = re.compile(r"http_responses stream=(\S+) status_class=(\w+) count=(\d+)")
RETRIES_LINE = re.compile(r"http_retries stream=(\S+) count=(\d+)")


@dataclass
class StreamProgress:
    name: str
    topic: str
    records: int = 0
    checkpoints: int = 0
    requests: int = 0


@dataclass
class ExtractSummary:
    streams: dict[str, StreamProgress] = field(default_factory=dict)
    malformed_lines: int = 0
    warnings: int = 0
    topics_created: list[str] = field(default_factory=list)
    state_file: str = ""
    started: float = field(default_factory=time.monotonic)
    elapsed_s: float = 0.0
    error: str | None = None

    @property
    def records(self) -> int:
        return sum(s.records for s in self.streams.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "records": self.records,
            "elapsed_s": round(self.elapsed_s, 2),
            "records_per_s": round(self.records / self.elapsed_s, 1) if self.elapsed_s else 0.0,
            "malformed_lines": self.malformed_lines,
            "warnings": self.warnings,
            "topics_created": self.topics_created,
            "state_file": self.state_file,
            "error": self.error,
            "streams": {
                name: {
                    "topic": s.topic,
                    "records": s.records,
                    "checkpoints": s.checkpoints,
                    "requests": s.requests,
                }
                for name, s in self.streams.items()
            },
        }


class ExtractFailed(Exception):
    def __init__(self, message: str, summary: ExtractSummary) -> None:
        super().__init__(message)
        self.summary = summary


def _redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text


def run_extract(
    streams: list[str] | None = None,
    full_refresh: bool = False,
    on_update: Callable[[ExtractSummary], None] | None = None,
    settings: ExtractSettings | None = None,
    kafka: KafkaSettings | None = None,
    tmdb: TmdbSettings | None = None,
) -> ExtractSummary:
    extract = settings or load(ExtractSettings)
    kafka, stack = kafka or load(KafkaSettings), load(StackSettings)
    summary = ExtractSummary()
    traffic = metrics.ConnectorTraffic()
    sink = KafkaSink(kafka)  # fails within seconds, naming the bootstrap, when Kafka is down

    executable = connector.connector_executable(extract)
    config = connector.connector_config(extract, tmdb)
    secrets = connector.config_secrets(config)
    try:  # as the platform does before a sync: a dead API or a bad key fails in seconds, not after backoff
        connector.check(executable, config)
    except connector.ConnectorError as exc:
        summary.error = _redact(str(exc), secrets)
        raise ExtractFailed(summary.error, summary) from None
    available = connector.discover(executable, config)
    wanted = streams or extract.streams
    unknown = sorted(set(wanted) - {s.name for s in available})
    if unknown:
        raise ConfigError(
            f"Unknown stream(s) {', '.join(unknown)}; the connector offers "
            f"{', '.join(s.name for s in available)}."
        )
    selected = [s for s in available if not wanted or s.name in wanted]
    primary_keys = {s.name: s.primary_key for s in selected}
    for stream in selected:
        summary.streams[stream.name] = StreamProgress(stream.name, topic_for(stream.name, kafka.topic_prefix))
    summary.topics_created = sink.ensure_topics([p.topic for p in summary.streams.values()])

    store = StateStore(extract.state_path(stack))
    summary.state_file = str(store.path)
    saved = [] if full_refresh else store.load()
    catalog = connector.configured_catalog(selected, full_refresh)
    errors: list[str] = []
    last_update = 0.0

    def checkpoint(state: dict[str, Any]) -> None:
        sink.flush(extract.delivery_timeout_s)  # every record before this state is in Kafka
        store.update(state)
        store.save()
        metrics.state_saved()
        if state.get("type") == "STREAM":
            progress = summary.streams.get(state["stream"]["stream_descriptor"]["name"])
            if progress:
                progress.checkpoints += 1

    tap = extract.protocol_tap.open("a") if extract.protocol_tap else None
    try:
        for line in connector.read(executable, config, catalog, saved):
            if tap:  # written before the line is acted on: a crash never hides a line we used
                tap.write(_redact(line, secrets))
                tap.flush()
            try:
                message = orjson.loads(line)
                kind = message["type"]
            except (orjson.JSONDecodeError, KeyError, TypeError):
                summary.malformed_lines += 1
                metrics.MALFORMED.inc()
                log.warning("malformed protocol line skipped: %.200s", _redact(line, secrets))
                continue
            if kind == "RECORD":
                record = message["record"]
                name = record["stream"]
                progress = summary.streams.get(name)
                if progress is None:  # a stream we did not select: the connector misbehaves
                    summary.malformed_lines += 1
                    continue
                data = record["data"]
                value = envelope(name, data, record["emitted_at"])
                sink.produce(progress.topic, message_key(data, primary_keys[name]), value)
                progress.records += 1
                metrics.produced(name, len(value))
            elif kind == "STATE":
                checkpoint(message["state"])
            elif kind == "LOG":
                text = _redact(message["log"].get("message", ""), secrets)
                if found := REQUESTS_LINE.search(text):
                    if found.group(1) in summary.streams:
                        summary.streams[found.group(1)].requests = int(found.group(2))
                    traffic.requests(found.group(1), int(found.group(2)))
                    continue
                if found := RESPONSES_LINE.search(text):
                    traffic.responses(found.group(1), found.group(2), int(found.group(3)))
                    continue
                if found := RETRIES_LINE.search(text):
                    traffic.retries(found.group(1), int(found.group(2)))
                    continue
                level = LOG_LEVELS.get(message["log"].get("level", "INFO"), logging.DEBUG)
                summary.warnings += level >= logging.WARNING
                log.log(level, "source-tmdb: %s", text)
            elif kind == "TRACE" and message["trace"].get("type") == "ERROR":
                error = message["trace"]["error"]
                errors.append(_redact(error.get("message") or error.get("internal_message") or "", secrets))
                log.error("source-tmdb error: %s", errors[-1])
            now = time.monotonic()
            if on_update and now - last_update > 0.25:
                summary.elapsed_s = now - summary.started
                on_update(summary)
                last_update = now
        sink.flush(extract.delivery_timeout_s)
        if errors:
            raise connector.ConnectorError(errors[0])
    except connector.ConnectorError as exc:
        sink.producer.flush(10)  # records already sent stay in Kafka; the state stays at the last checkpoint
        summary.error = errors[0] if errors else _redact(str(exc), secrets)
        summary.elapsed_s = time.monotonic() - summary.started
        raise ExtractFailed(summary.error, summary) from None
    finally:
        if tap:
            tap.close()
    summary.elapsed_s = time.monotonic() - summary.started
    if on_update:
        on_update(summary)
    return summary


def state_path() -> Path:
    return load(ExtractSettings).state_path(load(StackSettings))
