"""The Airbyte destination-kafka envelope, parsed and checked with Spark's own JSON functions.

A message is landed when its value is a JSON object carrying `_airbyte_ab_id`, `_airbyte_stream`,
`_airbyte_emitted_at` (epoch ms) and an object `_airbyte_data`; anything else goes to quarantine
with the first reason it failed. A key given twice in one object is read as its last value, as
`from_json` and the staging models read it.

The value is parsed once: `from_json` in strict mode (no single quotes, NaN or Infinity) marks what
it cannot read in a corrupt-record field, and only those rare messages are parsed again, by
`try_parse_json`, to tell invalid JSON from valid JSON of the wrong shape (a second parse of every
message cost a fifth of a landing batch).
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

ENVELOPE_SCHEMA = T.StructType(
    [
        T.StructField("_airbyte_ab_id", T.StringType()),
        T.StructField("_airbyte_stream", T.StringType()),
        T.StructField("_airbyte_emitted_at", T.LongType()),
        # a string field receives the nested object as its JSON text: Bronze keeps it raw
        T.StructField("_airbyte_data", T.StringType()),
    ]
)
CORRUPT_RECORD = "_corrupt_record"
# Spark's JSON reader accepts single quotes and NaN/Infinity by default; a JSON parser does not
STRICT_JSON = {
    "mode": "PERMISSIVE",
    "columnNameOfCorruptRecord": CORRUPT_RECORD,
    "allowSingleQuotes": "false",
    "allowNonNumericNumbers": "false",
}


PARSED_SCHEMA = T.StructType([*ENVELOPE_SCHEMA.fields, T.StructField(CORRUPT_RECORD, T.StringType())])


def parse_envelope(value: Column) -> Column:
    """The envelope's fields, and `_corrupt_record` holding the value where it could not be read."""
    return F.from_json(value, PARSED_SCHEMA, STRICT_JSON)


def _starts_with_brace(column: Column) -> Column:
    return F.substring(F.ltrim(column), 1, 1) == F.lit("{")


def quarantine_reason(value: Column, envelope: Column) -> Column:
    """Null for a good message, otherwise the reason it is set aside; `envelope` is parse_envelope's."""
    unread = envelope.isNull() | envelope[CORRUPT_RECORD].isNotNull()
    return (
        F.when(value.isNull(), F.lit("empty message value"))
        # `&` stops at a readable envelope: only unreadable messages are parsed a second time
        .when(unread & F.try_parse_json(value).isNull(), F.lit("value is not valid JSON"))
        .when(~_starts_with_brace(value), F.lit("value is not a JSON object"))
        .when(envelope["_airbyte_ab_id"].isNull(), F.lit("envelope lacks _airbyte_ab_id"))
        .when(envelope["_airbyte_stream"].isNull(), F.lit("envelope lacks _airbyte_stream"))
        .when(
            envelope["_airbyte_emitted_at"].isNull(),
            F.lit("envelope lacks _airbyte_emitted_at (epoch milliseconds)"),
        )
        .when(envelope["_airbyte_data"].isNull(), F.lit("envelope lacks _airbyte_data"))
        .when(~_starts_with_brace(envelope["_airbyte_data"]), F.lit("_airbyte_data is not a JSON object"))
    )


def table_name_for(stream: Column) -> Column:
    """Stream name -> table name: lower case, anything outside [a-z0-9_] becomes '_'."""
    return F.regexp_replace(F.lower(stream), r"[^a-z0-9_]", "_")
