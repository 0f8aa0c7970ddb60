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
