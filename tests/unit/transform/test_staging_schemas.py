"""Bronze's payloads are defined once, by the connector's JSON schemas (`source_tmdb/schemas/<stream>.json`).

Every field a staging model parses out of `_airbyte_data` (its `from_json` DDL, its `get_json_object`
casts) must exist in its stream's schema, with a Spark type of the same JSON type, nested structs and
arrays included. A renamed, removed or retyped field on either side fails here.

Why a check and not DDL generated from the schemas: a staging model reads a chosen subset of its record
(credits' 13 of 19 fields) with types the data allows (`int` for a billing order, `bigint` for an id), and
that DDL is most useful written in the model, beside the SQL that reads it. Generating it would add a
generated file to keep in step and make dbt parse depend on the connector's package, which the dbt
image does not ship. This test keeps the DDL where it is read and fails as soon as the two disagree.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta
import pytest

ROOT = Path(__file__).resolve().parents[3]
STAGING = ROOT / "dbt_project" / "models" / "staging" / "tmdb"
SCHEMAS = ROOT / "airbyte" / "source-tmdb" / "source_tmdb" / "schemas"

# Spark scalar type -> the JSON Schema type it reads without loss
SPARK_TO_JSON = {
    "string": "string",
    "boolean": "boolean",
    "tinyint": "integer",
    "smallint": "integer",
    "int": "integer",
    "bigint": "integer",
    "float": "number",
    "double": "number",
}
FROM_JSON = re.compile(r"from_json\(\s*_airbyte_data\s*,\s*'([^']*)'\s*\)", re.S)
JSON_PATH_CAST = re.compile(
    r"cast\(\s*get_json_object\(\s*_airbyte_data\s*,\s*'\$\.(\w+)'\s*\)\s+as\s+(\w+)\s*\)"
)


def render(model: Path) -> tuple[str, list[str]]:
    """The model's SQL with Jinja applied, and the Bronze tables it reads through `source()`."""
    sources: list[str] = []

    def source(_name: str, table: str) -> str:
        sources.append(table)
        return f"bronze.{table}"

    environment = jinja2.Environment(extensions=["jinja2.ext.do"])
    text = model.read_text()
    # dbt's functions and our macros (config, version_rank, tmdb_date ...) render as nothing: only
    # the model's literal SQL, with its `{% set %}` blocks expanded, matters here
    called = jinja2.meta.find_undeclared_variables(environment.parse(text))
    context = {name: lambda *args, **kwargs: "" for name in called}
    return environment.from_string(text).render(context, source=source), sources


def split_top_level(text: str) -> list[str]:
    """`a int, b struct<c: int, d: string>` -> its top-level items (commas inside <> stay)."""
    items, depth, current = [], 0, []
    for char in text:
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            items.append("".join(current))
            current = []
        else:
            current.append(char)
    items.append("".join(current))
    return [item.strip() for item in items if item.strip()]


def parse_fields(ddl: str) -> dict[str, str]:
    """Spark DDL (`name type, ...` or a struct body `name: type, ...`) -> {name: type}."""
    fields = {}
    for item in split_top_level(ddl):
        match = re.fullmatch(r"`?(\w+)`?\s*:?\s*(.+)", item, re.S)
        assert match, f"unreadable DDL item {item!r}"
        fields[match.group(1)] = " ".join(match.group(2).split()).lower()
    return fields


def parsed_fields(model: Path) -> tuple[str, dict[str, str]]:
    """(Bronze table, {field: Spark type}) for everything the model parses out of `_airbyte_data`."""
    sql, sources = render(model)
    assert len(sources) == 1, f"{model.name}: a staging model reads one source, found {sources}"
    fields: dict[str, str] = {}
    for ddl in FROM_JSON.findall(sql):
        fields.update(parse_fields(ddl))
    for name, spark_type in JSON_PATH_CAST.findall(sql):
        fields[name] = spark_type.lower()
    return sources[0], fields


def json_types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type", [])
    return ({declared} if isinstance(declared, str) else set(declared)) - {"null"}


def mismatches(spark_type: str, schema: dict[str, Any], path: str) -> list[str]:
    """Where a Spark type disagrees with the JSON Schema it reads, one line per difference."""
    types = json_types(schema)
    for wrapper, json_type in (("array", "array"), ("struct", "object")):
        if spark_type.startswith(f"{wrapper}<"):
            if json_type not in types:
                return [f"{path}: {spark_type} in staging, {sorted(types)} in the connector"]
            inner = spark_type[len(wrapper) + 1 : -1]
            if wrapper == "array":
                return mismatches(inner, schema.get("items", {}), f"{path}[]")
            return fields_mismatches(parse_fields(inner), schema, path)
    expected = SPARK_TO_JSON.get(spark_type)
    if expected is None or expected not in types:
        return [f"{path}: {spark_type} in staging, {sorted(types)} in the connector"]
    return []


def fields_mismatches(fields: dict[str, str], schema: dict[str, Any], path: str) -> list[str]:
    properties = schema.get("properties", {})
    problems = []
    for name, spark_type in fields.items():
        where = f"{path}.{name}" if path else name
        if name not in properties:
            problems.append(f"{where}: parsed by staging, not in the connector schema")
        else:
            problems += mismatches(spark_type, properties[name], where)
    return problems


def connector_schema(stream: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{stream}.json").read_text())


STAGING_MODELS = sorted(STAGING.glob("stg_tmdb__*.sql"))


def test_given_the_staging_folder_then_each_bronze_stream_is_parsed_by_a_model():
    streams = {parsed_fields(model)[0] for model in STAGING_MODELS}

    assert streams == {path.stem for path in SCHEMAS.glob("*.json")}


@pytest.mark.parametrize("model", STAGING_MODELS, ids=lambda path: path.stem)
def test_given_a_staging_model_then_every_field_it_parses_matches_the_connector_schema(model: Path):
    stream, fields = parsed_fields(model)

    assert fields, f"{model.name}: no from_json DDL or get_json_object cast found"
    assert fields_mismatches(fields, connector_schema(stream), "") == []


def test_given_a_connector_schema_change_then_the_check_names_each_difference():
    fields = parse_fields("id bigint, movie_id bigint, author_details struct<rating: double>, `order` int")
    schema = {
        "properties": {
            "id": {"type": "string"},  # retyped
            "film_id": {"type": "integer"},  # movie_id renamed
            "author_details": {"type": ["object", "null"], "properties": {"rating": {"type": "string"}}},
            "order": {"type": ["integer", "null"]},
        }
    }

    assert fields_mismatches(fields, schema, "") == [
        "id: bigint in staging, ['string'] in the connector",
        "movie_id: parsed by staging, not in the connector schema",
        "author_details.rating: double in staging, ['string'] in the connector",
    ]


def test_given_nested_ddl_then_it_parses_to_named_types():
    assert parse_fields("genres array<struct<id: bigint, name: string>>,\n  `order` int") == {
        "genres": "array<struct<id: bigint, name: string>>",
        "order": "int",
    }
