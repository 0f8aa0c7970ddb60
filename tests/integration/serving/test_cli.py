"""`sync-serving` and `api` as typer commands (the lead registers them in tmdb_pipeline.cli)."""

from __future__ import annotations

import json

import httpx
import pytest
import typer
from typer.testing import CliRunner

from tmdb_pipeline.cli.serving import sync_serving
from tmdb_pipeline.settings import load
from tmdb_pipeline.testing.api import running_api

pytestmark = pytest.mark.integration


@pytest.fixture
def cli(scratch, monkeypatch):
    monkeypatch.setenv("SERVING_GOLD_NAMESPACE", scratch.gold.namespace)
    monkeypatch.setenv("MONGO_DATABASE", scratch.mongo.database)
    load.cache_clear()
    app = typer.Typer()
    app.command()(sync_serving)
    yield app
    load.cache_clear()


def test_given_gold_when_running_sync_serving_then_a_summary_per_collection_is_printed(cli, scratch):
    runner = CliRunner()
    first = runner.invoke(cli, [])
    assert first.exit_code == 0, first.output
    for collection in ("movies", "reviews", "people", "trending", "genre_stats"):
        assert collection in first.output
    assert f"{scratch.gold.tables['movie_metrics'].num_rows:,}" in first.output
    assert scratch.db.movies.count_documents({}) == scratch.gold.tables["movie_metrics"].num_rows

    second = runner.invoke(cli, ["--json"])
    assert second.exit_code == 0, second.output
    summary = json.loads(second.output)
    assert all(c["skipped"] and c["upserted"] == 0 for c in summary["collections"])


def test_given_a_missing_namespace_when_syncing_then_the_cli_explains_and_exits_1(cli, monkeypatch):
    monkeypatch.setenv("SERVING_GOLD_NAMESPACE", "no_such_gold")
    load.cache_clear()
    result = CliRunner().invoke(cli, [])
    assert result.exit_code == 1
    assert "no_such_gold.movie_metrics does not exist" in result.output


def test_given_a_bad_setting_when_starting_the_api_then_the_variable_is_named():
    from tmdb_pipeline.stack.process import StackError

    with (
        pytest.raises(StackError) as caught,
        running_api({"API_MAX_PAGE_SIZE": "many"}, startup_timeout_s=20),
    ):
        pass
    assert "API_MAX_PAGE_SIZE" in str(caught.value)


def test_given_the_api_command_then_it_serves_on_the_requested_port(served):
    with running_api({"MONGO_DATABASE": served.mongo.database, "API_API_KEYS": "cli-key-1"}) as api:
        response = httpx.get(f"{api.base_url}/trending", headers={"X-API-Key": "cli-key-1"})
        assert response.status_code == 200 and response.json()["total"] > 0
        assert "cli-key-1" not in api.log()
