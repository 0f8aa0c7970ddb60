"""The vars the runner hands dbt: its own under whatever the user passed."""

from __future__ import annotations

import json

from tmdb_pipeline.transform.runner import with_vars


def _vars(args: list[str]) -> dict:
    assert args.count("--vars") == 1
    return json.loads(args[args.index("--vars") + 1])


def test_given_no_user_vars_then_the_pipeline_vars_are_added():
    args = with_vars(["build", "--select", "marts"], {"sentiment_version": "m@1"})

    assert args[:3] == ["build", "--select", "marts"]
    assert _vars(args) == {"sentiment_version": "m@1"}


def test_given_user_vars_then_both_are_passed_and_the_user_wins():
    args = with_vars(
        ["build", "--vars", "{bronze_schema: raw, sentiment_version: pinned}", "--select", "x"],
        {"sentiment_version": "m@1"},
    )

    assert args[:3] == ["build", "--select", "x"]
    assert _vars(args) == {"bronze_schema": "raw", "sentiment_version": "pinned"}


def test_given_the_equals_form_then_it_is_merged_too():
    args = with_vars(["run", '--vars={"bronze_schema": "raw"}'], {"sentiment_version": "m@1"})

    assert _vars(args) == {"bronze_schema": "raw", "sentiment_version": "m@1"}


def test_given_a_landing_namespace_then_the_pipeline_and_plain_dbt_read_bronze_there(monkeypatch, tmp_path):
    from dbt.cli.main import dbtRunner

    from tmdb_pipeline.settings import load
    from tmdb_pipeline.transform.runner import DBT_PROJECT, pipeline_vars

    monkeypatch.setenv("LANDING_NAMESPACE", "landed")
    monkeypatch.setattr("tmdb_pipeline.sentiment.artifact.scoring_version", lambda settings: "m@1")
    load.cache_clear()
    try:
        assert pipeline_vars() == {"sentiment_version": "m@1", "bronze_schema": "landed"}
    finally:
        load.cache_clear()
    # plain dbt (over the SQL endpoint, Airflow's model tasks) reads the same variable
    listed = dbtRunner().invoke(
        ["--quiet", "ls", "--resource-type", "source", "--output", "json", "--output-keys", "name", "schema",
         "--project-dir", str(DBT_PROJECT), "--profiles-dir", str(DBT_PROJECT), "--target", "session",
         "--target-path", str(tmp_path / "target"), "--log-path", str(tmp_path)]
    )  # fmt: skip
    assert listed.success, listed.exception
    schemas = {json.loads(line)["name"]: json.loads(line)["schema"] for line in listed.result}
    assert "credits" in schemas and set(schemas.values()) == {"landed"}
