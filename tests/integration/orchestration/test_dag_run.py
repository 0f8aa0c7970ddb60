"""The DAG run for real on the test stack, sharing the session's services:

1. `airflow dags test` runs the whole pass on an empty lakehouse: every task succeeds, the API serves
   the movies, and with the file sink DataHub's Airflow plugin connects TMDB to every collection and
   API endpoint through the Airflow tasks alone.
2. `airflow tasks test` of `extract` with Kafka's address made dead: the task fails with the
   stage's own error in its log (the extract's other failures are tested on its CLI, in
   tests/integration/extract; the sync's, through the scheduler, in 3.).
3. Airflow's scheduler up, driven through its REST API as the UI does: with MongoDB stopped, clearing
   the clean run's `sync_serving` fails it, with the sync's own error, after its retry; with MongoDB
   back, clearing the failed task finishes the run, and the lakehouse and MongoDB hold the same data
   as after the clean run, nothing duplicated.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pymongo import MongoClient

from serving_api.sync.run import mongo_address
from tests.integration.pipeline.conftest import wipe_pipeline_data
from tmdb_pipeline.lineage.metadata import MetadataGraph, read_metadata
from tmdb_pipeline.lineage.names import Coordinates
from tmdb_pipeline.lineage.run import EMITTER_FILE
from tmdb_pipeline.lineage.streams import schema_files
from tmdb_pipeline.lineage.topology import ENDPOINTS, serving_targets
from tmdb_pipeline.settings import MongoSettings, SparkSettings, StackSettings, load
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.airflow import AIRFLOW_FILE
from tmdb_pipeline.stack.catalog import get_catalog
from tmdb_pipeline.stack.process import free_port
from tmdb_pipeline.stack.sql_endpoint import SqlEndpointService
from tmdb_pipeline.testing.api import running_api

from .conftest import DAG_ID, AirflowApi, Orchestration

# a whole pass each: far above the suite's default 900 s per test on a shared 2-core machine
pytestmark = [pytest.mark.integration, pytest.mark.timeout(3600)]
RECIPE_FILES = ("kafka.json", "iceberg.json", "mongodb.json", "dbt.json")
AIRFLOW_FLOW = f"urn:li:dataFlow:(airflow,{DAG_ID},"
PASS_TIMEOUT_S = 2700


def pipeline_counts() -> dict[str, object]:
    """Rows per Silver/Gold table and documents per collection, and whether Bronze holds any
    Kafka record (topic, partition, offset) twice."""
    catalog = get_catalog()
    counts: dict[str, object] = {}
    for namespace in ("silver", "gold"):
        for identifier in catalog.list_tables(namespace):
            counts[".".join(identifier)] = catalog.load_table(identifier).scan().to_arrow().num_rows
    duplicated = {}
    for identifier in catalog.list_tables("bronze"):
        rows = (
            catalog.load_table(identifier)
            .scan(selected_fields=("kafka_topic", "kafka_partition", "kafka_offset"))
            .to_arrow()
        )
        distinct = rows.group_by(["kafka_topic", "kafka_partition", "kafka_offset"]).aggregate([]).num_rows
        duplicated[".".join(identifier)] = rows.num_rows - distinct
    counts["bronze_duplicated_records"] = duplicated
    mongo = load(MongoSettings)
    client: MongoClient = MongoClient(mongo.uri.get_secret_value(), serverSelectionTimeoutMS=5000)
    database = client[mongo.database]
    for name in sorted(database.list_collection_names()):
        if not name.startswith("_"):
            counts[f"mongodb.{name}"] = database[name].count_documents({})
    client.close()
    return counts


@dataclass
class CleanRun:
    returncode: int
    output: str
    report: dict
    counts: dict[str, object]
    seconds: float


@pytest.fixture(scope="module")
def endpoint_guard() -> Iterator[None]:
    """The DAG's `sql_endpoint` task starts the Spark SQL endpoint; stop it after, unless it ran before."""
    endpoint = SqlEndpointService(load(StackSettings), load(SqlEndpointSettings), load(SparkSettings))
    was_running = endpoint.pid() is not None
    yield
    if not was_running:
        endpoint.stop()


@pytest.fixture(scope="module")
def clean_run(orchestration: Orchestration, endpoint_guard: None) -> CleanRun:
    """`airflow dags test` of the whole DAG on an empty lakehouse, Kafka and MongoDB."""
    wipe_pipeline_data()
    began = time.monotonic()
    done = orchestration.airflow("dags", "test", DAG_ID, timeout=PASS_TIMEOUT_S)
    seconds = time.monotonic() - began
    report = orchestration.report()
    orchestration.record(
        "dags_test",
        {
            "total_s": round(seconds, 1),
            "tasks_s": {t: round(v["seconds"] or 0, 1) for t, v in sorted(report["tasks"].items())},
        },
    )
    output = done.stdout + done.stderr
    # `dags test` logs every task to its own output, not to task log files: keep it for a failure
    (orchestration.service.root / "dags-test.log").write_text(output)
    return CleanRun(done.returncode, output, report, pipeline_counts(), seconds)


def test_given_the_test_stack_when_running_dags_test_then_every_task_succeeds(clean_run):
    states = {task: ti["state"] for task, ti in clean_run.report["tasks"].items()}
    assert clean_run.returncode == 0, (states, clean_run.output[-3000:])
    assert set(states.values()) == {"success"}, states
    models = [t for t in states if t.startswith("transform.") and t.endswith("_model_build")]
    assert len(models) >= 15


