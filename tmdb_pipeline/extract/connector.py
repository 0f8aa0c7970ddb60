"""Run the source connector as the Airbyte platform does: its entrypoint, a config file, a configured
catalog and the saved state, in a subprocess that speaks the Airbyte protocol on stdout."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmdb_pipeline.emulator.settings import EmulatorSettings
from tmdb_pipeline.settings import ConfigError, ExtractSettings, TmdbSettings, load


class ConnectorError(Exception):
    """The connector failed; the message is the connector's own (it never contains the key)."""


@dataclass(frozen=True)
class StreamInfo:
    name: str
    primary_key: list[list[str]]
    incremental: bool


def connector_config(extract: ExtractSettings, tmdb: TmdbSettings | None = None) -> dict[str, Any]:
    """The source's config: the real API when a key is set, else the local TMDB emulator."""
    tmdb = tmdb or load(TmdbSettings)
    config: dict[str, Any] = {
        "max_movies": extract.max_movies,
        "max_pages": extract.max_pages,
        "seed_lists": extract.seed_lists,
        "requests_per_second": extract.requests_per_second,
    }
    if extract.discover_slice_by_year:
        config["discover_slice_by_year"] = True
        for option in ("discover_year_from", "discover_year_to"):
            if getattr(extract, option) is not None:
                config[option] = getattr(extract, option)
    if tmdb.has_credentials:
        config["base_url"] = tmdb.base_url
        # The spec's credentials oneOf; the key wins when both are set, as the connector always did.
        if tmdb.api_key:
            config["credentials"] = {"auth_type": "api_key", "api_key": tmdb.api_key.get_secret_value()}
        elif tmdb.read_access_token:
            config["credentials"] = {
                "auth_type": "read_access_token",
                "read_access_token": tmdb.read_access_token.get_secret_value(),
            }
    else:
        emulator = load(EmulatorSettings)
        config["base_url"] = f"http://{emulator.host}:{emulator.port}/3"
        config["credentials"] = {"auth_type": "api_key", "api_key": emulator.api_key}
    return config


def config_secrets(config: dict[str, Any]) -> list[str]:
    """The credential values of a connector config, to scrub from anything the runner reports."""
    credentials = config.get("credentials") or {}
    return [str(credentials.get(name) or config.get(name) or "") for name in ("api_key", "read_access_token")]


def connector_executable(extract: ExtractSettings) -> str:
    command = extract.connector_command
    found = shutil.which(command) or shutil.which(command, path=str(Path(sys.executable).parent))
    if not found:
        raise ConfigError(
            f"EXTRACT_CONNECTOR_COMMAND={command!r} was not found; run `make setup` (it installs "
            "source-tmdb into .venv) or point the variable at the connector's entrypoint."
        )
    return found


@contextlib.contextmanager
def private_files(**documents: Any) -> Iterator[dict[str, Path]]:
    """Write JSON documents (the config holds the key) to a 0700 temp dir, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="tmdb-extract-") as folder:
        os.chmod(folder, 0o700)
        paths = {}
        for name, document in documents.items():
            path = Path(folder) / f"{name}.json"
            path.write_text(json.dumps(document))
            path.chmod(0o600)
            paths[name] = path
        yield paths


def _run_command(
    executable: str, command: str, config: dict[str, Any]
) -> tuple[list[dict[str, Any]], subprocess.CompletedProcess]:
    """`<connector> <command> --config …`: its protocol messages (other stdout lines skipped) and the
    finished process, for the caller's error detail."""
    with private_files(config=config) as files:
        result = subprocess.run(
            [executable, command, "--config", str(files["config"])],
            capture_output=True,
            text=True,
            timeout=120,
        )
    messages = []
    for line in result.stdout.splitlines():
        with contextlib.suppress(ValueError):
            message = json.loads(line)
            if isinstance(message, dict):
                messages.append(message)
    return messages, result


def check(executable: str, config: dict[str, Any]) -> None:
    """`<connector> check`, as the Airbyte platform runs it before every sync: a dead or refusing API
    fails here in seconds (few retries) instead of after the read's minutes of backoff."""
    messages, result = _run_command(executable, "check", config)
    for message in messages:
        if message.get("type") == "CONNECTION_STATUS":
            status = message["connectionStatus"]
            if status["status"] == "SUCCEEDED":
                return
            raise ConnectorError(f"`source-tmdb check` failed: {status.get('message') or 'no reason given'}")
    detail = result.stderr.strip()[-2000:] or f"exit code {result.returncode}"
    raise ConnectorError(f"`source-tmdb check` gave no connection status: {detail}")


def discover_catalog(executable: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    """`<connector> discover`: the streams of its CATALOG message, as the protocol spells them."""
    messages, result = _run_command(executable, "discover", config)
    errors = []
    for message in messages:
        if message.get("type") == "CATALOG" and message["catalog"]["streams"]:
            return list(message["catalog"]["streams"])
        if message.get("type") == "TRACE" and message["trace"].get("type") == "ERROR":
            errors.append(message["trace"]["error"]["message"])
    detail = "; ".join(errors) or result.stderr.strip()[-2000:] or f"exit code {result.returncode}"
    raise ConnectorError(f"`source-tmdb discover` failed: {detail}")


def discover(executable: str, config: dict[str, Any]) -> list[StreamInfo]:
    """The streams' names, primary keys and whether they can be read incrementally."""
    return [
        StreamInfo(
            stream["name"],
            stream.get("source_defined_primary_key") or [],
            "incremental" in stream.get("supported_sync_modes", []),
        )
        for stream in discover_catalog(executable, config)
    ]


def configured_catalog(streams: list[StreamInfo], full_refresh: bool) -> dict[str, Any]:
    entries = []
    for stream in streams:
        incremental = stream.incremental and not full_refresh
        entries.append(
            {
                "stream": {
                    "name": stream.name,
                    "json_schema": {},
                    "supported_sync_modes": [
                        "full_refresh",
                        *(["incremental"] if stream.incremental else []),
                    ],
                    "source_defined_primary_key": stream.primary_key,
                },
                "sync_mode": "incremental" if incremental else "full_refresh",
                "destination_sync_mode": "append",
                "primary_key": stream.primary_key,
            }
        )
    return {"streams": entries}


def read(
    executable: str, config: dict[str, Any], catalog: dict[str, Any], state: list[dict[str, Any]] | None
) -> Iterator[str]:
    """Yield the connector's stdout lines; raise ConnectorError if it exits non-zero."""
    documents: dict[str, Any] = {"config": config, "catalog": catalog}
    if state:
        documents["state"] = state
    with private_files(**documents) as files:
        command = [executable, "read", "--config", str(files["config"]), "--catalog", str(files["catalog"])]
        if state:
            command += ["--state", str(files["state"])]
        with tempfile.TemporaryFile() as stderr:
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=stderr, bufsize=1 << 20)
            assert process.stdout is not None
            try:
                for raw in process.stdout:
                    yield raw.decode("utf-8", errors="replace")
            finally:
                if process.poll() is None:
                    process.kill()
                process.wait()
            if process.returncode != 0:
                stderr.seek(0)
                tail = stderr.read().decode(errors="replace").strip().splitlines()[-20:]
                raise ConnectorError(
                    f"source-tmdb exited with code {process.returncode}"
                    + (":\n" + "\n".join(tail) if tail else "")
                )
