"""The same pipeline on the production topology, by settings alone: `tmdb-pipeline run` with
ICEBERG_CATALOG_TYPE=rest builds Bronze, Silver and Gold in Iceberg's REST catalog with every data
file an object in the S3 store, and the API serves what it synced. The same pass pushes each stage's
metrics to the session's Pushgateway: a real Prometheus then returns the figures the pass printed."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from pyarrow import fs

from tmdb_pipeline.settings import IcebergSettings, S3Settings, StackSettings, load
from tmdb_pipeline.stack.catalog import get_catalog, s3_keys
from tmdb_pipeline.testing.api import running_api

pytestmark = [pytest.mark.integration, pytest.mark.timeout(2400)]
ROOT = Path(__file__).resolve().parents[3]
CLI = [sys.executable, "-m", "tmdb_pipeline.cli"]


def test_given_rest_and_s3_settings_when_running_a_pass_then_every_layer_is_on_s3_and_the_api_serves_it(
    local_stack, object_store_env, monitoring, tmp_path
):
    database = "tmdb_object_storage"
    env = {
        **os.environ,
        **object_store_env,
        # its own topics, state, checkpoint, dbt artifacts and serving database: nothing shared
        "KAFKA_TOPIC_PREFIX": "s3pass_",
        "LANDING_TOPIC_PATTERN": "s3pass_.*",
        "LANDING_CHECKPOINT_DIR": (tmp_path / "checkpoint").as_uri(),
        "LANDING_METRICS_FILE": str(tmp_path / "landing.jsonl"),
        "EXTRACT_STATE_FILE": str(tmp_path / "state.json"),
        "EXTRACT_MAX_MOVIES": "20",
        "DBT_TARGET_PATH": str(tmp_path / "dbt-target"),
        "DBT_LOG_PATH": str(tmp_path / "dbt-logs"),
        "MONGO_DATABASE": database,
        "METRICS_PUSHGATEWAY_URL": monitoring.pushgateway,
        "COLUMNS": "250",
        "NO_COLOR": "1",
    }
    passed = subprocess.run([*CLI, "run"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
    assert passed.returncode == 0, passed.stdout[-4000:] + passed.stderr[-4000:]
    # the driver JVM's start-up banner stays off the terminal (it used to open every Spark stage)
    assert "Using incubator modules" not in passed.stdout + passed.stderr
    assert_prometheus_saw_the_pass(monitoring, passed.stdout)

    stack, s3 = load(StackSettings), load(S3Settings)
    catalog = get_catalog(iceberg=IcebergSettings(catalog_type="rest"))
    keys = s3_keys(stack, s3)
    store = fs.S3FileSystem(
        access_key=keys.access_key_id,
        secret_key=keys.secret_access_key,
        endpoint_override=f"{stack.host}:{s3.port}",
        scheme="http",
        region=s3.region,
    )
    for layer, table in [
        ("bronze", "movie_details"),
        ("silver", "stg_tmdb__movie_details"),
        ("gold", "movie_metrics"),
    ]:
        loaded = catalog.load_table((layer, table))
        files = [task.file.file_path for task in loaded.scan().plan_files()]
        assert files, f"{layer}.{table} has no data files"
        assert all(path.startswith("s3://warehouse/") for path in files)
        infos = store.get_file_info([path.removeprefix("s3://") for path in files])
        assert all(info.type == fs.FileType.File and info.size > 0 for info in infos)
    assert not (tmp_path / "checkpoint").as_uri().startswith("s3")

    gold = (
        catalog.load_table(("gold", "movie_metrics")).scan(selected_fields=("movie_id", "title")).to_arrow()
    )
    titles = dict(zip(gold["movie_id"].to_pylist(), gold["title"].to_pylist(), strict=True))
    assert len(titles) >= 20
    with running_api(env={"MONGO_DATABASE": database}) as api, httpx.Client(base_url=api.base_url) as http:
        listed = http.get("/movies", params={"page_size": 50}).json()
        assert listed["items"] and {item["id"] for item in listed["items"]} <= set(titles)
        movie_id = next(iter(titles))
        assert http.get(f"/movies/{movie_id}").json()["title"] == titles[movie_id]


def assert_prometheus_saw_the_pass(monitoring, printed: str) -> None:
    """Each stage's figures as `run` printed them, and as PromQL returns them from what it pushed."""

    def figure(pattern: str) -> int:
        found = re.search(pattern, printed)
        assert found, f"{pattern!r} not in the output:\n{printed}"
        return int(found.group(1).replace(",", ""))

    figures = {
        'sum(tmdb_extract_records_total{job="tmdb_extract"})': figure(
            r"extract \S+ — ([\d,]+) records to Kafka"
        ),
        'sum(tmdb_landing_rows_total{job="tmdb_land"})': figure(r"land \S+ — ([\d,]+) rows in"),
        'sum(tmdb_landing_quarantined_rows_total{job="tmdb_land"}) or vector(0)': figure(
            r"(\d+) quarantined"
        ),
        'sum(tmdb_transform_nodes_total{job="tmdb_transform",resource_type="model",status="success"})': figure(
            r"(\d+) dbt models built"
        ),
        'sum(tmdb_transform_nodes_total{job="tmdb_transform",status="pass",resource_type!="source"})': figure(
            r"(\d+) tests passed"
        ),
        'sum(tmdb_sync_documents_total{job="tmdb_sync",action="upserted"})': figure(r"([\d,]+) upserted"),
        # one status series per model the build ran, each its last status
        'count(tmdb_transform_model_status{job="tmdb_transform",tmdb_transform_model_status="success"} == 1)': figure(
            r"(\d+) dbt models built"
        ),
    }
    seen = {promql: monitoring.value_of(promql, expected) for promql, expected in figures.items()}
    assert seen == {promql: float(expected) for promql, expected in figures.items()}
    assert all(expected > 0 for promql, expected in figures.items() if "quarantined" not in promql)
    for stage in ("extract", "landing", "transform", "sync"):
        assert monitoring.value_of(f"min(tmdb_{stage}_last_run_success)", 1) == 1, stage
    # everything the pass produced is landed: the lag landing pushed is 0
    assert monitoring.value_of('sum(tmdb_landing_lag_records{job="tmdb_land"})', 0) == 0
