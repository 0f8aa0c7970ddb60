"""Airbyte's standard test suite (`SourceTestSuiteBase`) on source-tmdb, against the TMDB emulator.

The scenarios are acceptance-test-config.yml's, as `airbyte-cdk connector test` reads them; the
configs are written by conftest.py. Three things the CDK's suite does not do are added here, in the
suite's own terms (its job runner, its scenario model):
- the invalid config must fail because TMDB (the emulator) answered 401, not because a host is down;
- the `incremental` entries, which the CDK no longer collects: two sequential reads, and a read from
  a future state (CAT's incremental tests);
- a flat 0.1.x config is migrated, and the migrated config announced to the platform.

The image tests (`image_tests` mark) need a Docker engine. The CDK skips them only when the docker
CLI is missing; here the CLI may be installed with no engine behind it, so they are skipped, saying
so, when `docker info` fails.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from airbyte_cdk.models import (
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    ConfiguredAirbyteCatalogSerializer,
    OrchestratorType,
    Status,
    SyncMode,
    Type,
)
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.models import ConnectorTestScenario
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from airbyte_cdk.test.standard_tests._job_runner import run_test_job

from source_tmdb import SourceTmdb

CONNECTOR_ROOT = Path(__file__).resolve().parents[1]
NO_DOCKER_ENGINE = (
    "No Docker engine: `docker info` failed, so the connector image cannot be built or run here "
    "(the docker CLI alone is not enough). These image tests run wherever an engine is available."
)


@functools.cache
def docker_engine_available() -> bool:
    if shutil.which("docker") is None:
        return False
    try:
        done = subprocess.run(["docker", "info"], capture_output=True, timeout=20, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _incremental_entries() -> list[dict[str, Any]]:
    import yaml

    config = yaml.safe_load((CONNECTOR_ROOT / "acceptance-test-config.yml").read_text())
    return list(config["acceptance_tests"].get("incremental", {}).get("tests", []))


def _load(relative: str) -> Any:
    return json.loads((CONNECTOR_ROOT / relative).read_text())


def _latest_states(output: EntrypointOutput) -> list[AirbyteStateMessage]:
    latest: dict[str, AirbyteStateMessage] = {}
    for message in output.state_messages:
        latest[message.state.stream.stream_descriptor.name] = message.state
    return list(latest.values())


def _records_by_stream(output: EntrypointOutput) -> dict[str, list[Mapping[str, Any]]]:
    by_stream: dict[str, list[Mapping[str, Any]]] = {}
    for message in output.records:
        by_stream.setdefault(message.record.stream, []).append(message.record.data)
    return by_stream


class TestSourceTmdbStandards(SourceTestSuiteBase):
    connector = SourceTmdb

    @pytest.fixture(autouse=True)
    def _skip_image_tests_without_a_docker_engine(self, request: pytest.FixtureRequest) -> None:
        if request.node.get_closest_marker("image_tests") and not docker_engine_available():
            pytest.skip(NO_DOCKER_ENGINE)

    def test_given_the_invalid_config_when_check_then_it_fails_on_tmdbs_401(self) -> None:
        result = run_test_job(
            SourceTmdb,
            "check",
            connector_root=CONNECTOR_ROOT,
            test_scenario=ConnectorTestScenario(
                config_path=Path("secrets/invalid_config.json"), status="failed"
            ),
        )

        status = result.connection_status_messages[0].connectionStatus
        assert status.status == Status.FAILED
        # TMDB's 401 body for a bad key is status_code 7; an unreachable host would say so instead.
        assert "HTTP 401" in status.message and "status_code 7" in status.message, status.message

    def test_given_a_flat_config_when_check_then_it_is_migrated_and_announced(self) -> None:
        result = run_test_job(
            SourceTmdb,
            "check",
            connector_root=CONNECTOR_ROOT,
            test_scenario=ConnectorTestScenario(
                config_path=Path("secrets/config_flat_credentials.json"), status="succeed"
            ),
        )

        flat = _load("secrets/config_flat_credentials.json")
        controls = [m.control for m in result.get_message_by_types([Type.CONTROL])]
        assert [c.type for c in controls] == [OrchestratorType.CONNECTOR_CONFIG]
        migrated = controls[0].connectorConfig.config
        assert migrated["credentials"] == {"auth_type": "api_key", "api_key": flat["api_key"]}
        assert "api_key" not in migrated
        assert {k: v for k, v in migrated.items() if k != "credentials"} == {
            k: v for k, v in flat.items() if k != "api_key"
        }

    @pytest.mark.parametrize(
        "entry", _incremental_entries(), ids=lambda entry: Path(entry["config_path"]).stem
    )
    def test_given_the_state_of_a_read_when_read_again_then_only_changes_are_read(
        self, entry: dict[str, Any]
    ) -> None:
        config = _load(entry["config_path"])
        catalog = ConfiguredAirbyteCatalogSerializer.load(_load(entry["configured_catalog_path"]))
        incremental = {s.stream.name for s in catalog.streams if s.sync_mode == SyncMode.incremental}

        first = read(SourceTmdb(), config, catalog)
        second = read(SourceTmdb(), config, catalog, _latest_states(first))

        assert not first.errors and not second.errors
        before, after = _records_by_stream(first), _records_by_stream(second)
        assert incremental <= set(before), "the first read must return records of every incremental stream"
        # Nothing changed between the reads, so the second re-reads only movies the change feed
        # reports since the first one's cursor (the cursor is day-granular: today's changes again).
        changed = {int(change["id"]) for change in after.get("movie_changes", [])}
        assert {int(movie["id"]) for movie in after.get("movie_details", [])} <= changed
        for stream in incremental:
            assert len(after.get(stream, [])) <= len(before[stream]), stream
        assert sum(len(after.get(s, [])) for s in incremental) < sum(len(before[s]) for s in incremental)

    @pytest.mark.parametrize(
        "entry", _incremental_entries(), ids=lambda entry: Path(entry["config_path"]).stem
    )
    def test_given_a_future_state_when_read_then_no_record_of_those_streams(
        self, entry: dict[str, Any]
    ) -> None:
        config = _load(entry["config_path"])
        catalog = ConfiguredAirbyteCatalogSerializer.load(_load(entry["configured_catalog_path"]))
        raw_state = _load(entry["future_state"]["future_state_path"])

        output = read(
            SourceTmdb(), config, catalog, [AirbyteStateMessageSerializer.load(s) for s in raw_state]
        )

        assert not output.errors
        with_state = {s["stream"]["stream_descriptor"]["name"] for s in raw_state}
        assert with_state & set(_records_by_stream(output)) == set()
