"""check, and what a bad key does to check and read (the key's value never shows)."""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path
from typing import Any
from unittest import TestCase

from airbyte_cdk.models import FailureType, OrchestratorType, Status, SyncMode, Type
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, _run_command, make_file, read
from airbyte_cdk.test.mock_http import HttpMocker

from source_tmdb import SourceTmdb
from unit_tests.integration.config import API_KEY, ConfigBuilder
from unit_tests.integration.request_builder import TmdbRequestBuilder
from unit_tests.integration.response_builder import invalid_api_key, json_response, template

BAD_KEY = "definitely-not-a-valid-key-8c1d"


def check(config: dict[str, Any]) -> EntrypointOutput:
    """entrypoint_wrapper has no check helper; this runs the same entrypoint the console script runs."""
    with tempfile.TemporaryDirectory() as tmp:
        path = make_file(Path(tmp) / "config.json", config)
        return _run_command(SourceTmdb(), ["check", "--config", path])


def _everything(output: EntrypointOutput) -> str:
    return "\n".join(str(m) for m in output._messages)


class RawRecords(logging.Handler):
    """Every log record as a plain formatter renders it (message, traceback), bypassing Airbyte's filter."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def __enter__(self) -> RawRecords:
        logging.getLogger().addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        logging.getLogger().removeHandler(self)


class TestCheck(TestCase):
    @HttpMocker()
    def test_given_a_valid_key_when_check_then_succeeded(self, http_mocker: HttpMocker) -> None:
        http_mocker.get(TmdbRequestBuilder.genres().build(), json_response(template("genres")))

        output = check(ConfigBuilder().build())

        assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED

    @HttpMocker()
    def test_given_a_bad_key_when_check_then_failed_with_advice_and_without_the_key(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.genres().with_api_key(BAD_KEY).build(), invalid_api_key())

        with RawRecords() as raw:
            output = check(ConfigBuilder().with_api_key(BAD_KEY).build())

        status = output.connection_status_messages[-1].connectionStatus
        assert status.status == Status.FAILED
        assert "Check the API key" in status.message and "TMDB_API_KEY" in status.message
        assert "status_code 7" in status.message
        assert BAD_KEY not in _everything(output)
        assert raw.lines and not [line for line in raw.lines if BAD_KEY in line]

    def test_given_no_credentials_when_check_then_failed_naming_the_credentials_setting(self) -> None:
        output = check(ConfigBuilder().without_credentials().build())

        status = output.connection_status_messages[-1].connectionStatus
        assert status.status == Status.FAILED
        assert "credentials" in status.message


class TestFlatConfigMigration(TestCase):
    """0.1.x configs (api_key / read_access_token at the top level) still work, rewritten to the oneOf."""

    @HttpMocker()
    def test_given_a_flat_api_key_when_check_then_succeeded_and_the_migrated_config_is_announced(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.genres().build(), json_response(template("genres")))
        flat = ConfigBuilder().with_flat_credentials(api_key=API_KEY).build()

        output = check(flat)

        assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED
        migrated = _announced_configs(output)
        assert len(migrated) == 1
        assert migrated[0]["credentials"] == {"auth_type": "api_key", "api_key": API_KEY}
        assert migrated[0] == {**{k: v for k, v in flat.items() if k != "api_key"}, **migrated[0]}
        assert "api_key" not in migrated[0]

    @HttpMocker()
    def test_given_flat_key_and_token_when_check_then_the_key_is_kept_as_before(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.genres().build(), json_response(template("genres")))

        output = check(
            ConfigBuilder().with_flat_credentials(api_key=API_KEY, read_access_token="tok-1").build()
        )

        assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED
        assert _announced_configs(output)[0]["credentials"] == {"auth_type": "api_key", "api_key": API_KEY}

    @HttpMocker()
    def test_given_a_flat_read_access_token_when_check_then_it_becomes_the_token_variant(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            TmdbRequestBuilder.genres().with_api_key(None).build(), json_response(template("genres"))
        )

        output = check(ConfigBuilder().with_flat_credentials(read_access_token="token-456").build())

        assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED
        assert _announced_configs(output)[0]["credentials"] == {
            "auth_type": "read_access_token",
            "read_access_token": "token-456",
        }

    @HttpMocker()
    def test_given_a_current_config_when_check_then_no_config_is_announced(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(TmdbRequestBuilder.genres().build(), json_response(template("genres")))

        output = check(ConfigBuilder().build())

        assert output.connection_status_messages[-1].connectionStatus.status == Status.SUCCEEDED
        assert _announced_configs(output) == []


def _announced_configs(output: EntrypointOutput) -> list[dict[str, Any]]:
    return [
        dict(m.control.connectorConfig.config)
        for m in output.get_message_by_types([Type.CONTROL])
        if m.control.type == OrchestratorType.CONNECTOR_CONFIG
    ]


class TestReadWithBadKey(TestCase):
    @HttpMocker()
    def test_given_a_bad_key_when_read_then_config_error_without_the_key(
        self, http_mocker: HttpMocker
    ) -> None:
        http_mocker.get(
            TmdbRequestBuilder.seed_list("movie/popular").with_api_key(BAD_KEY).build(), invalid_api_key()
        )

        with RawRecords() as raw:
            output = read(
                SourceTmdb(),
                ConfigBuilder().with_api_key(BAD_KEY).build(),
                CatalogBuilder().with_stream("movie_details", SyncMode.full_refresh).build(),
                expecting_exception=True,
            )

        errors = [m.trace.error for m in output.errors]
        assert any(
            e.failure_type == FailureType.config_error and "Check the API key" in e.message for e in errors
        )
        assert BAD_KEY not in _everything(output)
        assert API_KEY not in _everything(output)
        assert any("api_key=****" in line for line in raw.lines)
        assert not [line for line in raw.lines if BAD_KEY in line]
