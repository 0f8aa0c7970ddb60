"""The Kafka message for one record: Airbyte destination-kafka's envelope, keyed by primary key.

Airbyte's destination writes `{_airbyte_ab_id, _airbyte_stream, _airbyte_emitted_at, _airbyte_data}`
with a random key; we key by the record's primary key so one entity keeps its order in one
partition and compaction keeps its latest version.
"""

from __future__ import annotations

import uuid
from typing import Any

import orjson


def message_key(data: dict[str, Any], primary_key: list[list[str]]) -> bytes | None:
    values = []
    for path in primary_key:
        value: Any = data
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        values.append(value)
    if not values or all(v is None for v in values):
        return None
    if len(values) == 1:
        return str(values[0]).encode()
    return orjson.dumps(values)


def envelope(stream: str, data: dict[str, Any], emitted_at: int) -> bytes:
    return orjson.dumps(
        {
            "_airbyte_ab_id": str(uuid.uuid4()),
            "_airbyte_stream": stream,
            "_airbyte_emitted_at": emitted_at,
            "_airbyte_data": data,
        }
    )
