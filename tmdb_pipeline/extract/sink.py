"""Kafka as the destination: topics per stream, an idempotent acks=all producer, no silent loss."""

from __future__ import annotations

import re
import time

from confluent_kafka import KafkaError, KafkaException, Message, Producer
from confluent_kafka.admin import AdminClient, NewTopic

from tmdb_pipeline.settings import KafkaSettings


class DeliveryError(Exception):
    """Kafka refused or lost a record; the state is not saved past it."""


class BrokerUnreachable(Exception):
    pass


def topic_for(stream: str, prefix: str) -> str:
    """Like Airbyte's destination-kafka: every character outside [A-Za-z0-9_] becomes '_'."""
    return re.sub(r"[^A-Za-z0-9_]", "_", f"{prefix}{stream}")


class KafkaSink:
    def __init__(self, kafka: KafkaSettings, connect_timeout_s: float = 5.0) -> None:
        self.kafka = kafka
        base = {"bootstrap.servers": kafka.bootstrap_servers, "log_level": 3}
        self.admin = AdminClient({**base, "socket.timeout.ms": int(connect_timeout_s * 1000)})
        try:
            self.admin.list_topics(timeout=connect_timeout_s)
        except KafkaException as exc:
            raise BrokerUnreachable(
                f"Kafka is unreachable at {kafka.bootstrap_servers} ({exc.args[0].str()}). Start the local "
                "stack with `tmdb-pipeline stack up` or set KAFKA_BOOTSTRAP_SERVERS. Nothing was extracted "
                "and the saved state is unchanged."
            ) from None
        self.producer = Producer(
            {
                **base,
                "enable.idempotence": True,  # implies acks=all and ordered, de-duplicated retries
                "acks": "all",
                "compression.type": "zstd",
                "linger.ms": 50,
                "batch.size": 1_000_000,
                "queue.buffering.max.kbytes": 512_000,
                "delivery.timeout.ms": 120_000,
            }
        )
        self.delivered = 0
        self.failures: list[str] = []

    def ensure_topics(self, topics: list[str]) -> list[str]:
        """Create the missing topics with the configured partitions, replication and retention."""
        existing = set(self.admin.list_topics(timeout=10).topics)
        missing = [t for t in topics if t not in existing]
        if missing:
            config = {"retention.ms": str(self.kafka.retention_ms)}
            futures = self.admin.create_topics(
                [
                    NewTopic(t, self.kafka.partitions, self.kafka.replication_factor, config=config)
                    for t in missing
                ]
            )
            for future in futures.values():
                try:
                    future.result(timeout=30)
                except KafkaException as exc:
                    if exc.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                        raise
        return missing

    def _on_delivery(self, error: KafkaError | None, message: Message) -> None:
        if error is not None:
            self.failures.append(f"{message.topic()}: {error.str()}")
        else:
            self.delivered += 1

    def produce(self, topic: str, key: bytes | None, value: bytes) -> None:
        while True:
            try:
                self.producer.produce(topic, value=value, key=key, on_delivery=self._on_delivery)
                break
            except BufferError:  # local queue full: let deliveries drain, then retry
                self.producer.poll(0.1)
        self.producer.poll(0)

    def flush(self, timeout_s: float) -> None:
        """Return only when Kafka has acknowledged every record produced so far."""
        deadline = time.monotonic() + timeout_s
        while (remaining := self.producer.flush(1.0)) > 0:
            if time.monotonic() > deadline:
                raise DeliveryError(
                    f"{remaining} records still unacknowledged after {timeout_s:.0f}s "
                    f"(broker {self.kafka.bootstrap_servers}); the state was not saved past them"
                )
        if self.failures:
            raise DeliveryError(
                f"Kafka rejected {len(self.failures)} records, e.g. {self.failures[0]}; "
                "the state was not saved past them"
            )
