"""The connector's streams with their JSON schemas: the source of truth for TMDB and Kafka schemas.

`discover` is what the Airbyte platform would call, and it needs no network (the catalog is
static), so it runs whenever the connector is installed. The extract runner's `discover()` keeps
only names and keys; here each stream's whole JSON schema is kept. Without the connector, the schema
files it ships are read instead (they are what discover returns, minus the primary keys).
"""

from __future__ import annotations

import json
import logging
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmdb_pipeline.extract.connector import (
    ConnectorError,
    connector_config,
    connector_executable,
    discover_catalog,
)
from tmdb_pipeline.settings import ConfigError, ExtractSettings, load

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class StreamSchema:
    name: str
    json_schema: dict[str, Any]
    primary_key: tuple[tuple[str, ...], ...]
    incremental: bool
    origin: str  # "discover" or "schema files": said in the metadata, so a reader knows

    @property
    def title(self) -> str:
        return str(self.json_schema.get("title") or self.name)

    @property
    def key_fields(self) -> list[str]:
        return [".".join(path) for path in self.primary_key]


def discover_schemas(executable: str, config: dict[str, Any]) -> list[StreamSchema]:
    """Run `<connector> discover` and return every stream of its CATALOG message."""
    return [
        StreamSchema(
            stream["name"],
            stream["json_schema"],
            tuple(tuple(path) for path in stream.get("source_defined_primary_key") or []),
            "incremental" in stream.get("supported_sync_modes", []),
            "discover",
        )
        for stream in discover_catalog(executable, config)
    ]


def schema_directory() -> Path:
    import source_tmdb

    return Path(source_tmdb.__file__).parent / "schemas"


def schema_files(directory: Path | None = None) -> list[StreamSchema]:
    """The connector's `schemas/<stream>.json`, for when discover cannot run."""
    directory = directory or schema_directory()
    return [
        StreamSchema(path.stem, json.loads(path.read_text()), (), False, "schema files")
        for path in sorted(directory.glob("*.json"))
    ]


def stream_schemas(extract: ExtractSettings | None = None) -> list[StreamSchema]:
    """Discover through the connector; fall back to its schema files, saying why."""
    extract = extract or load(ExtractSettings)
    try:
        return discover_schemas(connector_executable(extract), connector_config(extract))
    except (ConfigError, ConnectorError, OSError, subprocess.TimeoutExpired) as exc:
        logger.warning("source-tmdb discover failed (%s); reading the connector's schema files", exc)
        return schema_files()
