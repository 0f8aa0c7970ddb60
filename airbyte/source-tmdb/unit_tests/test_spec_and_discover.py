"""spec and discover, in process."""

from __future__ import annotations

import logging

import jsonschema
from airbyte_cdk.test.entrypoint_wrapper import discover

from source_tmdb import SourceTmdb

STREAMS = {
    "genres": [["id"]],
    "movies": [["id"]],
    "movie_details": [["id"]],
    "credits": [["credit_id"]],
    "reviews": [["id"]],
    "people": [["id"]],
    "movie_changes": [["id"], ["window_start"]],
}


def test_given_the_spec_when_loaded_then_it_is_a_json_schema_whose_credentials_are_secret() -> None:
    spec = SourceTmdb().spec(logging.getLogger("test")).connectionSpecification

    jsonschema.Draft7Validator.check_schema(spec)
    assert spec["required"] == ["credentials"]
    variants = spec["properties"]["credentials"]["oneOf"]
    assert [v["properties"]["auth_type"]["const"] for v in variants] == ["api_key", "read_access_token"]
    for variant in variants:
        # each variant names its secret after its auth_type, and requires it
        field = variant["properties"]["auth_type"]["const"]
        assert variant["properties"][field]["airbyte_secret"] is True
        assert variant["required"] == ["auth_type", field]
    assert not [name for name, prop in spec["properties"].items() if prop.get("airbyte_secret")]
    assert spec["properties"]["people_scope"]["default"] == "principal"
    assert spec["properties"]["requests_per_second"]["default"] == 40
    assert spec["properties"]["requests_per_second"]["minimum"] == 1
    assert spec["properties"]["base_url"]["default"] == "https://api.themoviedb.org/3"
    for name, prop in spec["properties"].items():
        assert prop.get("title") and prop.get("description"), name


def test_given_a_config_when_discover_then_every_stream_has_its_schema_and_primary_key() -> None:
    output = discover(SourceTmdb(), {"credentials": {"auth_type": "api_key", "api_key": "discover-key"}})

    streams = {s.name: s for s in output.catalog.catalog.streams}
    assert {name: s.source_defined_primary_key for name, s in streams.items()} == STREAMS
    for stream in streams.values():
        assert stream.json_schema["properties"]
    assert streams["reviews"].default_cursor_field == ["updated_at"]
    assert streams["movie_details"].default_cursor_field == ["synced_at"]
