"""Bronze landing on the production topology: Iceberg's REST catalog with its warehouse on S3
(SeaweedFS), driven by settings alone. Exactly once holds across a SIGKILL there too."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from pyarrow import fs

from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings, load
from tmdb_pipeline.stack.catalog import get_catalog, s3_keys

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "tmdb_pipeline.cli"]


def object_store() -> fs.S3FileSystem:
    stack, s3 = load(StackSettings), load(S3Settings)
    keys = s3_keys(stack, s3)
    return fs.S3FileSystem(
        access_key=keys.access_key_id,
        secret_key=keys.secret_access_key,
        endpoint_override=f"{stack.host}:{s3.port}",
        scheme="http",
        region=s3.region,
    )


def test_given_rest_and_s3_when_killed_mid_batch_and_restarted_then_bronze_equals_kafka_on_s3(
    topics, object_store_env
):
    streams = ["movies", "credits", "reviews"]
    topics.create(*streams)
    for number, stream in enumerate(streams):
        topics.produce_records(stream, range(number * 10_000, number * 10_000 + 2000))
    env = {**os.environ, **object_store_env, **topics.env(max_offsets_per_trigger=1500)}

    crashed = subprocess.run(
        [*CLI, "land", "--once"],
        cwd=ROOT,
        env={**env, "LANDING_FAULT_KILL_AFTER_COMMITS": "5"},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stdout + crashed.stderr
    finished = subprocess.run(
        [*CLI, "land", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stdout + finished.stderr

    catalog = get_catalog(iceberg=IcebergSettings(catalog_type="rest"))
    coordinates, data_files = [], []
    for stream in streams:
        table = catalog.load_table(f"{topics.namespace}.{stream}")
        assert table.location().startswith("s3://warehouse/")
        rows = table.scan(selected_fields=("kafka_topic", "kafka_partition", "kafka_offset")).to_arrow()
        coordinates += list(zip(*(rows[c].to_pylist() for c in rows.column_names), strict=True))
        data_files += [task.file.file_path for task in table.scan().plan_files()]
    assert len(coordinates) == len(set(coordinates)), "a record was landed twice"
    assert set(coordinates) == topics.kafka_coordinates(*streams)

    store = object_store()
    assert data_files and all(path.startswith("s3://warehouse/") for path in data_files)
    found = store.get_file_info([path.removeprefix("s3://") for path in data_files])
    assert all(info.type == fs.FileType.File and info.size > 0 for info in found)
    # the checkpoint stays on local disk (Spark needs atomic renames), never in the bucket
    assert (topics.workdir / "checkpoint" / "commits").is_dir()
