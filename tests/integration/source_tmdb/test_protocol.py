"""spec, check and discover through the real console script."""

from __future__ import annotations

import time

import jsonschema
import pytest

pytestmark = pytest.mark.integration


def test_given_the_console_script_when_spec_then_it_prints_a_valid_json_schema_with_secret_credentials(
    connector, tmp_path
):
    output = connector.run("spec", tmp_path)

    assert output.returncode == 0
    spec = output.of_type("SPEC")[0]["spec"]["connectionSpecification"]
    jsonschema.Draft7Validator.check_schema(spec)
    api_key, token = spec["properties"]["credentials"]["oneOf"]
    assert api_key["properties"]["api_key"]["airbyte_secret"] is True
    assert token["properties"]["read_access_token"]["airbyte_secret"] is True
    assert spec["properties"]["requests_per_second"] == {
        **spec["properties"]["requests_per_second"],
        "default": 40,
        "minimum": 1,
    }


def test_given_the_emulator_key_when_check_then_succeeded(connector, emulator, tmp_path):
    output = connector.run("check", tmp_path, config=connector.config_for(emulator))

    assert output.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"


def test_given_a_read_access_token_when_check_then_succeeded(connector, emulator, tmp_path):
    config = connector.config_for(emulator, read_access_token=emulator.read_access_token)

    output = connector.run("check", tmp_path, config=config)

    assert output.of_type("CONNECTION_STATUS")[0]["connectionStatus"]["status"] == "SUCCEEDED"


def test_given_a_bad_key_when_check_then_failed_with_advice_and_the_key_nowhere(
    connector, emulator, tmp_path
):
    bad_key = "bad-key-3f9a1c77"

    output = connector.run("check", tmp_path, config=connector.config_for(emulator, api_key=bad_key))

    status = output.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED"
    assert "Check the API key" in status["message"]
    assert bad_key not in output.raw and bad_key not in output.stderr


def test_given_an_unreachable_host_when_check_then_failed_quickly_naming_the_host(connector, tmp_path):
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = {"api_key": "any-key-0000", "base_url": f"http://127.0.0.1:{port}/3"}

    started = time.monotonic()
    output = connector.run("check", tmp_path, config=config)

    status = output.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
    assert status["status"] == "FAILED"
    assert f"127.0.0.1:{port}" in status["message"] and "reach" in status["message"]
    assert time.monotonic() - started < 30


def test_given_a_config_when_discover_then_every_stream_has_a_schema_and_a_primary_key(
    connector, emulator, tmp_path
):
    output = connector.run("discover", tmp_path, config=connector.config_for(emulator))

    streams = {s["name"]: s for s in output.of_type("CATALOG")[0]["catalog"]["streams"]}
    assert set(streams) == set(connector.streams)
    for name, stream in streams.items():
        jsonschema.Draft7Validator.check_schema(stream["json_schema"])
        assert stream["json_schema"]["properties"], name
        assert stream["source_defined_primary_key"], name
    assert streams["credits"]["source_defined_primary_key"] == [["credit_id"]]
    for name in ("movie_details", "credits", "reviews", "people", "movie_changes"):
        assert "incremental" in streams[name]["supported_sync_modes"], name
    assert streams["reviews"]["default_cursor_field"] == ["updated_at"]
