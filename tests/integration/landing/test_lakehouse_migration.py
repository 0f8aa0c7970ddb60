"""Moving a lakehouse from the embedded JDBC catalog to REST + S3, as a user would with the CLI:
landing refuses the empty new catalog, `lakehouse migrate` moves the tables with their snapshots,
and landing resumes on S3 without landing anything twice."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tmdb_pipeline.settings import IcebergSettings, StackSettings, load
from tmdb_pipeline.stack.catalog import get_catalog

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "tmdb_pipeline.cli"]


def cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


def coordinates(table) -> list[tuple]:
    rows = table.scan(selected_fields=("kafka_topic", "kafka_partition", "kafka_offset")).to_arrow()
    return list(zip(*(rows[c].to_pylist() for c in rows.column_names), strict=True))


def test_given_a_local_lakehouse_when_migrated_to_rest_and_s3_then_landing_resumes_exactly_once(
    topics, object_store_env, tmp_path
):
    topics.create("movies", "reviews")
    topics.produce_records("movies", range(300))
    topics.produce_records("reviews", range(1000, 1200))
    old_db = tmp_path / "old" / "catalog.db"
    old = {"ICEBERG_CATALOG_DB": str(old_db), "ICEBERG_WAREHOUSE": (tmp_path / "old" / "wh").as_uri()}
    base = {**os.environ, **topics.env()}
    landed = cli("land", "--once", env={**base, **old, "ICEBERG_CATALOG_TYPE": "jdbc"})
    assert landed.returncode == 0, landed.stdout + landed.stderr

    rest = {**base, **object_store_env, "ICEBERG_CATALOG_DB": str(old_db), "ICEBERG_START_EMPTY": "false"}
    refused = cli("land", "--once", env=rest)
    message = " ".join((refused.stdout + refused.stderr).split())
    assert refused.returncode != 0
    assert "tmdb-pipeline lakehouse migrate" in message and "ICEBERG_START_EMPTY=true" in message
    catalog = get_catalog(iceberg=IcebergSettings(catalog_type="rest"))
    assert (topics.namespace,) not in catalog.list_namespaces()

    moved = cli("lakehouse", "migrate", "--from", str(old_db), env=rest)
    assert moved.returncode == 0, moved.stdout + moved.stderr
    old_catalog = get_catalog(load(StackSettings), IcebergSettings(catalog_type="jdbc", catalog_db=old_db))
    for stream in ("movies", "reviews"):
        before = old_catalog.load_table((topics.namespace, stream))
        after = catalog.load_table((topics.namespace, stream))
        assert sorted(coordinates(after)) == sorted(coordinates(before))
        assert [s.snapshot_id for s in after.snapshots()] == [s.snapshot_id for s in before.snapshots()]
        assert after.location() == f"s3://warehouse/{topics.namespace}/{stream}"
        assert all(t.file.file_path.startswith("s3://warehouse/") for t in after.scan().plan_files())
    again = cli("lakehouse", "migrate", "--from", str(old_db), env=rest)
    assert again.returncode == 0 and "already in the target catalog" in again.stdout

    topics.produce_records("movies", range(300, 400))
    resumed = cli("land", "--once", env=rest)
    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    landed_now = [
        c for s in ("movies", "reviews") for c in coordinates(catalog.load_table((topics.namespace, s)))
    ]
    assert len(landed_now) == len(set(landed_now)), "a record was landed twice"
    assert set(landed_now) == topics.kafka_coordinates("movies", "reviews")
