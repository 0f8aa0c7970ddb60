"""Airbyte's standard tests against the TMDB emulator: start it, write the scenario configs.

The suite (test_airbyte_standards.py) reads its scenarios from acceptance-test-config.yml, whose
configs live in the git-ignored secrets/ folder, as in Airbyte's own connectors. Here nothing is
secret: this fixture starts the emulator (real HTTP on a free port of 127.0.0.1), writes each config
pointed at it before any test runs, and removes them afterwards.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator

# The CDK's scenario parametrisation and options (airbyte_cdk.test.standard_tests.pytest_hooks) are
# registered in the root pyproject.toml's addopts: pytest refuses `pytest_plugins` in a nested conftest.
CONNECTOR_ROOT = Path(__file__).resolve().parents[1]
SECRETS = CONNECTOR_ROOT / "secrets"
# Long enough for the suite's secret-leak check, which ignores values under 8 characters.
API_KEY = "standard-suite-api-key-5c0ffee"
READ_ACCESS_TOKEN = "standard-suite-read-access-token-7d1e"


def scenario_configs(emu: RunningEmulator) -> dict[str, dict[str, Any]]:
    common: dict[str, Any] = {
        "base_url": emu.base_url,
        "seed_lists": ["popular", "top_rated"],
        "max_pages": 2,
        "max_movies": 25,
        # The emulator has no rate limit here; the budget should not be what the suite waits on.
        "requests_per_second": 1000,
    }
    return {
        "config.json": {"credentials": {"auth_type": "api_key", "api_key": API_KEY}, **common},
        "config_read_access_token.json": {
            "credentials": {"auth_type": "read_access_token", "read_access_token": READ_ACCESS_TOKEN},
            **common,
        },
        "config_flat_credentials.json": {"api_key": API_KEY, **common},
        "invalid_config.json": {
            "credentials": {"auth_type": "api_key", "api_key": "not-the-emulator-key-0a1b2c"},
            **common,
        },
    }


@pytest.fixture(scope="session")
def suite_emulator() -> Iterator[RunningEmulator]:
    with running_emulator(movies=120, seed=7, api_key=API_KEY, read_access_token=READ_ACCESS_TOKEN) as emu:
        # Changes made now fall in today's window, so movie_changes has records to read.
        emu.mutate(5)
        yield emu


@pytest.fixture(scope="session", autouse=True)
def scenario_config_files(suite_emulator: RunningEmulator) -> Iterator[dict[str, Path]]:
    SECRETS.mkdir(exist_ok=True)
    written: dict[str, Path] = {}
    # A developer's own secrets/config.json (a real key) is put back afterwards, not lost.
    kept: dict[Path, bytes] = {}
    for name, config in scenario_configs(suite_emulator).items():
        path = SECRETS / name
        if path.exists():
            kept[path] = path.read_bytes()
        path.write_text(json.dumps(config, indent=2))
        written[name] = path
    yield written
    for path in written.values():
        if path in kept:
            path.write_bytes(kept[path])
        else:
            path.unlink(missing_ok=True)
