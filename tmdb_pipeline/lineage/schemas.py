"""The connector's JSON schemas as DataHub schemas: the TMDB record, and the Kafka envelope around it.

DataHub's own JSON-schema translator makes the field paths (v2, the form the kafka source writes
for JSON-schema topics). The record's `title` would become the record type in every path, so the
stream name replaces it and the human title moves to the description.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from datahub.ingestion.extractor.json_schema_util import JsonSchemaTranslator
from datahub.metadata.schema_classes import (
    KafkaSchemaClass,
    OtherSchemaClass,
    SchemaFieldClass,
    SchemaMetadataClass,
)

from tmdb_pipeline.lineage.names import KAFKA, TMDB, platform_urn
from tmdb_pipeline.lineage.streams import StreamSchema

ENVELOPE_TITLE = "destination_kafka_envelope"


@dataclass(frozen=True)
class Column:
    """A top-level field, for people reading the HTML page."""

    name: str
    type: str
    description: str = ""
    is_key: bool = False


def record_schema(stream: StreamSchema) -> dict[str, Any]:
    schema = copy.deepcopy(stream.json_schema)
    schema.pop("$schema", None)
    schema["description"] = schema.pop("title", None) or stream.name
    schema["title"] = stream.name
    return schema


def envelope_schema(stream: StreamSchema) -> dict[str, Any]:
    """Airbyte destination-kafka's message value with the stream's record inside `_airbyte_data`."""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": ENVELOPE_TITLE,
        "description": f"Airbyte destination-kafka envelope of one `{stream.name}` record",
        "type": "object",
        "required": ["_airbyte_ab_id", "_airbyte_stream", "_airbyte_emitted_at", "_airbyte_data"],
        "properties": {
            "_airbyte_ab_id": {"type": "string", "description": "record id (uuid) written by the producer"},
            "_airbyte_stream": {"type": "string", "description": "Airbyte stream name"},
            "_airbyte_emitted_at": {"type": "integer", "description": "emission time, epoch milliseconds"},
            "_airbyte_data": record_schema(stream),
        },
    }


def schema_fields(schema: dict[str, Any], key_fields: Sequence[str] = ()) -> list[SchemaFieldClass]:
    fields = list(JsonSchemaTranslator.get_fields_from_schema(schema, swallow_exceptions=False))
    for field in fields:
        # v2 paths end in the field's own path: `...[type=integer].id`
        simple = field.fieldPath.rsplit("].", 1)[-1]
        field.isPartOfKey = simple in key_fields and field.fieldPath.count("[type=") == 2
    return fields


def tmdb_schema_metadata(stream: StreamSchema) -> SchemaMetadataClass:
    schema = record_schema(stream)
    return SchemaMetadataClass(
        schemaName=stream.name,
        platform=platform_urn(TMDB),
        version=0,
        hash="",
        platformSchema=OtherSchemaClass(rawSchema=json.dumps(stream.json_schema, sort_keys=True)),
        fields=schema_fields(schema, stream.key_fields),
        primaryKeys=stream.key_fields or None,
    )


def kafka_schema_metadata(stream: StreamSchema, topic: str) -> SchemaMetadataClass:
    envelope = envelope_schema(stream)
    key = " + ".join(stream.key_fields) or "none declared"
    return SchemaMetadataClass(
        schemaName=topic,
        platform=platform_urn(KAFKA),
        version=0,
        hash="",
        platformSchema=KafkaSchemaClass(
            documentSchema=json.dumps(envelope, sort_keys=True),
            documentSchemaType="JSON",
            keySchema=json.dumps({"type": "string", "description": f"the record's primary key ({key})"}),
            keySchemaType="JSON",
        ),
        fields=schema_fields(envelope),
    )


def _type_name(spec: dict[str, Any]) -> str:
    kind = spec.get("type", "any")
    kinds = [k for k in (kind if isinstance(kind, list) else [kind]) if k != "null"]
    name = "|".join(kinds) or "null"
    if name == "array" and isinstance(spec.get("items"), dict):
        name = f"array<{_type_name(spec['items'])}>"
    if spec.get("format"):
        name += f"({spec['format']})"
    return name


def columns(schema: dict[str, Any], key_fields: Sequence[str] = (), prefix: str = "") -> tuple[Column, ...]:
    """Top-level fields, with nested objects' fields flattened as `parent.child`."""
    found: list[Column] = []
    for name, spec in (schema.get("properties") or {}).items():
        if not isinstance(spec, dict):
            continue
        path = f"{prefix}{name}"
        found.append(Column(path, _type_name(spec), str(spec.get("description") or ""), path in key_fields))
        if spec.get("properties"):
            found.extend(columns(spec, key_fields, prefix=f"{path}."))
    return tuple(found)