def test_given_the_clean_run_when_calling_the_api_then_it_serves_the_movies(clean_run):
    assert clean_run.counts["mongodb.movies"] > 0
    assert clean_run.counts["gold.movie_metrics"] == clean_run.counts["mongodb.movies"]
    with running_api() as api, httpx.Client(base_url=api.base_url, timeout=10) as http:
        listed = http.get("/movies", params={"page_size": 5}).json()
        assert listed["total"] == clean_run.counts["mongodb.movies"]
        first = listed["items"][0]
        assert http.get(f"/movies/{first['id']}").json()["title"] == first["title"]


def _lineage(files: list[Path], emitter: Path) -> MetadataGraph:
    """The recipes' metadata (and the plugin's, when given) with no job of the lineage emitter: of
    its file only the routes' edges (collection -> endpoint), which nothing else describes."""
    metadata = read_metadata(files)
    metadata.edges |= {(u, d) for u, d in read_metadata([emitter]).edges if "dataPlatform:openapi," in d}
    return metadata


def test_given_the_file_sink_when_walking_from_tmdb_then_the_airflow_tasks_connect_it_to_the_api(
    clean_run, orchestration: Orchestration
):
    output = orchestration.service.lineage.output_dir
    recipes = [output / name for name in RECIPE_FILES]
    plugin, emitter = output / AIRFLOW_FILE, output / EMITTER_FILE
    assert all(path.exists() for path in [plugin, emitter, *recipes])
    coords = Coordinates.load()
    tmdb = {coords.tmdb(stream.name) for stream in schema_files()}
    # what the batch pass serves: the sync's collections and the routes that read them (the live
    # routes read the streaming speed layer's collections, which no task of this DAG writes)
    synced = {collection for _, collection in serving_targets()}
    served = {coords.collection(c) for c in synced} | {
        coords.endpoint(path) for path, collection in ENDPOINTS.items() if collection in synced
    }

    metadata = _lineage([plugin, *recipes], emitter)
    reached = metadata.reachable(tmdb)

    assert sorted(served - reached) == []
    jobs = {
        urn.rsplit(",", 1)[-1].rstrip(")")
        for urn in reached
        if urn.startswith(f"urn:li:dataJob:({AIRFLOW_FLOW}")
    }
    assert {"extract", "land", "sync_serving", "transform.movie_metrics_model_build"} <= jobs
    # the control: the recipes alone do not connect TMDB to MongoDB; the Airflow tasks do
    without = _lineage(recipes, emitter)
    assert not without.reachable(tmdb) & served


def _failed_task_log(orchestration: Orchestration, task_id: str, env: dict[str, str]) -> str:
    """`airflow tasks test` of one task with a server's address made dead: the task's own log."""
    done = orchestration.airflow("tasks", "test", DAG_ID, task_id, env=env, timeout=600)
    # `tasks test` itself exits 0 (it records nothing): the task's own outcome is in its log
    output = done.stdout + done.stderr
    assert "Bash command failed. The command returned a non-zero exit code 1." in output, output[-3000:]
    return output


def test_given_kafka_down_when_the_extract_task_runs_then_it_fails_with_the_extracts_own_error(
    clean_run, orchestration: Orchestration
):
    dead = free_port()

    output = _failed_task_log(orchestration, "extract", {"KAFKA_PORT": str(dead)})

    assert f"Kafka is unreachable at 127.0.0.1:{dead}" in output, output[-3000:]


def test_given_mongodb_stopped_when_the_sync_is_cleared_then_it_fails_and_clearing_it_again_ends_like_the_clean_run(
    clean_run, orchestration: Orchestration, local_stack
):
    """As a data engineer in the UI, on the clean run (Airflow's scheduler now running): with
    MongoDB stopped, the re-run sync task fails with the sync's own error and is retried; with
    MongoDB back, clearing the failed task finishes the run, and MongoDB holds what it held."""
    service = orchestration.service
    began = time.monotonic()
    service.start()
    orchestration.record("airflow_up_s", round(time.monotonic() - began, 1))
    api = AirflowApi(service)
    api.send("PATCH", f"/dags/{DAG_ID}", {"is_paused": False})
    run_id = clean_run.report["run_id"]
    clear = {"dry_run": False, "dag_run_id": run_id, "task_ids": ["sync_serving"],
             "include_downstream": True, "only_failed": False, "reset_dag_runs": True}  # fmt: skip
    local_stack.mongo.stop()
    try:
        api.send("POST", f"/dags/{DAG_ID}/clearTaskInstances", clear)
        failed = api.wait_run(run_id, {"failed", "success"}, timeout_s=900)
        tasks = api.task_instances(run_id)
    finally:
        local_stack.mongo.start()

    assert failed["state"] == "failed"
    assert tasks["sync_serving"]["state"] == "failed"
    assert tasks["sync_serving"]["try_number"] == 3  # the clean run's try, then this one's and its retry
    assert tasks["dbt_docs"]["state"] == "upstream_failed"
    assert tasks["extract"]["state"] == "success"  # what had run is left as it was
    log = orchestration.task_log(run_id, "sync_serving", 2)
    assert f"MongoDB at {mongo_address(load(MongoSettings))} is unreachable" in log, log[-3000:]

    api.send("POST", f"/dags/{DAG_ID}/clearTaskInstances", clear | {"only_failed": True})
    cleared = time.monotonic()
    finished = api.wait_run(run_id, {"failed", "success"}, timeout_s=900)
    orchestration.record("cleared_run_s", round(time.monotonic() - cleared, 1))

    tasks = api.task_instances(run_id)
    assert finished["state"] == "success", {t: ti["state"] for t, ti in tasks.items()}
    assert tasks["sync_serving"]["try_number"] == 4
    assert tasks["land"]["try_number"] == 1
    counts = pipeline_counts()
    assert counts == clean_run.counts
    assert set(counts["bronze_duplicated_records"].values()) == {0}
