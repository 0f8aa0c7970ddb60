"""The envelope check in local Spark: one strict parse per message gives the reasons a full JSON parse
of every message (`try_parse_json`) gave, except that a key given twice now reads as its last value."""

from __future__ import annotations

import json

import pytest
from pyspark.sql import functions as F

from spark_streaming.envelope import parse_envelope, quarantine_reason

pytestmark = pytest.mark.integration

INVALID = "value is not valid JSON"


def envelope(data: str = '{"id": 1}', **fields: str) -> str:
    """An envelope's JSON text with `data` (and any field given) spliced in as written."""
    parts = {
        "_airbyte_ab_id": '"a1"',
        "_airbyte_stream": '"movies"',
        "_airbyte_emitted_at": "1700000000000",
        "_airbyte_data": data,
    } | fields
    return "{" + ", ".join(f'"{key}": {text}' for key, text in parts.items()) + "}"


# (message value, the reason it is quarantined for, or None when it lands)
CASES: list[tuple[str | None, str | None]] = [
    (envelope(), None),
    (" " + envelope() + "\n", None),
    (envelope('{"title": "caf\\u00e9", "n": -0, "x": 1.0E+2, "big": 123456789012345678901234567890}'), None),
    (envelope('{"nested": {"a": [1, {"b": null}]}, "ok": true}'), None),
    (envelope(_airbyte_ab_id="7"), None),  # a number read as its text, as before
    (envelope('{"x": 1e999}'), None),  # JSON's grammar sets no bound on numbers
    (None, "empty message value"),
    ("", INVALID),
    ("this is not json", INVALID),
    (envelope()[:-6], INVALID),  # cut short
    ("{'_airbyte_ab_id': 'a1'}", INVALID),  # single quotes
    (envelope('{"rating": NaN}'), INVALID),
    (envelope('{"rating": Infinity}'), INVALID),
    (envelope('{"rating": 07}'), INVALID),  # a leading zero
    (envelope('{"a": 1,}'), INVALID),  # a trailing comma
    (envelope("{a: 1}"), INVALID),  # an unquoted name
    (envelope('{"title": "tab\there"}'), INVALID),  # an unescaped control character
    ('{"a": ' * 1200 + "1" + "}" * 1200, INVALID),  # nested deeper than JSON parsers allow
    ("[1, 2, 3]", "value is not a JSON object"),
    (f"[{envelope()}]", "value is not a JSON object"),
    ('"text"', "value is not a JSON object"),
    ("42", "value is not a JSON object"),
    ("null", "value is not a JSON object"),
    (json.dumps({"id": 5, "title": "no envelope"}), "envelope lacks _airbyte_ab_id"),
    (envelope(_airbyte_stream="null"), "envelope lacks _airbyte_stream"),
    (envelope(_airbyte_emitted_at='"soon"'), "envelope lacks _airbyte_emitted_at (epoch milliseconds)"),
    (envelope(_airbyte_emitted_at="1.5"), "envelope lacks _airbyte_emitted_at (epoch milliseconds)"),
    (envelope("null"), "envelope lacks _airbyte_data"),
    (envelope("[1, 2]"), "_airbyte_data is not a JSON object"),
    (envelope('"text"'), "_airbyte_data is not a JSON object"),
]
TWICE = envelope('{"id": 1, "id": 2}')  # valid JSON's grammar; a variant (try_parse_json) refuses it


def reasons(spark, values: list[str | None]) -> list[tuple[str | None, str | None, bool]]:
    frame = spark.createDataFrame([(i, v) for i, v in enumerate(values)], "i int, value string")
    parsed = frame.withColumn("envelope", parse_envelope(F.col("value")))
    rows = parsed.select(
        "i",
        quarantine_reason(F.col("value"), F.col("envelope")).alias("error"),
        F.col("envelope._airbyte_data").alias("data"),
        F.try_parse_json("value").isNull().alias("unparsable"),
    ).collect()
    return [(row.error, row.data, row.unparsable) for row in sorted(rows, key=lambda row: row.i)]


def test_given_messages_of_every_shape_when_checked_then_each_gets_its_reason(spark):
    got = reasons(spark, [value for value, _ in CASES])
    assert [error for error, _, _ in got] == [reason for _, reason in CASES]
    # "not valid JSON" exactly where Spark's full JSON parser fails too (the check used before)
    for (value, reason), (_, _, unparsable) in zip(CASES, got, strict=True):
        if value is not None:
            assert (reason == INVALID) == unparsable, value


def test_given_a_key_twice_when_checked_then_the_message_lands_with_its_last_value(spark):
    [(error, data, unparsable)] = reasons(spark, [TWICE])
    assert error is None
    assert json.loads(data) == {"id": 2}
    assert unparsable  # what the check before this one quarantined as invalid JSON
