"""Kafka topics filled with Airbyte destination-kafka envelopes, isolated per test by a topic prefix."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest
from confluent_kafka import Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from tmdb_pipeline.settings import KafkaSettings, LandingSettings, load


def envelope(stream: str, data: dict, emitted_at: datetime | None = None) -> bytes:
    """One record as Airbyte's Kafka destination writes it, emitted now unless told when."""
    emitted_ms = int((emitted_at.timestamp() if emitted_at else time.time()) * 1000)
    return json.dumps(
        {
            "_airbyte_ab_id": str(uuid.uuid4()),
            "_airbyte_stream": stream,
            "_airbyte_emitted_at": emitted_ms,
            "_airbyte_data": data,
        }
    ).encode()


@dataclass
class Topics:
    """One test's topics (`<prefix><stream>`), its Bronze namespace and its checkpoint."""

    prefix: str
    namespace: str
    workdir: Path

    @property
    def bootstrap(self) -> str:
        return load(KafkaSettings).bootstrap_servers

    def settings(self, **overrides: object) -> LandingSettings:
        values = {
            "topic_pattern": f"{self.prefix}.*",
            "namespace": self.namespace,
            "checkpoint_dir": str(self.workdir / "checkpoint"),
            "metrics_file": self.workdir / "metrics.jsonl",
            "trigger_interval_s": 1.0,
            **overrides,
        }
        return LandingSettings(**values)

    def env(self, **overrides: object) -> dict[str, str]:
        """The same settings as environment variables, for the CLI in a subprocess."""
        out = {}
        for key, value in self.settings(**overrides).model_dump(exclude_none=True).items():
            out[f"LANDING_{key.upper()}"] = str(value)
        return out

    def create(self, *streams: str, partitions: int = 2) -> None:
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        new = [NewTopic(self.prefix + s, num_partitions=partitions, replication_factor=1) for s in streams]
        for future in admin.create_topics(new).values():
            future.result(timeout=30)

    def produce(self, stream: str, values: Iterable[tuple[bytes | None, bytes | None]]) -> int:
        producer = Producer({"bootstrap.servers": self.bootstrap, "acks": "all", "linger.ms": 5})
        sent = 0
        for key, value in values:
            producer.produce(self.prefix + stream, key=key, value=value)
            sent += 1
            if sent % 10_000 == 0:
                producer.flush()
        assert producer.flush(60) == 0
        return sent

    def produce_records(self, stream: str, ids: Iterable[int], **extra: object) -> int:
        return self.produce(stream, ((str(i).encode(), envelope(stream, {"id": i, **extra})) for i in ids))

    def kafka_coordinates(self, *streams: str) -> set[tuple[str, int, int]]:
        """Every (topic, partition, offset) Kafka holds for these streams."""
        admin = AdminClient({"bootstrap.servers": self.bootstrap})
        from confluent_kafka import Consumer

        consumer = Consumer({"bootstrap.servers": self.bootstrap, "group.id": "offsets-probe"})
        out: set[tuple[str, int, int]] = set()
        try:
            metadata = admin.list_topics(timeout=10)
            for stream in streams:
                topic = self.prefix + stream
                for partition in metadata.topics[topic].partitions:
                    low, high = consumer.get_watermark_offsets(TopicPartition(topic, partition), timeout=10)
                    out |= {(topic, partition, offset) for offset in range(low, high)}
        finally:
            consumer.close()
        return out


@pytest.fixture
def topics(local_stack, tmp_path) -> Topics:
    tag = uuid.uuid4().hex[:8]
    return Topics(prefix=f"t{tag}_", namespace=f"bronze_{tag}", workdir=tmp_path)
