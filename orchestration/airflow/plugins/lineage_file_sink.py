"""DataHub's file sink for the local Airflow, appended to instead of rewritten.

With no DataHub server, `tmdb-pipeline airflow up` gives DataHub's plugin a `datahub-file` connection,
and the plugin writes through `SynchronizedFileEmitter`, which its own docstring calls "for testing
purposes only": every record re-reads, re-parses and re-writes the whole file. One run of our DAG
emits ~1,000 records (each task's start announces the DAG and its 26 tasks again), so a run spent
~170 s of its ~550 s there on 2 cores, and every later run more, as the file grows.

Loaded as an Airflow plugin (in every Airflow process, before any listener runs), this gives that
emitter an `emit` that appends the record in place. The file stays what DataHub writes (a JSON array,
laid out as `write_metadata_file` lays it out) under the same lock, so a process still on the
original emitter writes correctly beside it. The plugin's settings have no switch for this.
"""

from __future__ import annotations

import json
import os
from typing import Any

from airflow.plugins_manager import AirflowPlugin
from datahub.emitter.synchronized_file_emitter import SynchronizedFileEmitter
from datahub.ingestion.sink.file import _to_obj_for_file

# `write_metadata_file`'s layout: "[\n" + records (json.dumps(indent=4)) joined by ",\n" + "\n]"
HEAD, SEPARATOR, TAIL = b"[\n", b",\n", b"\n]"
EMPTY = HEAD + b"\n]"  # how write_metadata_file writes no records

_rewrite = SynchronizedFileEmitter.emit


def append_emit(self: SynchronizedFileEmitter, item: Any, callback: Any = None) -> None:
    """One record added at the end of the array: O(record), not O(file)."""
    record = json.dumps(_to_obj_for_file(item), indent=4).encode()
    with self._lock:
        path = self._filename
        if not path.exists() or path.stat().st_size <= len(EMPTY):
            path.write_bytes(HEAD + record + TAIL)
            return
        with path.open("r+b") as file:
            file.seek(-len(TAIL), os.SEEK_END)
            if file.read() == TAIL:
                file.seek(-len(TAIL), os.SEEK_END)
                file.write(SEPARATOR + record + TAIL)
                return
    # not laid out as expected (written by something else): DataHub's own rewrite handles it
    _rewrite(self, item, callback)


SynchronizedFileEmitter.emit = append_emit  # type: ignore[method-assign]


class LineageFileSinkPlugin(AirflowPlugin):
    """Registers nothing; loading it (above) is what it does."""

    name = "tmdb_lineage_file_sink"
