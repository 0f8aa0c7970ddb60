"""Parsing `<connector> discover`: one reader serves the extract runner and the lineage recipes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tmdb_pipeline.extract.connector import ConnectorError, discover, discover_catalog
from tmdb_pipeline.lineage.streams import discover_schemas

STREAM = {
    "name": "movies",
    "json_schema": {"type": "object", "properties": {"id": {"type": "integer"}}},
    "supported_sync_modes": ["full_refresh", "incremental"],
    "source_defined_primary_key": [["id"]],
}


def connector(tmp_path: Path, *lines: object, exit_code: int = 0, stderr: str = "") -> str:
    """An executable that prints the given protocol lines, as a connector's discover would."""
    script = tmp_path / "source-fake"
    body = "\n".join(f"echo '{json.dumps(line) if not isinstance(line, str) else line}'" for line in lines)
    script.write_text(f"#!/bin/sh\n{body}\necho '{stderr}' >&2\nexit {exit_code}\n")
    script.chmod(0o755)
    return str(script)


def test_given_a_catalog_then_both_readers_see_the_same_streams(tmp_path: Path):
    executable = connector(
        tmp_path,
        {"type": "LOG", "log": {"level": "INFO", "message": "hello"}},
        "not json",
        {"type": "CATALOG", "catalog": {"streams": [STREAM]}},
    )

    assert discover_catalog(executable, {}) == [STREAM]
    [info] = discover(executable, {})
    assert (info.name, info.primary_key, info.incremental) == ("movies", [["id"]], True)
    [schema] = discover_schemas(executable, {})
    assert (schema.name, schema.primary_key, schema.json_schema) == (
        "movies",
        (("id",),),
        STREAM["json_schema"],
    )


def test_given_an_error_trace_then_the_connectors_message_is_raised(tmp_path: Path):
    trace = {"type": "TRACE", "trace": {"type": "ERROR", "error": {"message": "config is invalid: base_url"}}}
    executable = connector(tmp_path, trace, exit_code=1)

    with pytest.raises(ConnectorError, match="config is invalid: base_url"):
        discover(executable, {})


def test_given_no_catalog_and_no_trace_then_stderr_is_shown(tmp_path: Path):
    executable = connector(tmp_path, exit_code=3, stderr="Traceback: boom")

    with pytest.raises(ConnectorError, match="boom"):
        discover_schemas(executable, {})
