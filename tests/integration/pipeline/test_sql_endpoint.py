"""The Spark SQL endpoint on the pipeline the end-to-end pass built: a plain `dbt build` (dbt-spark's
thrift method, the profile's default target) and a HiveServer2 client (PyHive) calling the UDF."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tmdb_pipeline.sql_endpoint.client import EndpointDownError, query
from tmdb_pipeline.sql_endpoint.settings import SqlEndpointSettings
from tmdb_pipeline.stack.process import free_port
from tmdb_pipeline.transform.runner import DBT_PROJECT

pytestmark = pytest.mark.integration
DBT = Path(sys.executable).parent / "dbt"


@pytest.fixture(scope="module")
def plain_dbt_build(sql_endpoint, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`cd dbt_project && dbt build`, as a dbt user types it (own target path, so the runner's stays)."""
    target = tmp_path_factory.mktemp("plain-dbt") / "target"
    env = {**os.environ, "SQL_ENDPOINT_PORT": str(sql_endpoint.port)}
    env.pop("DBT_TARGET", None)
    done = subprocess.run(
        [str(DBT), "build", "--target-path", str(target), "--log-path", str(target.parent / "logs")],
        cwd=DBT_PROJECT,
        env=env,
        capture_output=True,
        text=True,
        timeout=3600,
    )
    return done, target


def test_given_the_endpoint_when_running_plain_dbt_build_then_every_model_builds_and_its_tests_pass(
    plain_dbt_build, spark
):
    done, target = plain_dbt_build
    assert done.returncode == 0, done.stdout[-4000:]
    results = json.loads((target / "run_results.json").read_text())["results"]
    manifest = json.loads((target / "manifest.json").read_text())
    assert manifest["metadata"]["adapter_type"] == "spark"
    models = {n["unique_id"] for n in manifest["nodes"].values() if n["resource_type"] == "model"}
    tests = {n["unique_id"] for n in manifest["nodes"].values() if n["resource_type"] == "test"}
    status = {r["unique_id"]: r["status"] for r in results}
    assert len(models) >= 15
    assert {status.get(m) for m in models} == {"success"}
    assert {status.get(t) for t in tests} == {"pass"}
    assert "target='endpoint'" in done.stdout  # the profile's default, no flag needed
    # the sentiment model's id came from the endpoint's session: the same model as the pass's
    # `transform`, so no unchanged review was scored again
    invocation = json.loads((target / "run_results.json").read_text())["metadata"]["invocation_id"]
    rescored = spark.sql(
        f"select count(*) c from silver.int_reviews_scored where scored_in_invocation = '{invocation}'"
    ).collect()[0]
    assert rescored.c == 0


def test_given_the_endpoint_when_a_hive_client_calls_the_udf_then_it_scores_the_text(sql_endpoint):
    rows = query(
        sql_endpoint, "select review_sentiment('A wonderful, moving film. I loved every minute.').label"
    )

    assert rows == [("positive",)]


def test_given_the_endpoint_when_a_hive_client_queries_gold_then_rows_come_back(sql_endpoint, spark):
    rows = query(
        sql_endpoint,
        "select movie_id, title, popularity from trending_movies order by popularity desc limit 5",
        database="gold",
    )
    expected = spark.sql("select count(*) c from gold.trending_movies").collect()[0].c

    assert 0 < len(rows) == min(5, expected)
    assert all(isinstance(row[1], str) for row in rows)


def test_given_the_endpoint_is_down_when_a_client_connects_then_the_error_names_the_start_command():
    closed = SqlEndpointSettings(port=free_port())

    with pytest.raises(EndpointDownError, match="tmdb-pipeline sql-server"):
        query(closed, "select 1")
