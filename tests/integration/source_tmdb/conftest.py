"""Fixtures for the source connector against the TMDB emulator (real HTTP on 127.0.0.1).

`run_connector` runs the installed console script `source-tmdb` as a subprocess, as Airbyte would;
`read_in_process` uses airbyte-cdk's entrypoint wrapper where a subprocess adds nothing but time.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tmdb_pipeline.testing.emulator import RunningEmulator, running_emulator

CONNECTOR = Path(sys.executable).with_name("source-tmdb")
MOVIES = 200
STREAMS = ("genres", "movies", "movie_details", "credits", "reviews", "people", "movie_changes")
FULL_REFRESH_ONLY = ("genres", "movies")
PRIMARY_KEYS = {
    "genres": "id",
    "movies": "id",
    "movie_details": "id",
    "credits": "credit_id",
    "reviews": "id",
    "people": "id",
    "movie_changes": "id",
}


@dataclass
class Output:
    returncode: int
    messages: list[dict[str, Any]]
    stderr: str = ""
    raw: str = field(default="", repr=False)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [m for m in self.messages if m.get("type") == kind]

    def records(self, stream: str | None = None) -> list[dict[str, Any]]:
        return [
            m["record"]["data"]
            for m in self.of_type("RECORD")
            if stream is None or m["record"]["stream"] == stream
        ]

    def keys(self, stream: str) -> set[Any]:
        return {r[PRIMARY_KEYS[stream]] for r in self.records(stream)}

    def last_states(self) -> list[dict[str, Any]]:
        return last_states(self.messages)


def last_states(messages: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The latest per-stream STATE messages, as a `--state` file holds them."""
    latest: dict[str, dict[str, Any]] = {}
    for message in messages:
        if message.get("type") == "STATE":
            state = message["state"]
            latest[state["stream"]["stream_descriptor"]["name"]] = {
                "type": "STREAM",
                "stream": state["stream"],
            }
    return list(latest.values())


def config_for(emu: RunningEmulator, **overrides: Any) -> dict[str, Any]:
    """A config for the emulator. `api_key=` / `read_access_token=` overrides pick the credential.

    people_scope is `all` here, so the tests can check that every referenced person is read; the
    principal scope (the connector's default) has tests of its own.
    """
    api_key = overrides.pop("api_key", None)
    token = overrides.pop("read_access_token", None)
    if token is not None and api_key is None:
        credentials = {"auth_type": "read_access_token", "read_access_token": token}
    else:
        credentials = {"auth_type": "api_key", "api_key": api_key or emu.api_key}
    config: dict[str, Any] = {
        "credentials": credentials,
        "base_url": emu.base_url,
        "people_scope": "all",
        "seed_lists": ["popular"],
        "max_pages": 500,
        "max_movies": MOVIES,
        # The emulator has no rate limit unless a test sets one: don't let the budget be the bottleneck.
        "requests_per_second": 1000,
    }
    config.update(overrides)
    return config


def catalog_for(streams: Sequence[str] = STREAMS, incremental: bool = True) -> dict[str, Any]:
    configured = []
    for name in streams:
        mode = "full_refresh" if (name in FULL_REFRESH_ONLY or not incremental) else "incremental"
        configured.append(
            {
                "stream": {
                    "name": name,
                    "json_schema": {},
                    "supported_sync_modes": ["full_refresh", "incremental"],
                },
                "sync_mode": mode,
                "destination_sync_mode": "append",
            }
        )
    return {"streams": configured}


def calls(by_path: Mapping[str, int]) -> dict[str, int]:
    """The emulator's per-path counts with every numeric path segment as {id}."""
    counts: dict[str, int] = {}
    for path, n in by_path.items():
        head, *rest = path.strip("/").split("/")
        key = "/" + "/".join([head, *("{id}" if part.isdigit() else part for part in rest)])
        counts[key] = counts.get(key, 0) + n
    return counts


def _parse(stdout: str) -> list[dict[str, Any]]:
    messages = []
    for line in stdout.splitlines():
        line = line.strip()
        if line.startswith("{"):
            try:
                messages.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return messages


def write_inputs(
    tmp_path: Path,
    config: Mapping[str, Any] | None = None,
    catalog: Mapping[str, Any] | None = None,
    state: Sequence[Mapping[str, Any]] | None = None,
) -> list[str]:
    args: list[str] = []
    for flag, content in (("--config", config), ("--catalog", catalog), ("--state", state)):
        if content is not None:
            path = tmp_path / f"{flag.strip('-')}.json"
            path.write_text(json.dumps(content))
            args += [flag, str(path)]
    return args


def run_connector(
    command: str,
    tmp_path: Path,
    config: Mapping[str, Any] | None = None,
    catalog: Mapping[str, Any] | None = None,
    state: Sequence[Mapping[str, Any]] | None = None,
    timeout: float = 120,
) -> Output:
    args = [str(CONNECTOR), command, *write_inputs(tmp_path, config, catalog, state)]
    done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    return Output(done.returncode, _parse(done.stdout), done.stderr, done.stdout)


def read_in_process(
    config: Mapping[str, Any], catalog: Mapping[str, Any], state: Sequence[Mapping[str, Any]] | None = None
) -> Output:
    """The same read through airbyte-cdk's entrypoint wrapper, in this process."""
    from airbyte_cdk.models import AirbyteStateMessageSerializer, ConfiguredAirbyteCatalogSerializer
    from airbyte_cdk.test.entrypoint_wrapper import read

    from source_tmdb import SourceTmdb

    output = read(
        SourceTmdb(),
        dict(config),
        ConfiguredAirbyteCatalogSerializer.load(dict(catalog)),
        [AirbyteStateMessageSerializer.load(dict(s)) for s in state] if state is not None else None,
    )
    messages = [json.loads(_serialize(m)) for m in output._messages]
    return Output(0 if not output.errors else 1, messages)


def _serialize(message: Any) -> str:
    from airbyte_cdk.models import AirbyteMessageSerializer

    return json.dumps(AirbyteMessageSerializer.dump(message))


class Connector:
    """What the tests use, handed out as a fixture (test modules cannot import conftest)."""

    streams = STREAMS
    movies = MOVIES
    run = staticmethod(run_connector)
    read_in_process = staticmethod(read_in_process)
    config_for = staticmethod(config_for)
    catalog_for = staticmethod(catalog_for)
    write_inputs = staticmethod(write_inputs)
    parse = staticmethod(_parse)
    last_states = staticmethod(last_states)
    calls = staticmethod(calls)
    executable = CONNECTOR


@pytest.fixture(scope="session")
def connector() -> Connector:
    return Connector()


@pytest.fixture(scope="session")
def emulator() -> Iterator[RunningEmulator]:
    """A 200-movie emulator shared by the tests that do not change its catalogue.

    Five changes are made up front, so the change feed has something to report; nothing changes after.
    """
    with running_emulator(movies=MOVIES, seed=7) as emu:
        emu.mutate(5)
        yield emu


@pytest.fixture(scope="session")
def reference(emulator: RunningEmulator) -> Output:
    """One complete, fault-free read of every stream, the baseline other tests compare with."""
    return read_in_process(config_for(emulator), catalog_for())
